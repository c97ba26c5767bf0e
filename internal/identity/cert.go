package identity

import (
	"context"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t thumbprints are SHA-1 by definition (RFC 7515 §4.1.7)
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// AddCertificate registers an X.509 certificate (PEM or DER) whose RSA key
// (at least 2048 bits) the principal may sign client assertions with
// (RFC 7523, private_key_jwt). Only the public certificate is stored.
func (s *Service) AddCertificate(ctx context.Context, clientID string, cert []byte) (CertificateInfo, error) {
	info, err := s.addCertificate(ctx, clientID, cert)
	s.auditMgmt(ctx, "servicePrincipals/addKey", clientID+" "+info.KeyID, err)
	return info, err
}

func (s *Service) addCertificate(ctx context.Context, clientID string, cert []byte) (CertificateInfo, error) {
	der := cert
	if b, _ := pem.Decode(cert); b != nil {
		if b.Type != "CERTIFICATE" {
			return CertificateInfo{}, fmt.Errorf("%w: PEM block is %q, want CERTIFICATE", ErrInvalid, b.Type)
		}
		der = b.Bytes
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return CertificateInfo{}, fmt.Errorf("%w: certificate: %v", ErrInvalid, err)
	}
	pub, ok := c.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() < 2048 {
		return CertificateInfo{}, fmt.Errorf("%w: certificate key must be RSA of at least 2048 bits", ErrInvalid)
	}
	now := s.now()
	if !now.Before(c.NotAfter) {
		return CertificateInfo{}, fmt.Errorf("%w: certificate expired %s", ErrInvalid, c.NotAfter.UTC().Format("2006-01-02"))
	}
	keyID, err := s.newUUID()
	if err != nil {
		return CertificateInfo{}, err
	}
	s1, s256 := sha1.Sum(c.Raw), sha256.Sum256(c.Raw)
	info := CertificateInfo{KeyID: keyID, Thumbprint: strings.ToUpper(hex.EncodeToString(s1[:])),
		ThumbprintSHA256: strings.ToUpper(hex.EncodeToString(s256[:])), Subject: c.Subject.String(),
		Start: c.NotBefore.UTC(), End: c.NotAfter.UTC(), DER: c.Raw}
	_, err = s.updatePrincipal(ctx, clientID, func(pr *principalRecord) error {
		if len(pr.p.Secrets)+len(pr.p.Certificates) >= s.cfg.MaxCredentials {
			return fmt.Errorf("%w: principal already has %d credentials", ErrInvalid, s.cfg.MaxCredentials)
		}
		if slices.ContainsFunc(pr.p.Certificates, func(ci CertificateInfo) bool { return ci.ThumbprintSHA256 == info.ThumbprintSHA256 }) {
			return fmt.Errorf("certificate %s already registered: %w", info.Thumbprint, store.ErrConflict)
		}
		pr.p.Certificates = append(pr.p.Certificates, info)
		return nil
	})
	if err != nil {
		return CertificateInfo{}, fmt.Errorf("identity: add certificate to %.64q: %w", clientID, err)
	}
	return info, nil
}

// RemoveCertificate deletes a certificate credential by key id. Errors
// wrap store.ErrNotFound when there is none.
func (s *Service) RemoveCertificate(ctx context.Context, clientID, keyID string) error {
	_, err := s.updatePrincipal(ctx, clientID, func(pr *principalRecord) error {
		n := len(pr.p.Certificates)
		pr.p.Certificates = slices.DeleteFunc(pr.p.Certificates, func(ci CertificateInfo) bool { return strings.EqualFold(ci.KeyID, keyID) })
		if len(pr.p.Certificates) == n {
			return fmt.Errorf("certificate %.64q: %w", keyID, store.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("identity: remove certificate of %.64q: %w", clientID, err)
	}
	s.auditMgmt(ctx, "servicePrincipals/removeKey", clientID+" "+keyID, err)
	return err
}

// validCertificates returns the parsed certificates of pr valid at now.
func validCertificates(pr *principalRecord, now time.Time) []*x509.Certificate {
	var out []*x509.Certificate
	for _, ci := range pr.p.Certificates {
		c, err := x509.ParseCertificate(ci.DER)
		if err != nil || now.Before(c.NotBefore) || !now.Before(c.NotAfter) {
			continue
		}
		out = append(out, c)
	}
	return out
}
