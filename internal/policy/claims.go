package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
)

// verifiedToken is a JWT or SWT whose signature verified, reduced to what
// the claim checks need.
type verifiedToken struct {
	format    string // "JWT" or "SWT", for reasons
	issuer    string
	audiences []string
	expires   time.Time
	notBefore time.Time // zero when absent
	// values returns the canonical string values of a claim; ok is false
	// when the claim is absent, null or an empty array.
	values func(name string) (vals []string, ok bool, err error)
	// scalar returns the value of a claim AMS defined as a single value
	// (maxuses, contentkeyidentifier): an array is malformed, even of one
	// element, so no claim type is read in two shapes. ok is false when
	// the claim is absent or null.
	scalar func(name string) (val string, ok bool, err error)
	// id returns the token's identity for max-uses counting.
	id func() [32]byte
}

// checkClaims applies time, issuer, audience, required-claim and key
// binding rules to a verified token.
func (st *evaluation) checkClaims(r *defs.ContentKeyPolicyTokenRestriction, tok *verifiedToken) error {
	now, skew := st.req.Now, st.e.cfg.ClockSkew
	if !now.Before(tok.expires.Add(skew)) {
		return unauthenticated(msgExpired, fmt.Sprintf("%s expired at %s (skew %v)", tok.format, tok.expires.UTC().Format(time.RFC3339), skew), nil)
	}
	if !tok.notBefore.IsZero() && tok.notBefore.After(now.Add(skew)) {
		return unauthenticated(msgExpired, fmt.Sprintf("%s not valid before %s (skew %v)", tok.format, tok.notBefore.UTC().Format(time.RFC3339), skew), nil)
	}
	if tok.issuer != r.Issuer {
		return unauthenticated(msgWrongIssuer, "issuer "+quote(tok.issuer), nil)
	}
	if !slices.Contains(tok.audiences, r.Audience) {
		return unauthenticated(msgWrongIssuer, fmt.Sprintf("audience %d value(s), none equal to the restriction's", len(tok.audiences)), nil)
	}
	for _, c := range r.RequiredClaims {
		if c.ClaimType == defs.ContentKeyIdentifierClaim {
			continue // checkKeyBinding
		}
		if err := checkRequiredClaim(tok, c); err != nil {
			return err
		}
	}
	return checkKeyBinding(tok, r.RequiredClaims, st.req.KID)
}

func checkRequiredClaim(tok *verifiedToken, c defs.ContentKeyPolicyTokenClaim) error {
	vals, ok, err := tok.values(c.ClaimType)
	switch {
	case err != nil:
		return forbidden("required claim "+quote(c.ClaimType)+" malformed", err)
	case !ok:
		return forbidden("required claim "+quote(c.ClaimType)+" missing", nil)
	case c.ClaimValue != "" && !slices.Contains(vals, c.ClaimValue):
		return forbidden(fmt.Sprintf("required claim %s: none of %d value(s) matches", quote(c.ClaimType), len(vals)), nil)
	}
	return nil
}

// checkKeyBinding enforces the content key identifier claim: a token that
// names a key grants that key only, and a restriction that requires the
// claim demands it (with the given value, if any).
func checkKeyBinding(tok *verifiedToken, required []defs.ContentKeyPolicyTokenClaim, kid keys.KID) error {
	val, ok, err := tok.scalar(defs.ContentKeyIdentifierClaim)
	if err != nil {
		return forbidden("content key identifier claim malformed", err)
	}
	var want []defs.ContentKeyPolicyTokenClaim
	for _, c := range required {
		if c.ClaimType == defs.ContentKeyIdentifierClaim {
			want = append(want, c)
		}
	}
	if !ok {
		if len(want) > 0 {
			return forbidden("required content key identifier claim missing", nil)
		}
		return nil
	}
	got, err := parseClaimKID(val)
	if err != nil {
		return forbidden("content key identifier claim is not a GUID", nil)
	}
	if got != kid {
		return forbidden(fmt.Sprintf("token is bound to key %s, request is for %s", got, kid), nil)
	}
	for _, c := range want {
		if c.ClaimValue == "" {
			continue
		}
		v, err := parseClaimKID(c.ClaimValue)
		if err != nil {
			return forbidden("required content key identifier value in the policy is not a GUID", nil)
		}
		if v != got {
			return forbidden(fmt.Sprintf("token is bound to key %s, policy requires %s", got, v), nil)
		}
	}
	return nil
}

// parseClaimKID reads a content key identifier claim value: a GUID, with
// the "nb:kid:UUID:" prefix that AMS v2 key identifiers carried allowed.
func parseClaimKID(s string) (keys.KID, error) {
	const v2Prefix = "nb:kid:UUID:"
	if len(s) > len(v2Prefix) && strings.EqualFold(s[:len(v2Prefix)], v2Prefix) {
		s = s[len(v2Prefix):]
	}
	return keys.ParseKID(s)
}
