package policy

import (
	"crypto/elliptic"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/auth/claims"
)

// acceptedAlgs is the global JWT algorithm allow-list (RFC 8725 §3.2).
// Each key narrows it further to the algorithms of its own type.
var acceptedAlgs = []jose.SignatureAlgorithm{
	jose.HS256, jose.HS384, jose.HS512,
	jose.RS256, jose.RS384, jose.RS512, jose.PS256,
	jose.ES256,
}

// acceptedHeader lists the only header members a key-delivery JWT may
// carry. x5t and x5t#S256 are thumbprint hints that Azure AD and other
// issuers set; they are ignored. Everything else (crit, jku, x5u, jwk, x5c,
// b64, zip, cty, enc, p2c…) makes the token invalid: RFC 8725 §3.10.
var acceptedHeader = []string{"alg", "kid", "typ", "x5t", "x5t#S256"}

// maxKIDBytes bounds the header kid; it is only ever a map key.
const maxKIDBytes = 256

// jwtToken is a compact JWS that passed the structural checks; its
// signature is not verified yet.
type jwtToken struct {
	alg     jose.SignatureAlgorithm
	kid     string
	payload []byte
	claims  claims.Object
	sig     []byte // decoded signature segment
	// signingInput is header.payload exactly as received.
	signingInput string
	jws          *jose.JSONWebSignature
	// verified is the key that last verified the signature (verified.go).
	verified verifiedMemo
	// vt and vtErr are jwtClaims' answer, worked out once
	// (checkedClaims).
	claimsOnce sync.Once
	vt         *verifiedToken
	vtErr      error
}

// parseJWT checks the structure, header and claims syntax of raw. Errors
// are reasons for a 401; they never quote the token.
func parseJWT(raw string, maxLen int) (*jwtToken, error) {
	if strings.Count(raw, ".") == 4 {
		return nil, errors.New("JWE (five segments) is not accepted")
	}
	rawHeader, payload, err := claims.Split(raw, maxLen)
	if err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	h, err := claims.Parse(rawHeader)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	algName, _, err := h.String("alg")
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if strings.EqualFold(algName, "none") {
		return nil, errors.New("alg none is not accepted")
	}
	alg := jose.SignatureAlgorithm(algName)
	if !slices.Contains(acceptedAlgs, alg) {
		return nil, fmt.Errorf("alg %s is not accepted", quote(algName))
	}
	if err := claims.CheckHeader(h, acceptedHeader...); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if typ, ok, err := h.String("typ"); err != nil || ok && !acceptedType(typ) {
		return nil, fmt.Errorf("typ %s is not a JWT access token type", quote(typ))
	}
	kid, _, err := h.String("kid")
	if err != nil || len(kid) > maxKIDBytes {
		return nil, fmt.Errorf("kid is not a string of at most %d bytes", maxKIDBytes)
	}
	for _, name := range []string{"x5t", "x5t#S256"} {
		if _, _, err := h.String(name); err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
	}
	c, err := claims.Parse(payload)
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	sig, err := claims.DecodeSegment(raw[strings.LastIndexByte(raw, '.')+1:])
	if err != nil {
		return nil, errors.New("signature is not base64url")
	}
	// go-jose parses the header again and must agree on the algorithm;
	// it alone computes the signing input and verifies.
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return nil, fmt.Errorf("jose parse: %w", err)
	}
	return &jwtToken{alg: alg, kid: kid, payload: payload, claims: c, sig: sig, jws: jws,
		signingInput: raw[:strings.LastIndexByte(raw, '.')]}, nil
}

// acceptedType reports whether a typ header names a JWT (RFC 7519 §5.1) or
// a JWT access token (RFC 9068), with or without the "application/"
// prefix. Other typed JWTs (ID tokens never set typ; logout, DPoP and
// security event tokens do) are refused so they cannot be replayed here
// (RFC 8725 §3.11).
func acceptedType(typ string) bool {
	t := strings.ToLower(typ)
	t = strings.TrimPrefix(t, "application/")
	return t == "jwt" || t == "at+jwt"
}

// tokenID is the max-uses identity of a JWT: the SHA-256 of its signature.
// An ECDSA signature (r, s) has a twin (r, n-s) that verifies too; hashing
// the low-S form makes both count as one token.
func (t *jwtToken) tokenID() [32]byte {
	if t.alg == jose.ES256 {
		return sha256.Sum256(lowS256(t.sig))
	}
	return sha256.Sum256(t.sig)
}

// lowS256 returns an ES256 signature (r || s) with s replaced by n-s when
// s is above n/2. Anything else is returned as it is.
func lowS256(sig []byte) []byte {
	if len(sig) != 64 {
		return sig
	}
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	if s.Cmp(new(big.Int).Rsh(n, 1)) <= 0 || s.Cmp(n) >= 0 {
		return sig
	}
	out := make([]byte, 64)
	copy(out, sig[:32])
	s.Sub(n, s).FillBytes(out[32:])
	return out
}
