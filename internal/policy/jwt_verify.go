package policy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lockstream/lockstream/internal/defs"
)

// verifyJWT parses the request's token (once per request), verifies its
// signature with the restriction's keys and returns its claims.
func (st *evaluation) verifyJWT(ctx context.Context, r *defs.ContentKeyPolicyTokenRestriction) (*verifiedToken, error) {
	if st.jwt == nil && st.jwtErr == nil {
		t, err := st.e.parseJWT(st.req.Token)
		if err != nil {
			st.jwtErr = unauthenticated(msgInvalidToken, "JWT rejected", err)
		}
		st.jwt = t
	}
	if st.jwtErr != nil {
		e := *st.jwtErr // each option gets its own copy to number
		return nil, &e
	}
	t := st.jwt
	// Claims are extracted once per parsed token (the parse is cached):
	// they are a function of the token's bytes. Checking them against the
	// restriction and the clock is still done on every request.
	tok, claimsErr := t.checkedClaims()
	// The issuer is compared before the signature only to skip work: a
	// token for another issuer fails this restriction anyway, and must
	// not make Lockstream fetch this restriction's key set.
	var iss string
	if claimsErr == nil {
		iss = tok.issuer
	} else {
		var err error
		if iss, _, err = t.claims.String("iss"); err != nil {
			return nil, unauthenticated(msgInvalidToken, "JWT claims", err)
		}
	}
	if iss != r.Issuer {
		return nil, unauthenticated(msgWrongIssuer, "issuer "+quote(iss), nil)
	}
	if err := st.verifySignature(ctx, r, t); err != nil {
		return nil, err
	}
	if claimsErr != nil {
		return nil, unauthenticated(msgInvalidToken, "JWT claims", claimsErr)
	}
	return tok, nil
}

// checkedClaims returns jwtClaims(t), worked out on first use. The token
// is shared by every request carrying it and never changed; the error is
// the bare cause (each request wraps its own, since errors get numbered
// per option).
func (t *jwtToken) checkedClaims() (*verifiedToken, error) {
	t.claimsOnce.Do(func() { t.vt, t.vtErr = jwtClaims(t) })
	return t.vt, t.vtErr
}

// verifySignature tries the configured keys, then the OpenID Connect key
// set. Only keys whose own allow-list holds the token's alg are tried.
func (st *evaluation) verifySignature(ctx context.Context, r *defs.ContentKeyPolicyTokenRestriction, t *jwtToken) error {
	tried, unusable := 0, 0
	var firstUnusable error
	try := func(v verifier) bool {
		if !slices.Contains(v.algs, t.alg) {
			return false
		}
		tried++
		if t.verified.by(v.key) {
			return true
		}
		var ok bool
		if k, isHMAC := v.key.([]byte); isHMAC && len(k) < 32 {
			ok = verifyHMAC(t, k)
		} else {
			payload, err := t.jws.Verify(v.key)
			ok = err == nil && bytes.Equal(payload, t.payload)
		}
		if ok {
			t.verified.remember(v.key)
		}
		return ok
	}
	configured := make([]defs.ContentKeyPolicyRestrictionTokenKey, 0, 1+len(r.AlternateVerificationKeys))
	if r.PrimaryVerificationKey != nil {
		configured = append(configured, r.PrimaryVerificationKey)
	}
	configured = append(configured, r.AlternateVerificationKeys...)
	for _, k := range configured {
		v, err := st.e.configuredVerifier(k)
		if err != nil {
			if unusable++; firstUnusable == nil {
				firstUnusable = err
			}
			continue
		}
		if try(v) {
			return nil
		}
	}
	note, unknownKID := "", false
	if r.OpenIDConnectDiscoveryDocument != "" {
		set, err := st.e.source(r.OpenIDConnectDiscoveryDocument, r.Issuer).keys(ctx, t.kid)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fmt.Errorf("fetch keys: %w", ctxErr)
			}
			return unavailable("OpenID Connect key set", err)
		}
		candidates := set.lookup(t.kid)
		if t.kid != "" && len(candidates) == 0 {
			note, unknownKID = ", kid "+quote(t.kid)+" not in the key set", true
		}
		for _, v := range candidates {
			if try(v) {
				return nil
			}
		}
	}
	if unusable > 0 {
		note += fmt.Sprintf(", %d configured key(s) unusable (%v)", unusable, firstUnusable)
	}
	switch {
	case tried == 0 && unknownKID:
		return unauthenticated(msgInvalidToken, fmt.Sprintf("no %s key to try%s", t.alg, note), nil)
	case tried == 0:
		return unauthenticated(msgAlgNotAccepted, fmt.Sprintf("no key of the restriction verifies %s%s", t.alg, note), nil)
	}
	return unauthenticated(msgInvalidToken, fmt.Sprintf("%s signature verified by none of %d candidate key(s)%s", t.alg, tried, note), nil)
}

