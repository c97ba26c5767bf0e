package policy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/policy"
)

// TestScalarClaimsRefuseArrays: maxuses and contentkeyidentifier are
// single values in AMS; an array, even of one element, is refused (maxuses
// [1] used to be accepted as 1), while string and number forms still work.
func TestScalarClaimsRefuseArrays(t *testing.T) {
	k := fixtures()
	e := newEvaluator(t, policy.Config{})
	hs := single(jwtRestriction(symKey(k.hs)))
	base := baseClaims().with("exp", testNow.Add(30*time.Minute).Unix())
	for name, c := range map[string]struct {
		claims claimSet
		want   error
	}{
		"maxuses number":             {base.with(policy.MaxUsesClaim, 2), nil},
		"maxuses string":             {base.with(policy.MaxUsesClaim, "2"), nil},
		"maxuses [1]":                {base.with(policy.MaxUsesClaim, []any{1}), policy.ErrUnauthenticated},
		"maxuses [\"1\"]":            {base.with(policy.MaxUsesClaim, []any{"1"}), policy.ErrUnauthenticated},
		"maxuses object":             {base.with(policy.MaxUsesClaim, map[string]any{"v": 1}), policy.ErrUnauthenticated},
		"contentkeyidentifier":       {base.with(defs.ContentKeyIdentifierClaim, testKID.String()), nil},
		"contentkeyidentifier array": {base.with(defs.ContentKeyIdentifierClaim, []any{testKID.String()}), policy.ErrForbidden},
	} {
		_, err := evaluate(e, hs, hsJWT(k.hs, c.claims))
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}
}
