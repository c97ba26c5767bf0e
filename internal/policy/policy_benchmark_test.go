package policy_test

import (
	"context"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/policy"
)

// BenchmarkEvaluate measures one full decision per operation: parse,
// signature, claims. Run with
//
//	go test -run '^$' -bench Evaluate -benchmem ./internal/policy/
func BenchmarkEvaluate(b *testing.B) {
	k := fixtures()
	idp := newOIDCServer(b, jwk("ec1", "ES256", &k.ec.PublicKey), jwk("rsa1", "RS256", &k.rsa.PublicKey))
	base := baseClaims().with(defs.ContentKeyIdentifierClaim, testKID.String())
	withClaim := func(r *defs.ContentKeyPolicyTokenRestriction) *defs.ContentKeyPolicyProperties {
		return single(withClaims(r, claim(defs.ContentKeyIdentifierClaim, "")))
	}
	cases := []struct {
		name   string
		policy *defs.ContentKeyPolicyProperties
		token  string
	}{
		{"open", single(&defs.ContentKeyPolicyOpenRestriction{}), ""},
		{"HS256", withClaim(jwtRestriction(symKey(k.hs))), joseJWT(b, jose.HS256, k.hs, "", base)},
		{"HS256-alternate", withClaim(jwtRestriction(symKey(k.hsOther), symKey(k.hs))), joseJWT(b, jose.HS256, k.hs, "", base)},
		{"RS256", withClaim(jwtRestriction(rsaKey(k.rsa))), joseJWT(b, jose.RS256, k.rsa, "", base)},
		{"RS256-X509", withClaim(jwtRestriction(certKey(k.certDER))), joseJWT(b, jose.RS256, k.certKey, "", base)},
		{"RS256-JWKS", withClaim(idp.restriction()), joseJWT(b, jose.RS256, k.rsa, "rsa1", base)},
		{"ES256-JWKS", withClaim(idp.restriction()), joseJWT(b, jose.ES256, k.ec, "ec1", base)},
		{"SWT", withClaim(swtRestriction(symKey(k.hs))), swt(k.hs, swtBase(testNow.Add(30*time.Minute), swtPair{defs.ContentKeyIdentifierClaim, testKID.String()})...)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e := newEvaluator(b, policy.Config{AllowInsecureDiscovery: true})
			req := policy.Request{Policy: c.policy, Kind: policy.KindEnvelope, KID: testKID, Token: c.token}
			ctx := context.Background()
			if _, err := e.Evaluate(ctx, req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Evaluate(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}
