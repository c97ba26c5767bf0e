package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// authPath is the management route the 401 tests call: a read any role
// with access to the account may make, so that only authentication can
// refuse it.
var authPath = a("/assets")

// send makes a GET of authPath with each of authz as an Authorization
// header (none when empty).
func (ts *testServer) send(t *testing.T, authz ...string) *response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.HTTP.URL+authPath+"?"+av, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range authz {
		req.Header.Add("Authorization", h)
	}
	res, err := ts.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// mustAccept asserts that tok is accepted on authPath, so that a 401 for a
// variant of it is down to the variation.
func (ts *testServer) mustAccept(t *testing.T, what, tok string) {
	t.Helper()
	if r := ts.send(t, "Bearer "+tok); r.Status != http.StatusOK {
		t.Fatalf("%s: status %d, want 200; body: %s", what, r.Status, r.Body)
	}
}

// check401 asserts an RFC 6750 refusal: 401, the ARM error body with code
// AuthenticationFailed, and WWW-Authenticate: Bearer realm="lockstream"
// with error="invalid_token" and an error_description containing desc, or
// with no error code at all when desc is "" (no bearer credentials, RFC
// 6750 §3.1). Neither the response nor the server log may contain secret.
func check401(t *testing.T, ts *testServer, r *response, desc, secret string) {
	t.Helper()
	checkError(t, r, http.StatusUnauthorized, "AuthenticationFailed")
	ch := r.Header.Values("WWW-Authenticate")
	if len(ch) != 1 {
		t.Fatalf("WWW-Authenticate %q, want one challenge", ch)
	}
	if desc == "" {
		if ch[0] != `Bearer realm="lockstream"` {
			t.Errorf(`WWW-Authenticate %q, want Bearer realm="lockstream" without an error code`, ch[0])
		}
	} else {
		const prefix = `Bearer realm="lockstream", error="invalid_token", error_description="`
		if !strings.HasPrefix(ch[0], prefix) || !strings.HasSuffix(ch[0], `"`) {
			t.Errorf("WWW-Authenticate %q, want %s…\"", ch[0], prefix)
		} else if d := strings.TrimSuffix(strings.TrimPrefix(ch[0], prefix), `"`); !strings.Contains(d, desc) {
			t.Errorf("error_description %q, want it to say %q", d, desc)
		}
	}
	if secret != "" {
		if strings.Contains(string(r.Body), secret) || strings.Contains(strings.Join(ch, " "), secret) {
			t.Error("the response echoes the credential")
		}
		if strings.Contains(ts.log.String(), secret) {
			t.Error("the server log contains the credential")
		}
	}
}

// checkReason asserts that the verifier logged a rejection whose reason
// starts with reason since the server log had mark bytes: the error
// description alone does not tell nbf from iat, or one kid from another.
func checkReason(t *testing.T, ts *testServer, mark int, reason string) {
	t.Helper()
	// The text handler quotes the value as strconv.Quote does.
	quoted := strings.TrimSuffix(strconv.Quote(reason), `"`)
	if l := ts.log.String()[mark:]; !strings.Contains(l, `msg="bearer token rejected" reason=`+quoted) {
		t.Errorf("the server log has no rejection with reason %q:\n%s", reason, l)
	}
}

var b64url = base64.RawURLEncoding

