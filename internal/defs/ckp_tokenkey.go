package defs

import (
	"crypto/x509"
	"encoding/pem"
	"math/big"
)

// ContentKeyPolicyRestrictionTokenKey is a token verification key;
// implemented by *ContentKeyPolicySymmetricTokenKey,
// *ContentKeyPolicyRsaTokenKey and *ContentKeyPolicyX509CertificateTokenKey.
// All key bytes are secrets (blanked by Redact).
type ContentKeyPolicyRestrictionTokenKey interface {
	ODataType() string
	validateKey(path string) error
	copyKey(redact bool) ContentKeyPolicyRestrictionTokenKey
}

// ContentKeyPolicySymmetricTokenKey is an HMAC key (HS256 JWT, SWT).
type ContentKeyPolicySymmetricTokenKey struct {
	KeyValue Base64 `json:"keyValue"`
}

// ContentKeyPolicyRsaTokenKey is an RSA public key as big-endian modulus
// and exponent bytes (RS256 JWT).
type ContentKeyPolicyRsaTokenKey struct {
	Exponent Base64 `json:"exponent"`
	Modulus  Base64 `json:"modulus"`
}

// ContentKeyPolicyX509CertificateTokenKey is a certificate whose public key
// verifies tokens.
type ContentKeyPolicyX509CertificateTokenKey struct {
	// RawBody is a DER certificate (PEM text is accepted too). The AMS
	// documentation mentions PKCS#12; the standard library cannot read
	// PKCS#12, so it is rejected with a message saying so.
	RawBody Base64 `json:"rawBody"`
}

// Symmetric key lengths. RFC 7518 §3.2 wants HS256 keys of at least 32
// bytes; AMS accepted shorter ones and its samples use 16, so keys from
// MinSymmetricTokenKeyBytes up are honoured (with a warning, see
// ShortSymmetricTokenKeys) and shorter ones, guessable, are refused.
const (
	MinSymmetricTokenKeyBytes         = 16
	RecommendedSymmetricTokenKeyBytes = 32
)

// RSA modulus bounds: AMS accepted 1024-bit keys; 16384 bits is where Go's
// crypto/rsa stops, and bounds the cost of each verification.
const (
	MinRsaTokenKeyBits = 1024
	MaxRsaTokenKeyBits = 16384
)

func decodeTokenKey(raw []byte, path string) (ContentKeyPolicyRestrictionTokenKey, error) {
	t, ok, err := readODataType(raw, path)
	if !ok {
		return nil, err
	}
	var k ContentKeyPolicyRestrictionTokenKey
	switch t {
	case ODataTypeSymmetricTokenKey:
		k = new(ContentKeyPolicySymmetricTokenKey)
	case ODataTypeRsaTokenKey:
		k = new(ContentKeyPolicyRsaTokenKey)
	case ODataTypeX509CertificateTokenKey:
		k = new(ContentKeyPolicyX509CertificateTokenKey)
	default:
		return nil, unknownODataType(path, t, ODataTypeSymmetricTokenKey, ODataTypeRsaTokenKey, ODataTypeX509CertificateTokenKey)
	}
	if err := decodeAt(raw, path, k); err != nil {
		return nil, err
	}
	return k, nil
}

// ODataType returns the discriminator.
func (*ContentKeyPolicySymmetricTokenKey) ODataType() string { return ODataTypeSymmetricTokenKey }

// ODataType returns the discriminator.
func (*ContentKeyPolicyRsaTokenKey) ODataType() string { return ODataTypeRsaTokenKey }

// ODataType returns the discriminator.
func (*ContentKeyPolicyX509CertificateTokenKey) ODataType() string {
	return ODataTypeX509CertificateTokenKey
}

// MarshalJSON writes the discriminator first.
func (k ContentKeyPolicySymmetricTokenKey) MarshalJSON() ([]byte, error) {
	type alias ContentKeyPolicySymmetricTokenKey
	return marshalTyped(ODataTypeSymmetricTokenKey, alias(k))
}

// MarshalJSON writes the discriminator first.
func (k ContentKeyPolicyRsaTokenKey) MarshalJSON() ([]byte, error) {
	type alias ContentKeyPolicyRsaTokenKey
	return marshalTyped(ODataTypeRsaTokenKey, alias(k))
}

// MarshalJSON writes the discriminator first.
func (k ContentKeyPolicyX509CertificateTokenKey) MarshalJSON() ([]byte, error) {
	type alias ContentKeyPolicyX509CertificateTokenKey
	return marshalTyped(ODataTypeX509CertificateTokenKey, alias(k))
}

func (k *ContentKeyPolicySymmetricTokenKey) validateKey(path string) error {
	if k == nil {
		return required(path)
	}
	if len(k.KeyValue) == 0 {
		return required(join(path, "keyValue"))
	}
	if len(k.KeyValue) < MinSymmetricTokenKeyBytes {
		return errorf(join(path, "keyValue"), "is %d bytes; a symmetric token key needs at least %d (32 or more recommended for HS256)", len(k.KeyValue), MinSymmetricTokenKeyBytes)
	}
	return nil
}

