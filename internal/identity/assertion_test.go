package identity_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
	"github.com/lockstream/lockstream/internal/store"
)

const tokenURL = "https://" + identitytest.Host + "/" + tenant + "/oauth2/v2.0/token"

func assertion(t *testing.T, key *rsa.PrivateKey, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	jws, err := sig.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := jws.CompactSerialize()
	return s
}

func assertionForm(clientID, a string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {identitytest.Audience + "/.default"},
		"client_id": {clientID}, "client_assertion": {a},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}
}

func TestClientAssertion(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, nil)
	now := env.Clock.Now()
	clientID, _ := env.NewClient(t, "Reader", "*")
	cert, key := selfSigned(t, now.Add(-time.Hour), now.Add(48*time.Hour))
	if _, err := env.Svc.AddCertificate(ctx, clientID, cert.Raw); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Svc.AddCertificate(ctx, clientID, cert.Raw); err == nil {
		t.Error("same certificate registered twice")
	}
	_, otherKey := selfSigned(t, now.Add(-time.Hour), now.Add(48*time.Hour))
	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{"iss": clientID, "sub": clientID, "aud": tokenURL, "jti": "jti-" + t.Name(),
			"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	post := func(a string) int {
		return identitytest.PostToken(env.Svc, assertionForm(clientID, a)).Code
	}

	good := assertion(t, key, jose.PS256, claims(nil))
	if c := post(good); c != http.StatusOK {
		t.Fatalf("valid PS256 assertion: %d", c)
	}
	if c := post(good); c != http.StatusUnauthorized {
		t.Errorf("replayed assertion: %d, want 401", c)
	}
	rs := assertion(t, key, jose.RS256, claims(func(c map[string]any) { c["jti"] = "rs256" }))
	if c := post(rs); c != http.StatusOK {
		t.Errorf("valid RS256 assertion: %d", c)
	}
	for name, a := range map[string]string{
		"unregistered key": assertion(t, otherKey, jose.PS256, claims(func(c map[string]any) { c["jti"] = "k" })),
		"wrong aud": assertion(t, key, jose.PS256, claims(func(c map[string]any) {
			c["jti"] = "a"
			c["aud"] = "https://login.microsoftonline.com/x/oauth2/v2.0/token"
		})),
		"expired":        assertion(t, key, jose.PS256, claims(func(c map[string]any) { c["jti"] = "e"; c["exp"] = now.Add(-2 * time.Minute).Unix() })),
		"too long-lived": assertion(t, key, jose.PS256, claims(func(c map[string]any) { c["jti"] = "l"; c["exp"] = now.Add(time.Hour).Unix() })),
		"future nbf":     assertion(t, key, jose.PS256, claims(func(c map[string]any) { c["jti"] = "n"; c["nbf"] = now.Add(5 * time.Minute).Unix() })),
		"no jti":         assertion(t, key, jose.PS256, claims(func(c map[string]any) { delete(c, "jti") })),
		"no exp":         assertion(t, key, jose.PS256, claims(func(c map[string]any) { c["jti"] = "x"; delete(c, "exp") })),
		"exp as string":  assertion(t, key, jose.PS256, claims(func(c map[string]any) { c["jti"] = "s"; c["exp"] = "9999999999" })),
		"sub differs":    assertion(t, key, jose.PS256, claims(func(c map[string]any) { c["jti"] = "u"; c["sub"] = "someone-else" })),
	} {
		t.Run(name, func(t *testing.T) {
			w := identitytest.PostToken(env.Svc, assertionForm(clientID, a))
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("%d %s", w.Code, w.Body.String())
			}
			assertAADError(t, decode(t, w), "invalid_client", 700027)
		})
	}
	// An expired certificate no longer authenticates.
	env.Clock.Advance(49 * time.Hour)
	now = env.Clock.Now()
	late := assertion(t, key, jose.PS256, claims(func(c map[string]any) { c["jti"] = "late" }))
	if c := post(late); c != http.StatusUnauthorized {
		t.Errorf("assertion signed by an expired certificate: %d", c)
	}
	// Used assertion ids are forgotten once the assertion has expired.
	if n := countKind(t, env, identity.KindAssertionJTI); n == 0 {
		t.Fatal("no assertion ids recorded")
	}
	if err := env.Svc.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countKind(t, env, identity.KindAssertionJTI); n != 0 {
		t.Errorf("%d assertion ids left after they expired", n)
	}
}

func countKind(t *testing.T, env *identitytest.Env, kind store.Kind) int {
	t.Helper()
	rs, err := env.Store.List(context.Background(), store.ListQuery{Kind: kind, Scope: identity.DefaultScope})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}