// tokenParts decodes a compact token's header and payload.
func tokenParts(t *testing.T, tok string) (header, payload map[string]any, sig string) {
	t.Helper()
	s := strings.Split(tok, ".")
	if len(s) != 3 {
		t.Fatalf("token has %d parts", len(s))
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		raw, err := b64url.DecodeString(s[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload, s[2]
}

func encSegment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64url.EncodeToString(b)
}

// hmacToken "signs" header.payload with HS256 under key.
func hmacToken(t *testing.T, header, payload map[string]any, key []byte) string {
	t.Helper()
	in := encSegment(t, header) + "." + encSegment(t, payload)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(in))
	return in + "." + b64url.EncodeToString(m.Sum(nil))
}

// signRS256 signs payload with key under the given kid.
func signRS256(t *testing.T, key *rsa.PrivateKey, kid string, payload map[string]any) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := sig.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tokenFrom requests a client-credentials token from svc's real token
// endpoint as host, for audience.
func tokenFrom(t *testing.T, svc *identity.Service, host, audience, clientID, secret string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {audience + "/.default"}}
	r := httptest.NewRequest(http.MethodPost, "https://"+host+"/"+identitytest.Tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Forwarded-Proto", "https")
	w := httptest.NewRecorder()
	svc.Handler().ServeHTTP(w, r)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &body) != nil || body.AccessToken == "" {
		t.Fatalf("token from %s for %s: %d %s", host, audience, w.Code, w.Body.String())
	}
	return body.AccessToken
}

// TestAuth401Credentials: requests without a usable bearer token are 401
// with an RFC 6750 challenge, including the client id and secret of the
// bootstrap Owner presented directly: only tokens authenticate.
func TestAuth401Credentials(t *testing.T) {
	ts := newTestServer(t)
	ts.mustAccept(t, "the bootstrap Owner's token", strings.TrimPrefix(ts.bearer, "Bearer "))
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testClientID+":"+ts.bootstrapSecret))
	tests := []struct {
		name  string
		authz []string
		desc  string // "" when no error code is due
	}{
		{name: "no Authorization header", desc: ""},
		{name: "Basic scheme with the bootstrap credentials", authz: []string{basic}, desc: ""},
		{name: "bootstrap client id and secret as bearer", authz: []string{"Bearer " + testClientID + ":" + ts.bootstrapSecret}, desc: "malformed token"},
		{name: "empty bearer", authz: []string{"Bearer"}, desc: "malformed Authorization header"},
		{name: "bearer with spaces inside", authz: []string{"Bearer a b c"}, desc: "malformed token"},
		{name: "two Authorization headers", authz: []string{ts.bearer, ts.bearer}, desc: "malformed Authorization header"},
		{name: "not a JWT", authz: []string{"Bearer not-a-token"}, desc: "malformed token"},
		{name: "oversized", authz: []string{ts.bearer + strings.Repeat("A", 9000)}, desc: "token too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check401(t, ts, ts.send(t, tt.authz...), tt.desc, ts.bootstrapSecret)
		})
	}
}

