package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

var b64 = base64.RawURLEncoding

// parts splits a compact token into its decoded header and payload.
func parts(t *testing.T, tok string) (header, payload map[string]any) {
	t.Helper()
	s := strings.Split(tok, ".")
	for i, dst := range []*map[string]any{&header, &payload} {
		raw, err := b64.DecodeString(s[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload
}

func enc(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(b)
}

// hs256 signs header.payload with key as an HMAC secret.
func hs256(t *testing.T, header, payload map[string]any, key []byte) string {
	in := enc(t, header) + "." + enc(t, payload)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(in))
	return in + "." + b64.EncodeToString(m.Sum(nil))
}

// signWith signs payload with an attacker's RSA key under extra headers.
func signWith(t *testing.T, key *rsa.PrivateKey, payload map[string]any, extra map[jose.HeaderKey]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	for k, v := range extra {
		opts = opts.WithHeader(k, v)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(payload)
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

// tokenVia requests a token from svc through a request to host, for
// another issuer or audience.
func tokenVia(t *testing.T, svc *identity.Service, host, audience, clientID, secret string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {audience + "/.default"}}
	r := httptest.NewRequest(http.MethodPost, "https://"+host+"/"+identitytest.Tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Forwarded-Proto", "https")
	w := httptest.NewRecorder()
	svc.Handler().ServeHTTP(w, r)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &body) != nil {
		t.Fatalf("token via %s: %d %s", host, w.Code, w.Body.String())
	}
	return body.AccessToken
}

func newJWT(t testing.TB, env *identitytest.Env, now func() time.Time) *auth.JWT {
	t.Helper()
	if now == nil {
		now = env.Clock.Now
	}
	j, err := auth.NewJWT(auth.JWTConfig{Keys: env.Svc, Directory: env.Svc, Issuers: []string{env.Issuer()},
		Audience: identitytest.Audience, TenantID: identitytest.Tenant, Realm: "lockstream-test", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// serve answers 200 with the principal id, or 401 with a challenge, as the
// API server is expected to.
func serve(j *auth.JWT, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "https://api.lockstream.test/subscriptions", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	p, err := j.Authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", auth.Challenge(j.Realm(), err))
		w.WriteHeader(http.StatusUnauthorized)
		return w
	}
	_, _ = w.WriteString(p.ID)
	return w
}

func TestJWT(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, nil)
	clientID, secret := env.NewClient(t, "Reader", "*", "Media Operator", acct)
	valid := env.Token(t, nil, clientID, secret)
	h, payload := parts(t, valid)
	kid := h["kid"].(string)
	if h["alg"] != "RS256" || h["typ"] != "JWT" || kid == "" {
		t.Fatalf("header %v", h)
	}
	set, err := env.Svc.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub := set.Key(kid)[0].Key.(*rsa.PublicKey)
	der, _ := x509.MarshalPKIXPublicKey(rsaPub)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	attacker, _ := rsa.GenerateKey(rand.Reader, 2048)
	attackerJWK := jose.JSONWebKey{Key: &attacker.PublicKey, Algorithm: "RS256"}

	other := env.Another(t, func(c *identity.Config) { c.Audience = "https://other.lockstream.test" })
	later := func(d time.Duration) func() time.Time { return func() time.Time { return env.Clock.Now().Add(d) } }

	tests := []struct {
		name  string
		token func(t *testing.T) string
		now   func() time.Time
		want  string // "" for success, else part of the error description
	}{
		{name: "valid", token: func(*testing.T) string { return valid }},
		{name: "valid within leeway after exp", token: func(*testing.T) string { return valid }, now: later(time.Hour + 20*time.Second)},
		{name: "expired", token: func(*testing.T) string { return valid }, now: later(time.Hour + 31*time.Second), want: "token expired"},
		{name: "not yet valid", token: func(*testing.T) string { return valid }, now: later(-2 * time.Minute), want: "not yet valid"},
		{name: "wrong audience", token: func(t *testing.T) string {
			return tokenVia(t, other, identitytest.Host, "https://other.lockstream.test", clientID, secret)
		}, want: "wrong audience"},
		{name: "wrong issuer", token: func(t *testing.T) string {
			return tokenVia(t, env.Svc, "evil.example", identitytest.Audience, clientID, secret)
		}, want: "wrong issuer"},
		{name: "alg none", token: func(t *testing.T) string {
			return enc(t, map[string]any{"alg": "none", "typ": "JWT", "kid": kid}) + "." + enc(t, payload) + "."
		}, want: "malformed token"},
		{name: "alg None with signature", token: func(t *testing.T) string {
			return enc(t, map[string]any{"alg": "None", "typ": "JWT", "kid": kid}) + "." + enc(t, payload) + ".AAAA"
		}, want: "algorithm not accepted"},
		{name: "HS256 keyed with the RSA public key (DER)", token: func(t *testing.T) string {
			return hs256(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}, payload, der)
		}, want: "algorithm not accepted"},
		{name: "HS256 keyed with the RSA public key (PEM)", token: func(t *testing.T) string {
			return hs256(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}, payload, pemBytes)
		}, want: "algorithm not accepted"},
		{name: "unknown kid", token: func(t *testing.T) string {
			return signWith(t, attacker, payload, map[jose.HeaderKey]any{"kid": "not-a-key"})
		}, want: "unknown signing key"},
		{name: "kid injection", token: func(t *testing.T) string {
			return signWith(t, attacker, payload, map[jose.HeaderKey]any{"kid": "../../x' OR 1=1 --"})
		}, want: "unknown signing key"},
		{name: "attacker key under the real kid", token: func(t *testing.T) string {
			return signWith(t, attacker, payload, map[jose.HeaderKey]any{"kid": kid})
		}, want: "invalid signature"},
		{name: "embedded jwk header", token: func(t *testing.T) string {
			return signWith(t, attacker, payload, map[jose.HeaderKey]any{"kid": kid, "jwk": attackerJWK})
		}, want: "malformed token"},
		{name: "jku header", token: func(t *testing.T) string {
			return signWith(t, attacker, payload, map[jose.HeaderKey]any{"kid": kid, "jku": "https://attacker.example/keys"})
		}, want: "malformed token"},
		{name: "unknown crit", token: func(t *testing.T) string {
			return signWith(t, attacker, payload, map[jose.HeaderKey]any{"kid": kid, "crit": []string{"x"}, "x": 1})
		}, want: "malformed token"},
		{name: "tampered payload", token: func(t *testing.T) string {
			p := map[string]any{}
			for k, v := range payload {
				p[k] = v
			}
			p["roles"] = []string{"Owner"}
			s := strings.Split(valid, ".")
			return s[0] + "." + enc(t, p) + "." + s[2]
		}, want: "invalid signature"},
		{name: "truncated signature", token: func(*testing.T) string { return valid[:len(valid)-10] }, want: "invalid signature"},
		{name: "oversized", token: func(*testing.T) string { return valid + strings.Repeat("A", 9000) }, want: "token too large"},
		{name: "many dots", token: func(*testing.T) string { return strings.Repeat(".", 5000) }, want: "malformed token"},
		{name: "garbage", token: func(*testing.T) string { return "not a token" }, want: "malformed token"},
		{name: "deleted principal", token: func(t *testing.T) string {
			id, sec := env.NewClient(t, "Owner", "*")
			tok := env.Token(t, nil, id, sec)
			if err := env.Svc.DeletePrincipal(ctx, id); err != nil {
				t.Fatal(err)
			}
			return tok
		}, want: "principal no longer exists"},
		{name: "principal deleted and created again", token: func(t *testing.T) string {
			const boot, bootSecret = "bootstrap-admin", "correct horse battery staple"
			if err := env.Svc.EnsureBootstrap(ctx, boot, bootSecret); err != nil {
				t.Fatal(err)
			}
			tok := env.Token(t, nil, boot, bootSecret)
			if err := env.Svc.DeletePrincipal(ctx, boot); err != nil {
				t.Fatal(err)
			}
			if err := env.Svc.EnsureBootstrap(ctx, boot, bootSecret); err != nil {
				t.Fatal(err)
			}
			return tok
		}, want: "principal no longer exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJWT(t, env, tt.now)
			tok := tt.token(t)
			w := serve(j, tok)
			p, err := j.Verify(ctx, tok)
			if tt.want == "" {
				if w.Code != 200 || err != nil {
					t.Fatalf("status %d, err %v", w.Code, err)
				}
				if p.ID != clientID || p.Type != "Application" || p.ObjectID == "" || len(p.Roles) != 2 {
					t.Fatalf("principal %+v", p)
				}
				if !auth.Allowed(p, acct, "assets", auth.Write) || auth.Allowed(p, otherAcct, "assets", auth.Write) {
					t.Fatalf("roles not applied: %+v", p.Roles)
				}
				return
			}
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", w.Code)
			}
			var te *auth.TokenError
			if !errors.Is(err, auth.ErrUnauthenticated) || !errors.As(err, &te) || te.Code != "invalid_token" {
				t.Fatalf("err %v, want an invalid_token TokenError", err)
			}
			if !strings.Contains(te.Description, tt.want) {
				t.Errorf("description %q, want %q (reason %q)", te.Description, tt.want, te.Reason)
			}
			ch := w.Header().Get("WWW-Authenticate")
			if !strings.HasPrefix(ch, `Bearer realm="lockstream-test", error="invalid_token", error_description="`) {
				t.Errorf("WWW-Authenticate %q", ch)
			}
			if strings.Contains(te.Error(), tok) {
				t.Error("error text contains the token")
			}
		})
	}
}

