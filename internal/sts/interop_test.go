package sts_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/sts"
)

// TestPolicyAcceptsTokens checks the service against the policy evaluator
// key delivery uses: a token restriction that trusts the service through
// its discovery document, requires a group and counts maxuses in the
// store. Tokens keep verifying across a key rotation.
func TestPolicyAcceptsTokens(t *testing.T) {
	e := newEnv(t, func(c *sts.Config) {
		c.TokenLifetime = 10 * time.Minute
		c.Keys = sts.KeyConfig{Lifetime: 2 * time.Hour, PrePublish: 30 * time.Minute, CacheTTL: time.Second}
	})
	ev, err := policy.NewEvaluator(policy.Config{
		Now: e.clock.Now, AllowInsecureDiscovery: true,
		// The STS under test listens on loopback.
		Outbound:   netguard.New(netguard.Options{AllowPrivate: true, AllowHTTP: true}),
		UseCounter: store.UseCounter{Store: e.store, Now: e.clock.Now},
	})
	if err != nil {
		t.Fatal(err)
	}
	kid, err := keys.ParseKID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
	if err != nil {
		t.Fatal(err)
	}
	p := &defs.ContentKeyPolicyProperties{Options: []defs.ContentKeyPolicyOption{{
		Name:          "premium",
		Configuration: &defs.ContentKeyPolicyClearKeyConfiguration{},
		Restriction: &defs.ContentKeyPolicyTokenRestriction{
			Issuer: e.cfg.Issuer, Audience: audience,
			OpenIDConnectDiscoveryDocument: e.cfg.Issuer + "/.well-known/openid-configuration",
			RestrictionTokenType:           defs.ContentKeyPolicyRestrictionTokenTypeJwt,
			RequiredClaims:                 []defs.ContentKeyPolicyTokenClaim{{ClaimType: "groups", ClaimValue: "premium"}},
		},
	}}}
	evaluate := func(tok string) error {
		_, err := ev.Evaluate(t.Context(), policy.Request{Policy: p, Kind: policy.KindClearKey, KID: kid, Token: tok})
		return err
	}
	u, secret := e.user("viewer", "premium")
	_, other := e.user("other", "basic")

	if err := evaluate(e.passwordToken(u.Name, secret, nil)); err != nil {
		t.Fatalf("entitled token: %v", err)
	}
	if err := evaluate(e.passwordToken("other", other, nil)); !errors.Is(err, policy.ErrForbidden) {
		t.Fatalf("token without the group: %v", err)
	}
	limited := e.passwordToken(u.Name, secret, url.Values{"maxuses": {"2"}, "contentkeyidentifier": {kid.String()}})
	for i := range 2 {
		if err := evaluate(limited); err != nil {
			t.Fatalf("use %d of 2: %v", i+1, err)
		}
	}
	if err := evaluate(limited); !errors.Is(err, policy.ErrUnauthenticated) {
		t.Fatalf("third use of a maxuses=2 token: %v", err)
	}
	bound := e.passwordToken(u.Name, secret, url.Values{"contentkeyidentifier": {"00000000-0000-0000-0000-000000000001"}})
	if err := evaluate(bound); err == nil {
		t.Fatal("token bound to another key accepted")
	}

	// Rotation: the old key's last token and the new key's first both
	// pass (the evaluator refetches the JWKS for the unknown kid).
	before := e.passwordToken(u.Name, secret, nil)
	k2, err := e.svc.Rotate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(policy.DefaultJWKSMinRefreshInterval + time.Second)
	after := e.passwordToken(u.Name, secret, nil)
	if header(t, after).KeyID != k2 {
		t.Fatal("new token not signed with the new key")
	}
	for _, tok := range []string{after, before} {
		if err := evaluate(tok); err != nil {
			t.Fatalf("token across rotation: %v", err)
		}
	}
}