// TestAuth401Tokens: tokens that are expired, not yet valid, for another
// audience or issuer, unsigned, signed with the wrong algorithm or key,
// tampered with, or of a deleted principal are refused over HTTP with 401
// invalid_token, for reads and writes. Each starts from a token the server
// accepts.
func TestAuth401Tokens(t *testing.T) {
	ctx := context.Background()
	ts := newTestServer(t)
	env := ts.Identity
	clock := env.Clock
	readerID, readerSecret, valid := ts.newPrincipal("Reader", "*")
	ts.mustAccept(t, "a Reader token", valid)
	h, payload, sig := tokenParts(t, valid)
	kid, _ := h["kid"].(string)
	if h["alg"] != "RS256" || kid == "" {
		t.Fatalf("token header %v", h)
	}
	_, bootClaims, _ := tokenParts(t, strings.TrimPrefix(ts.bearer, "Bearer "))

	// The public key, as anyone can fetch it from the JWKS.
	set, err := env.Svc.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Key(kid)) != 1 {
		t.Fatalf("kid %s not in the JWKS", kid)
	}
	pub, ok := set.Key(kid)[0].Key.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("JWKS key is a %T", set.Key(kid)[0].Key)
	}
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pkixPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	pkcs1 := x509.MarshalPKCS1PublicKey(pub)
	attacker, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	withClaims := func(edit map[string]any) map[string]any {
		p := map[string]any{}
		for k, v := range payload {
			p[k] = v
		}
		for k, v := range edit {
			p[k] = v
		}
		return p
	}
	tamper := func(t *testing.T, edit map[string]any) string {
		s := strings.Split(valid, ".")
		return s[0] + "." + encSegment(t, withClaims(edit)) + "." + s[2]
	}
	hs256 := func(key []byte) func(t *testing.T) (string, func()) {
		return func(t *testing.T) (string, func()) {
			return hmacToken(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}, payload, key), nil
		}
	}
	const otherAudience = "https://other.lockstream.test"
	other := env.Another(t, func(c *identity.Config) { c.Audience = otherAudience })

	tests := []struct {
		name string
		// token builds the token. It may move the clock, returning a
		// function that moves it back.
		token func(t *testing.T) (string, func())
		desc  string
		// reason, when set, is how the verifier's logged reason starts.
		reason string
	}{
		{name: "expired", desc: "token expired", reason: "exp ", token: func(*testing.T) (string, func()) {
			clock.Advance(time.Hour + 31*time.Second) // past exp and the 30 s leeway
			return valid, func() { clock.Advance(-(time.Hour + 31*time.Second)) }
		}},
		{name: "not yet valid", desc: "token not yet valid", reason: "nbf ", token: func(*testing.T) (string, func()) {
			clock.Advance(-2 * time.Minute) // nbf is the issue time, now 2 min ahead
			return valid, func() { clock.Advance(2 * time.Minute) }
		}},
		{name: "wrong audience", desc: "wrong audience", reason: "aud ", token: func(t *testing.T) (string, func()) {
			// Issued by the same identity service, signed with the same
			// key, for another API.
			return tokenFrom(t, other, identitytest.Host, otherAudience, readerID, readerSecret), nil
		}},
		{name: "wrong issuer", desc: "wrong issuer", reason: `iss "https://sts.evil.example/`, token: func(t *testing.T) (string, func()) {
			return tokenFrom(t, env.Svc, "sts.evil.example", identitytest.Audience, readerID, readerSecret), nil
		}},
		{name: "alg none without signature", desc: "malformed token", token: func(t *testing.T) (string, func()) {
			return encSegment(t, map[string]any{"alg": "none", "typ": "JWT", "kid": kid}) + "." + encSegment(t, payload) + ".", nil
		}},
		{name: "alg none with the original signature", desc: "signature algorithm not accepted", reason: `alg "none"`, token: func(t *testing.T) (string, func()) {
			return encSegment(t, map[string]any{"alg": "none", "typ": "JWT", "kid": kid}) + "." + encSegment(t, payload) + "." + sig, nil
		}},
		{name: "HS256 keyed with the RSA public key as PKIX DER", desc: "signature algorithm not accepted", reason: `alg "HS256"`, token: hs256(pkix)},
		{name: "HS256 keyed with the RSA public key as PEM", desc: "signature algorithm not accepted", reason: `alg "HS256"`, token: hs256(pkixPEM)},
		{name: "HS256 keyed with the RSA public key as PKCS1 DER", desc: "signature algorithm not accepted", reason: `alg "HS256"`, token: hs256(pkcs1)},
		{name: "unknown kid", desc: "unknown signing key", reason: `kid "not-a-key"`, token: func(t *testing.T) (string, func()) {
			return signRS256(t, attacker, "not-a-key", payload), nil
		}},
		{name: "attacker key under the real kid", desc: "invalid signature", token: func(t *testing.T) (string, func()) {
			return signRS256(t, attacker, kid, withClaims(map[string]any{"roles": []string{"Owner"}})), nil
		}},
		{name: "tampered roles claim", desc: "invalid signature", token: func(t *testing.T) (string, func()) {
			return tamper(t, map[string]any{"roles": []string{"Owner"}}), nil
		}},
		{name: "tampered appid and oid of the bootstrap Owner", desc: "invalid signature", token: func(t *testing.T) (string, func()) {
			return tamper(t, map[string]any{"appid": bootClaims["appid"], "azp": bootClaims["azp"], "oid": bootClaims["oid"], "sub": bootClaims["sub"]}), nil
		}},
		{name: "tampered exp", desc: "invalid signature", token: func(t *testing.T) (string, func()) {
			exp, _ := payload["exp"].(float64)
			return tamper(t, map[string]any{"exp": exp + 86400}), nil
		}},
		{name: "deleted principal", desc: "principal no longer exists", token: func(t *testing.T) (string, func()) {
			id, _, tok := ts.newPrincipal("Owner", "*")
			ts.mustAccept(t, "before the delete", tok)
			ts.mustDo(http.MethodDelete, sps+"/"+id, "", http.StatusOK) // as the bootstrap Owner, over HTTP
			return tok, nil
		}},
		{name: "principal deleted and created again under its client id", desc: "principal no longer exists", reason: `appid "second-admin": oid changed`,
			token: func(t *testing.T) (string, func()) {
				const id = "second-admin"
				secret := hex.EncodeToString(randBytes(t, 16))
				if err := env.Svc.EnsureBootstrap(ctx, id, secret); err != nil {
					t.Fatal(err)
				}
				tok := env.Token(t, nil, id, secret)
				ts.mustAccept(t, "before the delete", tok)
				ts.mustDo(http.MethodDelete, sps+"/"+id, "", http.StatusOK)
				if err := env.Svc.EnsureBootstrap(ctx, id, secret); err != nil {
					t.Fatal(err)
				}
				ts.mustAccept(t, "a token of the new principal", env.Token(t, nil, id, secret))
				return tok, nil
			}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := len(ts.log.String())
			tok, undo := tt.token(t)
			var once sync.Once
			restore := func() {
				if undo != nil {
					once.Do(undo)
				}
			}
			defer restore()
			check401(t, ts, ts.send(t, "Bearer "+tok), tt.desc, tok)
			// A write with the token is refused too, and writes nothing.
			path := a(fmt.Sprintf("/assets/refused%d", i))
			check401(t, ts, ts.do(http.MethodPut, path, av, map[string]string{"Authorization": "Bearer " + tok}, assetBody), tt.desc, tok)
			if tt.reason != "" {
				checkReason(t, ts, mark, tt.reason)
			}
			restore()
			if g := ts.call(http.MethodGet, path, ""); g.Status != http.StatusNotFound {
				t.Errorf("after the refused PUT, GET %s = %d, want 404", path, g.Status)
			}
		})
	}
	// Controls: the original token works again with the clock back, and
	// the leeway is honoured on both sides, so the time cases above were
	// refused for their time alone.
	ts.mustAccept(t, "the original token after the cases", valid)
	clock.Advance(time.Hour + 20*time.Second)
	ts.mustAccept(t, "20 s after exp, within the leeway", valid)
	clock.Advance(-(time.Hour + 20*time.Second) - 20*time.Second)
	ts.mustAccept(t, "20 s before nbf, within the leeway", valid)
	clock.Advance(20 * time.Second)
}

