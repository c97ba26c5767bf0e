package policy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/policy"
)

// TestVerifiedTokenStaysBoundToItsKey: one evaluator remembers which key
// verified a parsed token, so a second request with the same token skips
// the signature check. The memo must never let the token pass a
// restriction whose keys did not sign it, however the requests
// interleave, for symmetric and RSA keys alike.
func TestVerifiedTokenStaysBoundToItsKey(t *testing.T) {
	k := fixtures()
	e := newEvaluator(t, policy.Config{})
	ctx := context.Background()
	for _, c := range []struct {
		name        string
		signedBy    *policy.Request
		notSignedBy *policy.Request
	}{
		{"HS256",
			&policy.Request{Policy: single(jwtRestriction(symKey(k.hs))), Token: hsJWT(k.hs, baseClaims())},
			&policy.Request{Policy: single(jwtRestriction(symKey(k.hsOther)))}},
		{"RS256",
			&policy.Request{Policy: single(jwtRestriction(rsaKey(k.rsa))), Token: joseJWT(t, jose.RS256, k.rsa, "", baseClaims())},
			&policy.Request{Policy: single(jwtRestriction(rsaKey(k.rsaOther)))}},
	} {
		t.Run(c.name, func(t *testing.T) {
			good, bad := *c.signedBy, *c.notSignedBy
			good.Kind, good.KID, good.Now = policy.KindEnvelope, testKID, testNow
			bad.Kind, bad.KID, bad.Now, bad.Token = policy.KindEnvelope, testKID, testNow, good.Token
			for i := range 3 { // verified, then remembered
				if _, err := e.Evaluate(ctx, good); err != nil {
					t.Fatalf("round %d: signing key refused: %v", i, err)
				}
				if _, err := e.Evaluate(ctx, bad); err == nil {
					t.Fatalf("round %d: a key that did not sign the token granted", i)
				}
			}
			// Tampered payload (same signature): a different token, refused.
			tampered := good
			tampered.Token = tamper(good.Token)
			if _, err := e.Evaluate(ctx, tampered); err == nil {
				t.Fatal("tampered token granted")
			}
		})
	}
}

// tamper flips one character of the payload segment of a compact JWT.
func tamper(tok string) string {
	b := []byte(tok)
	for i := range b {
		if b[i] == '.' {
			j := i + 5
			if b[j] == 'A' {
				b[j] = 'B'
			} else {
				b[j] = 'A'
			}
			break
		}
	}
	return string(b)
}

// TestClaimsStillCheckedPerRequest: a parsed token's claims are extracted
// once and cached with it, but comparing them stays per request — the
// same cached token is refused once the clock passes its exp, and a
// token whose claims are malformed is refused with the same reason every
// time (the cached cause is wrapped afresh, not shared).
func TestClaimsStillCheckedPerRequest(t *testing.T) {
	k := fixtures()
	e := newEvaluator(t, policy.Config{})
	ctx := context.Background()
	pol := single(jwtRestriction(symKey(k.hs)))
	req := policy.Request{Policy: pol, Kind: policy.KindEnvelope, KID: testKID, Now: testNow, Token: hsJWT(k.hs, baseClaims())}
	if _, err := e.Evaluate(ctx, req); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	late := req
	late.Now = testNow.Add(time.Hour)
	if _, err := e.Evaluate(ctx, late); err == nil {
		t.Fatal("the cached token granted after its exp")
	}
	if _, err := e.Evaluate(ctx, req); err != nil {
		t.Fatalf("valid token refused after an expired use: %v", err)
	}
	bad := req
	bad.Token = hsJWT(k.hs, baseClaims().with("exp", "tomorrow"))
	var first string
	for i := range 3 {
		_, err := e.Evaluate(ctx, bad)
		var pe *policy.Error
		if !errors.As(err, &pe) || !errors.Is(err, policy.ErrUnauthenticated) {
			t.Fatalf("round %d: malformed exp: %v, want an unauthenticated *policy.Error", i, err)
		}
		if i == 0 {
			first = pe.Reason
		} else if pe.Reason != first {
			t.Fatalf("round %d: reason %q, first %q", i, pe.Reason, first)
		}
	}
}
