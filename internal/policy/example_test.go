package policy_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/policy"
)

// statusOf is the one place a key-delivery server maps policy errors to
// HTTP status codes.
func statusOf(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, policy.ErrUnauthenticated):
		return http.StatusUnauthorized
	case errors.Is(err, policy.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, policy.ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func Example() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e, err := policy.NewEvaluator(policy.Config{Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	key := []byte("an HMAC key of at least 32 bytes, as RFC 7518 wants")
	kid, _ := keys.ParseKID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
	p := &defs.ContentKeyPolicyProperties{Options: []defs.ContentKeyPolicyOption{{
		Name:          "hls",
		Configuration: &defs.ContentKeyPolicyClearKeyConfiguration{},
		Restriction: &defs.ContentKeyPolicyTokenRestriction{
			Issuer:                 "https://sts.example.com/",
			Audience:               "urn:lockstream",
			PrimaryVerificationKey: &defs.ContentKeyPolicySymmetricTokenKey{KeyValue: key},
			RestrictionTokenType:   defs.ContentKeyPolicyRestrictionTokenTypeJwt,
			RequiredClaims:         []defs.ContentKeyPolicyTokenClaim{{ClaimType: defs.ContentKeyIdentifierClaim}},
		},
	}}}
	token := hsJWT(key, claimSet{
		"iss": "https://sts.example.com/", "aud": "urn:lockstream",
		"exp": now.Add(time.Hour).Unix(), defs.ContentKeyIdentifierClaim: kid.String(),
	})

	for _, target := range []string{"/key?token=" + token, "/key"} {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		tok, err := policy.TokenFromRequest(r)
		if err == nil {
			var d policy.Decision
			d, err = e.Evaluate(context.Background(), policy.Request{Policy: p, Kind: policy.KindEnvelope, KID: kid, Token: tok})
			if err == nil {
				fmt.Println(statusOf(err), "granted by option", d.Name)
				continue
			}
		}
		var pe *policy.Error
		errors.As(err, &pe)
		fmt.Println(statusOf(err), pe.Public)
	}
	// Output:
	// 200 granted by option hls
	// 401 token required
}