// TestAuth401RemovedKey: removing a signing key from the key set makes
// every token it signed 401 at once, while tokens of its replacement work.
func TestAuth401RemovedKey(t *testing.T) {
	ctx := context.Background()
	ts := newTestServer(t)
	clientID, secret, tok := ts.newPrincipal("Reader", "*")
	ts.mustAccept(t, "before the removal", tok)
	h, _, _ := tokenParts(t, tok)
	kid, _ := h["kid"].(string)

	mark := len(ts.log.String())
	if err := ts.Identity.Svc.RemoveKey(ctx, kid); err != nil {
		t.Fatal(err)
	}
	check401(t, ts, ts.send(t, "Bearer "+tok), "unknown signing key", tok)
	checkReason(t, ts, mark, `kid "`+kid+`"`)
	// The bootstrap Owner's token has the same key.
	check401(t, ts, ts.send(t, ts.bearer), "unknown signing key", "")

	fresh := ts.Identity.Token(t, nil, clientID, secret)
	if h, _, _ := tokenParts(t, fresh); h["kid"] == kid {
		t.Fatalf("a token issued after the removal is signed by the removed key %s", kid)
	}
	ts.mustAccept(t, "a token of the replacement key", fresh)
	set, err := ts.Identity.Svc.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Key(kid)) != 0 {
		t.Errorf("the removed key %s is still in the JWKS", kid)
	}
}

