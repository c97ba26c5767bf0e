package sts_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/sts"
)

// TestTokenVerifiesThroughDiscovery gets a token with a user's password
// and verifies it as a relying party would: discovery document, then its
// JWKS, then the signature by kid. The claims come from the store.
func TestTokenVerifiesThroughDiscovery(t *testing.T) {
	for _, alg := range []string{sts.AlgRS256, sts.AlgES256} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, func(c *sts.Config) { c.Keys.Algorithm = alg })
			u, secret := e.user("alice@example.com", "premium", "beta")
			if _, err := e.svc.SetClaim(t.Context(), u.Name, "tier", json.RawMessage(`"gold"`)); err != nil {
				t.Fatal(err)
			}
			tok := e.passwordToken(u.Name, secret, nil)
			h := header(t, tok)
			if h.Algorithm != alg || h.KeyID == "" || h.ExtraHeaders["typ"] != "JWT" {
				t.Fatalf("header %+v", h)
			}
			c, err := verify(tok, e.discover(), e.cfg.Issuer, e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			groups, _ := c["groups"].([]any)
			if c["sub"] != u.ID || len(groups) != 2 || groups[0] != "beta" || groups[1] != "premium" || c["tier"] != "gold" {
				t.Fatalf("claims %v", c)
			}
			if c["exp"].(float64)-c["iat"].(float64) != time.Hour.Seconds() || c["jti"] == "" {
				t.Fatalf("lifetime or jti: %v", c)
			}
			if _, ok := c[sts.MaxUsesClaim]; ok {
				t.Fatal("maxuses without asking")
			}
			// Two tokens for one user differ (max-uses counters are per
			// signature).
			if tok2 := e.passwordToken(u.Name, secret, nil); tok2 == tok {
				t.Fatal("two identical tokens")
			}
		})
	}
}

// TestTokenOptions asks for maxuses and a key binding, in both body
// encodings and with HTTP Basic.
func TestTokenOptions(t *testing.T) {
	e := newEnv(t, nil)
	u, secret := e.user("bob")
	kid := "0f0e0d0c-0b0a-0908-0706-050403020100"
	tests := []struct {
		name   string
		body   any
		hdr    map[string]string
		uses   string
		keyID  string
		maxExp time.Duration
	}{
		{"form password", url.Values{"grant_type": {"password"}, "username": {"BOB"}, "password": {secret},
			"maxuses": {"3"}, "contentkeyidentifier": {strings.ToUpper(kid)}}, nil, "3", kid, sts.MaxUsesLifetime},
		{"json client credentials", map[string]any{"grant_type": "client_credentials", "client_id": "bob", "client_secret": secret,
			"maxuses": 7}, nil, "7", "", sts.MaxUsesLifetime},
		{"json maxuses string", map[string]any{"grant_type": "password", "username": "bob", "password": secret,
			"maxuses": "2", "scope": "openid"}, nil, "2", "", sts.MaxUsesLifetime},
		{"basic", url.Values{"grant_type": {"client_credentials"}, "contentkeyidentifier": {kid}},
			map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:"+secret))}, "", kid, time.Hour},
	}
	set := e.discover()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(tt.body, tt.hdr)
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if r.header.Get("Cache-Control") != "no-store" || r.body["token_type"] != "Bearer" {
				t.Fatalf("response %v %v", r.header, r.body)
			}
			c, err := verify(r.token(), set, e.cfg.Issuer, e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := c[sts.MaxUsesClaim].(string); got != tt.uses {
				t.Errorf("maxuses %v, want %q", c[sts.MaxUsesClaim], tt.uses)
			}
			if got, _ := c[sts.ContentKeyIDClaim].(string); got != tt.keyID {
				t.Errorf("contentkeyidentifier %v, want %q", c[sts.ContentKeyIDClaim], tt.keyID)
			}
			life := time.Duration(c["exp"].(float64)-c["iat"].(float64)) * time.Second
			if life != tt.maxExp || r.body["expires_in"] != tt.maxExp.Seconds() {
				t.Errorf("lifetime %v, expires_in %v; want %v", life, r.body["expires_in"], tt.maxExp)
			}
			if c["sub"] != u.ID {
				t.Errorf("sub %v", c["sub"])
			}
		})
	}
}

