package ksm

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/lockstream/lockstream/internal/defs"
)

// Credentials are an FPS deployment's certificate, private key and ASk,
// as a content key policy's FairPlay configuration holds them.
type Credentials struct {
	Key *rsa.PrivateKey
	// Cert is the FPS certificate (DER), served to players as the
	// application certificate.
	Cert []byte
	// CertHash is SHA-1 of Cert, what SPCs v1/v2 name.
	CertHash [20]byte
	ASk      [16]byte
}

// ErrCredentials means a FairPlay configuration's PFX, password or ASk
// cannot be used (an operator error, found at the first request).
var ErrCredentials = errors.New("ksm: unusable FairPlay credentials")

// ParseCredentials opens the PKCS#12 file of cfg with its password.
func ParseCredentials(cfg *defs.ContentKeyPolicyFairPlayConfiguration) (*Credentials, error) {
	if len(cfg.Ask) != 16 {
		return nil, fmt.Errorf("%w: ASk of %d bytes", ErrCredentials, len(cfg.Ask))
	}
	pfx, err := base64.StdEncoding.DecodeString(cfg.FairPlayPfx)
	if err != nil {
		return nil, fmt.Errorf("%w: fairPlayPfx is not base64: %w", ErrCredentials, err)
	}
	priv, cert, _, err := pkcs12.DecodeChain(pfx, cfg.FairPlayPfxPassword)
	if err != nil {
		return nil, fmt.Errorf("%w: open PKCS#12: %w", ErrCredentials, err)
	}
	rk, ok := priv.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: the PKCS#12 key is %T, FPS needs RSA", ErrCredentials, priv)
	}
	if n := rk.Size(); n != spcV1WrappedKey && n != spcV2WrappedKey {
		return nil, fmt.Errorf("%w: RSA key of %d bits, FPS uses 1024 or 2048", ErrCredentials, n*8)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&rk.PublicKey) {
		return nil, fmt.Errorf("%w: the certificate does not match the private key", ErrCredentials)
	}
	c := &Credentials{Key: rk, Cert: cert.Raw, CertHash: sha1.Sum(cert.Raw)}
	copy(c.ASk[:], cfg.Ask)
	return c, nil
}

// credCache keeps opened credentials by a digest of what they were opened
// from: PKCS#12 decoding (PBKDF iterations) costs milliseconds.
type credCache struct {
	mu sync.Mutex
	m  map[[32]byte]*Credentials
}

const maxCachedCredentials = 64

func (c *credCache) get(cfg *defs.ContentKeyPolicyFairPlayConfiguration) (*Credentials, error) {
	h := sha256.New()
	h.Write(cfg.Ask)
	h.Write([]byte{0})
	h.Write([]byte(cfg.FairPlayPfx))
	h.Write([]byte{0})
	h.Write([]byte(cfg.FairPlayPfxPassword))
	var k [32]byte
	h.Sum(k[:0])
	c.mu.Lock()
	cr, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return cr, nil
	}
	cr, err := ParseCredentials(cfg)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedCredentials {
		c.m = map[[32]byte]*Credentials{}
	}
	c.m[k] = cr
	return cr, nil
}