func TestJWTNoToken(t *testing.T) {
	env := identitytest.New(t, nil)
	j := newJWT(t, env, nil)
	for name, h := range map[string]string{"none": "", "basic": "Basic eDp5", "empty bearer": "Bearer "} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if h != "" {
				r.Header.Set("Authorization", h)
			}
			_, err := j.Authenticate(r)
			if !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("err %v", err)
			}
			ch := auth.Challenge(j.Realm(), err)
			if name == "empty bearer" {
				if !strings.Contains(ch, `error="invalid_token"`) {
					t.Errorf("challenge %q", ch)
				}
			} else if ch != `Bearer realm="lockstream-test"` {
				t.Errorf("challenge %q, want no error code without credentials (RFC 6750 §3.1)", ch)
			}
		})
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Add("Authorization", "Bearer a.b.c")
	r.Header.Add("Authorization", "Bearer d.e.f")
	if _, err := j.Authenticate(r); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("two Authorization headers: %v", err)
	}
}

func TestChallengeEscapes(t *testing.T) {
	got := auth.Challenge(`re"al\m`, &auth.TokenError{Code: "invalid_token", Description: "bad \"x\"\n"})
	want := `Bearer realm="realm", error="invalid_token", error_description="bad x"`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := auth.Challenge("r", errors.New("other")); got != `Bearer realm="r", error="invalid_token"` {
		t.Errorf("got %q", got)
	}
}

func TestNewJWTValidates(t *testing.T) {
	env := identitytest.New(t, nil)
	base := auth.JWTConfig{Keys: env.Svc, Directory: env.Svc, Issuers: []string{"i"}, Audience: "a"}
	for name, edit := range map[string]func(*auth.JWTConfig){
		"no keys":      func(c *auth.JWTConfig) { c.Keys = nil },
		"no directory": func(c *auth.JWTConfig) { c.Directory = nil },
		"no issuer":    func(c *auth.JWTConfig) { c.Issuers = nil },
		"empty issuer": func(c *auth.JWTConfig) { c.Issuers = []string{""} },
		"no audience":  func(c *auth.JWTConfig) { c.Audience = "" },
		"huge leeway":  func(c *auth.JWTConfig) { c.Leeway = 2 * time.Minute },
	} {
		c := base
		edit(&c)
		if _, err := auth.NewJWT(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