// TestRefused checks that nobody gets a token without valid credentials,
// and that malformed requests are refused before anything is checked.
func TestRefused(t *testing.T) {
	e := newEnv(t, nil)
	_, secret := e.user("carol")
	if _, _, err := e.svc.CreateUser(t.Context(), sts.UserOptions{Name: "nosecret"}); err != nil {
		t.Fatal(err)
	}
	basic := func(u, p string) map[string]string {
		return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))}
	}
	pw := func(u, p string) url.Values {
		return url.Values{"grant_type": {"password"}, "username": {u}, "password": {p}}
	}
	tests := []struct {
		name   string
		body   any
		hdr    map[string]string
		status int
		code   string
	}{
		{"no credentials", url.Values{"grant_type": {"password"}}, nil, 401, "invalid_client"},
		{"user without password", url.Values{"grant_type": {"password"}, "username": {"carol"}}, nil, 401, "invalid_client"},
		{"wrong password", pw("carol", secret+"x"), nil, 401, "invalid_client"},
		{"unknown user", pw("mallory", secret), nil, 401, "invalid_client"},
		{"user without secret", pw("nosecret", "whatever-long-enough"), nil, 401, "invalid_client"},
		{"invalid user name", pw("../carol", secret), nil, 401, "invalid_client"},
		{"wrong client secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"carol"}, "client_secret": {"nope"}}, nil, 401, "invalid_client"},
		{"basic wrong", url.Values{"grant_type": {"client_credentials"}}, basic("carol", "nope"), 401, "invalid_client"},
		{"basic garbage", url.Values{"grant_type": {"client_credentials"}}, map[string]string{"Authorization": "Basic !!!"}, 401, "invalid_client"},
		{"other scheme", url.Values{"grant_type": {"client_credentials"}}, map[string]string{"Authorization": "Digest x"}, 401, "invalid_client"},
		{"bearer without operators", url.Values{"grant_type": {sts.GrantOnBehalfOf}, "user": {"carol"}}, map[string]string{"Authorization": "Bearer x"}, 400, "unsupported_grant_type"},
		{"on behalf without bearer", url.Values{"grant_type": {sts.GrantOnBehalfOf}, "user": {"carol"}}, nil, 401, "invalid_client"},
		{"bearer with password grant", pw("carol", ""), map[string]string{"Authorization": "Bearer x"}, 400, "invalid_request"},
		{"basic and body secret", pw("carol", secret), basic("carol", secret), 400, "invalid_request"},
		{"no grant", url.Values{"username": {"carol"}, "password": {secret}}, nil, 400, "invalid_request"},
		{"unknown grant", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, nil, 400, "invalid_request"},
		{"unsupported grant", url.Values{"grant_type": {"implicit"}}, nil, 400, "unsupported_grant_type"},
		{"unknown parameter", url.Values{"grant_type": {"password"}, "username": {"carol"}, "password": {secret}, "maxUses": {"1"}}, nil, 400, "invalid_request"},
		{"repeated parameter", "grant_type=password&username=carol&password=" + url.QueryEscape(secret) + "&maxuses=1&maxuses=100", nil, 400, "invalid_request"},
		{"json unknown member", map[string]any{"grant_type": "password", "username": "carol", "password": secret, "max_uses": 1}, nil, 400, "invalid_request"},
		{"json not an object", []string{"password"}, nil, 400, "invalid_request"},
		{"maxuses zero", url.Values{"grant_type": {"password"}, "username": {"carol"}, "password": {secret}, "maxuses": {"0"}}, nil, 400, "invalid_request"},
		{"maxuses too large", url.Values{"grant_type": {"password"}, "username": {"carol"}, "password": {secret}, "maxuses": {"10001"}}, nil, 400, "invalid_request"},
		{"maxuses fraction", map[string]any{"grant_type": "password", "username": "carol", "password": secret, "maxuses": 1.5}, nil, 400, "invalid_request"},
		{"bad key id", url.Values{"grant_type": {"password"}, "username": {"carol"}, "password": {secret}, "contentkeyidentifier": {"nb:kid:x"}}, nil, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(tt.body, tt.hdr)
			if r.status != tt.status || r.body["error"] != tt.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.raw, tt.status, tt.code)
			}
			if r.token() != "" || strings.Contains(r.raw, "eyJ") {
				t.Fatalf("refused request got a token: %s", r.raw)
			}
			if tt.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without a challenge")
			}
		})
	}

	// Credentials in the URL are refused even when right.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.cfg.Issuer+"/token?"+pw("carol", secret).Encode(), nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := e.do(req); r.status != 400 || r.token() != "" {
		t.Fatalf("query credentials: %d %s", r.status, r.raw)
	}
	// Other methods and paths.
	if r := e.get(e.cfg.Issuer + "/token"); r.status != 405 || r.header.Get("Allow") != "POST" {
		t.Fatalf("GET /token: %d %v", r.status, r.header)
	}
	if r := e.get(e.cfg.Issuer + "/nope"); r.status != 404 {
		t.Fatalf("GET /nope: %d", r.status)
	}
	if strings.Contains(e.logs.String(), secret) {
		t.Fatal("a secret was logged")
	}
}

// fakeOperators accepts the bearer tokens "owner" (Owner on *) and
// "reader" (Reader on *).
type fakeOperators struct{}