// TestAuthKeyRotation: a token issued before a key rotation keeps working
// after it until the token expires; the key leaves the key set once no
// token it signed can be valid.
func TestAuthKeyRotation(t *testing.T) {
	ctx := context.Background()
	ts := newTestServer(t)
	clock := ts.Identity.Clock
	clientID, secret, old := ts.newPrincipal("Reader", "*")
	h, _, _ := tokenParts(t, old)
	oldKID, _ := h["kid"].(string)
	ts.mustAccept(t, "before the rotation", old)

	newKID, err := ts.Identity.Svc.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if newKID == oldKID {
		t.Fatalf("rotation kept kid %s", oldKID)
	}
	ts.mustAccept(t, "right after the rotation", old)

	clock.Advance(10 * time.Minute)
	later := ts.Identity.Token(t, nil, clientID, secret)
	if h, _, _ := tokenParts(t, later); h["kid"] != newKID {
		t.Fatalf("token after the rotation has kid %v, want %s", h["kid"], newKID)
	}
	ts.mustAccept(t, "a token of the new key", later)
	ts.mustAccept(t, "10 min after the rotation", old)

	// Up to its exp (plus leeway) the old token works; past it, it is 401
	// for being expired, while the later token still works.
	clock.Advance(50*time.Minute + 20*time.Second)
	ts.mustAccept(t, "20 s after the old token's exp", old)
	clock.Advance(11 * time.Second)
	mark := len(ts.log.String())
	check401(t, ts, ts.send(t, "Bearer "+old), "token expired", old)
	checkReason(t, ts, mark, "exp ")
	ts.mustAccept(t, "the later token when the old one expired", later)

	// Past the overlap the old key is retired: gone from the JWKS and no
	// longer a verification key.
	clock.Advance(10 * time.Minute)
	set, err := ts.Identity.Svc.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Key(oldKID)) != 0 || len(set.Key(newKID)) != 1 {
		t.Errorf("JWKS after the overlap: old key listed %v, new key listed %v", len(set.Key(oldKID)) != 0, len(set.Key(newKID)) == 1)
	}
	mark = len(ts.log.String())
	check401(t, ts, ts.send(t, "Bearer "+old), "unknown signing key", old)
	checkReason(t, ts, mark, `kid "`+oldKID+`"`)
}

// TestAuthKeyRotatedOnAnotherNode: a key another node rotated in is
// picked up on first sight of its kid, without waiting for the cache.
func TestAuthKeyRotatedOnAnotherNode(t *testing.T) {
	ctx := context.Background()
	ts := newTestServer(t)
	clientID, secret, tok := ts.newPrincipal("Reader", "*")
	ts.mustAccept(t, "before the rotation", tok) // loads this node's key set
	node2 := ts.Identity.Another(t, nil)
	kid, err := node2.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fromNode2 := ts.Identity.Token(t, node2, clientID, secret)
	if h, _, _ := tokenParts(t, fromNode2); h["kid"] != kid {
		t.Fatalf("node 2 signed with %v, want its new key %s", h["kid"], kid)
	}
	ts.mustAccept(t, "a token of the key node 2 rotated in", fromNode2)
	ts.mustAccept(t, "the token from before the rotation", tok)
}
