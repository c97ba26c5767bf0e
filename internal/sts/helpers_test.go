package sts_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/identity/identitytest"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/passhash"
	"github.com/lockstream/lockstream/internal/store/sqlite"
	"github.com/lockstream/lockstream/internal/sts"
	"github.com/lockstream/lockstream/internal/test/proctest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

const audience = "urn:lockstream:test-playback"

// env is an STS behind a real HTTP server, on a real SQLite store.
type env struct {
	t      testing.TB
	svc    *sts.Service
	store  *sqlite.Store
	sealer *keys.Keyring
	clock  *identitytest.Clock
	srv    *httptest.Server
	cfg    sts.Config
	logs   *proctest.Buffer
}

// newEnv starts a service; mod may change its config (Issuer, Store,
// Sealer, Now are set already).
func newEnv(t testing.TB, mod func(c *sts.Config)) *env {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	kek, err := keys.NewKEK(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.NewKeyring(rand.Reader, kek)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, sealer: ring, clock: identitytest.NewClock(t0), logs: &proctest.Buffer{}}
	h := http.NotFoundHandler()
	var mu sync.Mutex
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hh := h
		mu.Unlock()
		hh.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	e.cfg = sts.Config{
		Store: st, Sealer: ring, Log: slog.New(slog.NewTextHandler(e.logs, nil)),
		Issuer: e.srv.URL + sts.DefaultPrefix, Audience: audience,
		Hash: passhash.Params{Time: 1, MemoryKiB: 1024},
		Now:  e.clock.Now,
	}
	if mod != nil {
		mod(&e.cfg)
	}
	e.svc = e.newService()
	mux := http.NewServeMux()
	mux.Handle(sts.DefaultPrefix+"/", http.StripPrefix(sts.DefaultPrefix, e.svc.Handler()))
	mu.Lock()
	h = mux
	mu.Unlock()
	return e
}

// newService returns another service on the same store and config, as a
// second node or a restarted one would have.
func (e *env) newService() *sts.Service {
	e.t.Helper()
	svc, err := sts.New(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// user creates a user with a generated secret and returns the secret.
func (e *env) user(name string, groups ...string) (sts.User, string) {
	e.t.Helper()
	u, secret, err := e.svc.CreateUser(e.t.Context(), sts.UserOptions{Name: name, GenerateSecret: true, Groups: groups})
	if err != nil {
		e.t.Fatal(err)
	}
	if secret == "" {
		e.t.Fatal("no generated secret")
	}
	return u, secret
}

// response is a token endpoint answer.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r response) token() string {
	s, _ := r.body["access_token"].(string)
	return s
}

// post sends a token request; body is url.Values (form) or any other
// value (JSON).
func (e *env) post(body any, hdr map[string]string) response {
	e.t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ct = strings.NewReader(b), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.cfg.Issuer+"/token", rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (e *env) get(u string) response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodGet, u, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

// passwordToken gets a token with the password grant.
func (e *env) passwordToken(name, secret string, extra url.Values) string {
	e.t.Helper()
	v := url.Values{"grant_type": {"password"}, "username": {name}, "password": {secret}}
	for k, vs := range extra {
		v[k] = vs
	}
	r := e.post(v, nil)
	if r.status != http.StatusOK || r.token() == "" {
		e.t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return r.token()
}

// discover fetches the discovery document and the JWKS it names, as a
// relying party does.
func (e *env) discover() jose.JSONWebKeySet {
	e.t.Helper()
	d := e.get(e.cfg.Issuer + "/.well-known/openid-configuration")
	if d.status != http.StatusOK {
		e.t.Fatalf("discovery: %d %s", d.status, d.raw)
	}
	if d.body["issuer"] != e.cfg.Issuer {
		e.t.Fatalf("discovery issuer %v, want %s", d.body["issuer"], e.cfg.Issuer)
	}
	jwksURI, _ := d.body["jwks_uri"].(string)
	if !strings.HasPrefix(jwksURI, e.cfg.Issuer+"/") {
		e.t.Fatalf("jwks_uri %q outside the issuer", jwksURI)
	}
	j := e.get(jwksURI)
	if j.status != http.StatusOK {
		e.t.Fatalf("jwks: %d %s", j.status, j.raw)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(j.raw), &set); err != nil {
		e.t.Fatal(err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			e.t.Fatalf("JWKS publishes a private or symmetric key (kid %s)", k.KeyID)
		}
	}
	return set
}

// verify checks tok against set the way a relying party would (only the
// algorithms asymmetric keys allow, kid lookup, exact iss and aud, exp and
// nbf at now) and returns its claims.
func verify(tok string, set jose.JSONWebKeySet, issuer string, now time.Time) (map[string]any, error) {
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("%d signatures", len(jws.Signatures))
	}
	h := jws.Signatures[0].Header
	ks := set.Key(h.KeyID)
	if h.KeyID == "" || len(ks) != 1 {
		return nil, fmt.Errorf("kid %q not in the JWKS", h.KeyID)
	}
	if ks[0].Algorithm != h.Algorithm {
		return nil, fmt.Errorf("alg %s, key is for %s", h.Algorithm, ks[0].Algorithm)
	}
	payload, err := jws.Verify(ks[0].Key)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return checkClaims(payload, issuer, now)
}

func checkClaims(payload []byte, issuer string, now time.Time) (map[string]any, error) {
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	exp, _ := c["exp"].(float64)
	nbf, _ := c["nbf"].(float64)
	switch {
	case c["iss"] != issuer:
		return nil, fmt.Errorf("iss %v", c["iss"])
	case c["aud"] != audience:
		return nil, fmt.Errorf("aud %v", c["aud"])
	case now.Unix() >= int64(exp):
		return nil, fmt.Errorf("expired")
	case now.Unix() < int64(nbf):
		return nil, fmt.Errorf("not yet valid")
	}
	return c, nil
}

// header decodes a token's protected header.
func header(t *testing.T, tok string) jose.Header {
	t.Helper()
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header
}