func (fakeOperators) Authenticate(r *http.Request) (auth.Principal, error) {
	switch r.Header.Get("Authorization") {
	case "Bearer owner":
		return auth.Principal{ID: "op", Roles: []auth.RoleAssignment{{Role: auth.RoleOwner, Scope: auth.ScopeAll}}}, nil
	case "Bearer reader":
		return auth.Principal{ID: "rd", Roles: []auth.RoleAssignment{{Role: auth.RoleReader, Scope: auth.ScopeAll}}}, nil
	}
	return auth.Principal{}, errors.New("bad token")
}

// TestOnBehalfOf gets tokens for a user that has no secret, as an
// operator's application would.
func TestOnBehalfOf(t *testing.T) {
	e := newEnv(t, func(c *sts.Config) { c.Operators = fakeOperators{} })
	u, _, err := e.svc.CreateUser(t.Context(), sts.UserOptions{Name: "dave", Groups: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	obo := func(user string) url.Values {
		return url.Values{"grant_type": {sts.GrantOnBehalfOf}, "user": {user}, "maxuses": {"1"}}
	}
	tests := []struct {
		name   string
		bearer string
		user   string
		status int
	}{
		{"owner", "owner", "dave", 200},
		{"reader", "reader", "dave", 403},
		{"bad token", "forged", "dave", 401},
		{"unknown user", "owner", "erin", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(obo(tt.user), map[string]string{"Authorization": "Bearer " + tt.bearer})
			if r.status != tt.status {
				t.Fatalf("%d %s, want %d", r.status, r.raw, tt.status)
			}
			if tt.status != 200 {
				if r.token() != "" {
					t.Fatal("refused request got a token")
				}
				return
			}
			c, err := verify(r.token(), e.discover(), e.cfg.Issuer, e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if c["sub"] != u.ID || c[sts.MaxUsesClaim] != "1" || !slices.Equal(c["groups"].([]any), []any{"vip"}) {
				t.Fatalf("claims %v", c)
			}
		})
	}
	d := e.get(e.cfg.Issuer + "/.well-known/openid-configuration")
	if !strings.Contains(d.raw, sts.GrantOnBehalfOf) {
		t.Fatalf("discovery lacks the on-behalf-of grant: %s", d.raw)
	}
}

// TestHS256 signs with the configured key, which verifies the token; the
// key is never published.
func TestHS256(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	e := newEnv(t, func(c *sts.Config) { c.Keys.Algorithm, c.Keys.HMACKey = sts.AlgHS256, key })
	u, secret := e.user("frank", "g")
	tok := e.passwordToken(u.Name, secret, nil)
	if set := e.discover(); len(set.Keys) != 0 {
		t.Fatalf("JWKS publishes %d keys under HS256", len(set.Keys))
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	if h := jws.Signatures[0].Header; h.KeyID == "" || h.Algorithm != "HS256" {
		t.Fatalf("header %+v", h)
	}
	payload, err := jws.Verify(key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify([]byte("0123456789abcdef0123456789abcdeX")); err == nil {
		t.Fatal("verified with another key")
	}
	c, err := checkClaims(payload, e.cfg.Issuer, e.clock.Now())
	if err != nil || c["sub"] != u.ID {
		t.Fatalf("claims %v, %v", c, err)
	}
	if _, err := e.svc.Rotate(t.Context()); err == nil {
		t.Fatal("Rotate under HS256 succeeded")
	}
}

func TestConfigRefused(t *testing.T) {
	tests := []struct {
		name string
		mod  func(c *sts.Config)
	}{
		{"no issuer", func(c *sts.Config) { c.Issuer = "" }},
		{"relative issuer", func(c *sts.Config) { c.Issuer = "/sts" }},
		{"issuer with query", func(c *sts.Config) { c.Issuer = "https://x/sts?a=b" }},
		{"no audience", func(c *sts.Config) { c.Audience = "" }},
		{"short HMAC key", func(c *sts.Config) { c.Keys.Algorithm, c.Keys.HMACKey = sts.AlgHS256, []byte("short") }},
		{"HMAC key with RS256", func(c *sts.Config) { c.Keys.HMACKey = make([]byte, 32) }},
		{"small RSA", func(c *sts.Config) { c.Keys.RSABits = 1024 }},
		{"unknown algorithm", func(c *sts.Config) { c.Keys.Algorithm = "none" }},
		{"short overlap", func(c *sts.Config) { c.Keys.Overlap = time.Minute }},
		{"long lifetime", func(c *sts.Config) { c.TokenLifetime = 48 * time.Hour }},
	}
	e := newEnv(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.cfg
			tt.mod(&c)
			if _, err := sts.New(c); err == nil {
				t.Fatal("New accepted the config")
			}
		})
	}
}
