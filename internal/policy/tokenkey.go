package policy

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/defs"
)

// Per-key-type algorithm allow-lists (RFC 8725 §3.1). Keeping HMAC and
// RSA apart is what defeats RS/HS confusion: an HS256 token "signed" with
// an RSA public key's bytes never meets a key that would verify it.
var (
	hmacAlgs = []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512}
	rsaAlgs  = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256}
	ecAlgs   = []jose.SignatureAlgorithm{jose.ES256}
)

// verifier is one verification key and the algorithms it may verify.
type verifier struct {
	key  any // []byte, *rsa.PublicKey or *ecdsa.PublicKey
	algs []jose.SignatureAlgorithm
}

// configuredVerifier turns a key of the restriction into a verifier. Keys
// are checked again here, though the API validated them, because stored
// policies may predate a rule.
func configuredVerifier(k defs.ContentKeyPolicyRestrictionTokenKey) (verifier, error) {
	switch k := k.(type) {
	case *defs.ContentKeyPolicySymmetricTokenKey:
		if k == nil {
			return verifier{}, errors.New("nil symmetric key")
		}
		algs := hmacAlgsFor(len(k.KeyValue))
		if len(algs) == 0 {
			return verifier{}, fmt.Errorf("symmetric key of %d bytes is shorter than the %d bytes accepted", len(k.KeyValue), defs.MinSymmetricTokenKeyBytes)
		}
		return verifier{key: []byte(k.KeyValue), algs: algs}, nil
	case *defs.ContentKeyPolicyRsaTokenKey:
		if k == nil {
			return verifier{}, errors.New("nil RSA key")
		}
		pub, err := rsaKey(k.Modulus, k.Exponent)
		if err != nil {
			return verifier{}, err
		}
		return verifier{key: pub, algs: rsaAlgs}, nil
	case *defs.ContentKeyPolicyX509CertificateTokenKey:
		if k == nil {
			return verifier{}, errors.New("nil certificate key")
		}
		cert, err := defs.ParseTokenCertificate(k.RawBody)
		if err != nil {
			return verifier{}, fmt.Errorf("parse certificate: %w", err)
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return verifier{}, fmt.Errorf("certificate key is %T, want RSA", cert.PublicKey)
		}
		if err := checkRSA(pub.N, pub.E, defs.MinRsaTokenKeyBits); err != nil {
			return verifier{}, err
		}
		return verifier{key: pub, algs: rsaAlgs}, nil
	}
	return verifier{}, fmt.Errorf("key type %T not supported", k)
}

// hmacAlgsFor returns the HS* algorithms a key of n bytes may verify:
// RFC 7518 §3.2 wants a key at least as long as the hash, and go-jose
// enforces it, so offering HS512 to a 32-byte key would only produce a
// confusing failure. Keys of 16 to 31 bytes verify HS256 too, because AMS
// accepted them and its samples use 16-byte keys: refusing them would
// break migrated policies and their token issuers. The API warns when
// such a key is stored (defs.ShortSymmetricTokenKeys); see verifyHMAC.
func hmacAlgsFor(n int) []jose.SignatureAlgorithm {
	switch {
	case n >= 64:
		return hmacAlgs
	case n >= 48:
		return hmacAlgs[:2]
	case n >= defs.MinSymmetricTokenKeyBytes:
		return hmacAlgs[:1]
	}
	return nil
}

// verifyHMAC verifies an HS256 signature with a key shorter than 32 bytes,
// which go-jose refuses to use: HMAC-SHA256 over the signing input exactly
// as received, compared in constant time.
func verifyHMAC(t *jwtToken, key []byte) bool {
	if t.alg != jose.HS256 {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(t.signingInput))
	return hmac.Equal(m.Sum(nil), t.sig)
}

func rsaKey(modulus, exponent []byte) (*rsa.PublicKey, error) {
	n := new(big.Int).SetBytes(modulus)
	e := new(big.Int).SetBytes(exponent)
	if e.BitLen() > 31 {
		return nil, errors.New("RSA exponent too large")
	}
	if err := checkRSA(n, int(e.Int64()), defs.MinRsaTokenKeyBits); err != nil {
		return nil, err
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// checkRSA bounds the modulus (the cost of a verification grows with it)
// and rejects exponents crypto/rsa would refuse anyway.
func checkRSA(n *big.Int, e int, minBits int) error {
	switch bits := n.BitLen(); {
	case bits < minBits || bits > defs.MaxRsaTokenKeyBits:
		return fmt.Errorf("RSA modulus of %d bits outside [%d, %d]", bits, minBits, defs.MaxRsaTokenKeyBits)
	case n.Bit(0) == 0:
		return errors.New("RSA modulus is even")
	case e < 3 || e%2 == 0:
		return errors.New("RSA exponent must be odd and at least 3")
	}
	return nil
}