// jwtClaims extracts the checked claims with strict typing: exp is
// required and, like nbf, must be an integer NumericDate; aud a string or
// an array of strings. Errors are the bare cause; verifyJWT wraps them.
func jwtClaims(t *jwtToken) (*verifiedToken, error) {
	c := t.claims
	bad := func(err error) (*verifiedToken, error) { return nil, err }
	iss, _, err := c.String("iss")
	if err != nil {
		return bad(err)
	}
	aud, _, err := c.Strings("aud")
	if err != nil {
		return bad(err)
	}
	exp, ok, err := c.NumericDate("exp")
	if err != nil {
		return bad(err)
	}
	if !ok {
		return bad(errors.New("exp is required"))
	}
	nbf, _, err := c.NumericDate("nbf")
	if err != nil {
		return bad(err)
	}
	return &verifiedToken{
		format:    "JWT",
		issuer:    iss,
		audiences: aud,
		expires:   exp,
		notBefore: nbf,
		values: func(name string) ([]string, bool, error) {
			raw, ok := c[name]
			if !ok {
				return nil, false, nil
			}
			return canonicalValues(raw)
		},
		scalar: func(name string) (string, bool, error) {
			raw, ok := c[name]
			if !ok {
				return "", false, nil
			}
			return canonicalSingle(raw)
		},
		id: t.tokenID,
	}, nil
}

// parseJWT parses raw, or returns its parse from the cache (a parsed
// token is never changed afterwards). Failures are not kept.
func (e *Evaluator) parseJWT(raw string) (*jwtToken, error) {
	now := e.cfg.Now()
	if e.parsed != nil {
		if t, ok := e.parsed.Get(raw, now); ok {
			return t, nil
		}
	}
	t, err := parseJWT(raw, e.cfg.MaxTokenBytes)
	if err == nil && e.parsed != nil {
		e.parsed.Put(raw, t, now)
	}
	return t, err
}

// configuredVerifier is the package's configuredVerifier with RSA and
// X.509 keys kept parsed by their bytes (big-number checks and
// certificate parsing cost more than an RS256 verification's setup).
func (e *Evaluator) configuredVerifier(k defs.ContentKeyPolicyRestrictionTokenKey) (verifier, error) {
	var id string
	switch k := k.(type) {
	case *defs.ContentKeyPolicyRsaTokenKey:
		if k != nil {
			id = "rsa\x00" + string(k.Modulus) + "\x00" + string(k.Exponent)
		}
	case *defs.ContentKeyPolicyX509CertificateTokenKey:
		if k != nil {
			id = "x509\x00" + string(k.RawBody)
		}
	}
	if id == "" || e.verifiers == nil {
		return configuredVerifier(k)
	}
	now := e.cfg.Now()
	if v, ok := e.verifiers.Get(id, now); ok {
		return v, nil
	}
	v, err := configuredVerifier(k)
	if err == nil {
		e.verifiers.Put(id, v, now)
	}
	return v, err
}