func (k *ContentKeyPolicyRsaTokenKey) validateKey(path string) error {
	if k == nil {
		return required(path)
	}
	mp := join(path, "modulus")
	if len(k.Modulus) == 0 {
		return required(mp)
	}
	n := new(big.Int).SetBytes(k.Modulus)
	switch bits := n.BitLen(); {
	case bits < MinRsaTokenKeyBits:
		return errorf(mp, "must be at least %d bits (got %d)", MinRsaTokenKeyBits, bits)
	case bits > MaxRsaTokenKeyBits:
		return errorf(mp, "must be at most %d bits (got %d)", MaxRsaTokenKeyBits, bits)
	case n.Bit(0) == 0:
		return errorf(mp, "must be odd")
	}
	ep := join(path, "exponent")
	if len(k.Exponent) == 0 {
		return required(ep)
	}
	// crypto/rsa holds the exponent in an int and needs it odd and > 1.
	e := new(big.Int).SetBytes(k.Exponent)
	if e.BitLen() > 31 || e.Int64() < 3 || e.Bit(0) == 0 {
		return errorf(ep, "must be an odd integer from 3 to 2^31-1 (usually 65537, \"AQAB\")")
	}
	return nil
}

func (k *ContentKeyPolicyX509CertificateTokenKey) validateKey(path string) error {
	if k == nil {
		return required(path)
	}
	p := join(path, "rawBody")
	if len(k.RawBody) == 0 {
		return required(p)
	}
	if _, err := ParseTokenCertificate(k.RawBody); err != nil {
		return errorf(p, "must be a DER or PEM X.509 certificate (PKCS#12 is not supported): %v", err)
	}
	return nil
}

// ParseTokenCertificate parses an X.509 token key's rawBody: DER, or PEM
// text holding one CERTIFICATE block.
func ParseTokenCertificate(raw []byte) (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(raw)
	if err == nil {
		return cert, nil
	}
	if block, _ := pem.Decode(raw); block != nil && block.Type == "CERTIFICATE" {
		return x509.ParseCertificate(block.Bytes)
	}
	return nil, err
}

func (k *ContentKeyPolicySymmetricTokenKey) copyKey(redact bool) ContentKeyPolicyRestrictionTokenKey {
	if k == nil {
		return nil
	}
	if redact {
		return &ContentKeyPolicySymmetricTokenKey{KeyValue: Base64{}}
	}
	return &ContentKeyPolicySymmetricTokenKey{KeyValue: cloneSlice(k.KeyValue)}
}

func (k *ContentKeyPolicyRsaTokenKey) copyKey(redact bool) ContentKeyPolicyRestrictionTokenKey {
	if k == nil {
		return nil
	}
	if redact {
		return &ContentKeyPolicyRsaTokenKey{Exponent: Base64{}, Modulus: Base64{}}
	}
	return &ContentKeyPolicyRsaTokenKey{Exponent: cloneSlice(k.Exponent), Modulus: cloneSlice(k.Modulus)}
}

func (k *ContentKeyPolicyX509CertificateTokenKey) copyKey(redact bool) ContentKeyPolicyRestrictionTokenKey {
	if k == nil {
		return nil
	}
	if redact {
		return &ContentKeyPolicyX509CertificateTokenKey{RawBody: Base64{}}
	}
	return &ContentKeyPolicyX509CertificateTokenKey{RawBody: cloneSlice(k.RawBody)}
}

// ShortSymmetricTokenKeys returns the field paths of the JWT symmetric keys
// in p shorter than RecommendedSymmetricTokenKeyBytes: accepted for AMS
// compatibility, but below what RFC 7518 §3.2 asks for HS256, so the API
// warns about them.
func ShortSymmetricTokenKeys(p *ContentKeyPolicyProperties) []string {
	if p == nil {
		return nil
	}
	var out []string
	for i, o := range p.Options {
		r, ok := o.Restriction.(*ContentKeyPolicyTokenRestriction)
		if !ok || r == nil || r.RestrictionTokenType != ContentKeyPolicyRestrictionTokenTypeJwt {
			continue
		}
		rp := join(index("properties.options", i), "restriction")
		check := func(path string, k ContentKeyPolicyRestrictionTokenKey) {
			if s, ok := k.(*ContentKeyPolicySymmetricTokenKey); ok && s != nil && len(s.KeyValue) < RecommendedSymmetricTokenKeyBytes {
				out = append(out, join(path, "keyValue"))
			}
		}
		check(join(rp, "primaryVerificationKey"), r.PrimaryVerificationKey)
		for j, k := range r.AlternateVerificationKeys {
			check(index(join(rp, "alternateVerificationKeys"), j), k)
		}
	}
	return out
}
