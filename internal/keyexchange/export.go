package keyexchange

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// ExportKey is one key of an export.
type ExportKey struct {
	KID keys.KID
	Key keys.Key
	// Scheme is the CPIX commonEncryptionScheme ("cenc", "cbcs"), or ""
	// for envelope (AES-128) keys, which have none.
	Scheme string
}

// ErrBadCertificate means a recipient certificate cannot be used; the
// message is safe to show.
var ErrBadCertificate = errors.New("keyexchange: unusable recipient certificate")

// RecipientDER accepts a certificate as PEM, base64 DER or DER and
// returns DER of an RSA certificate of at least 2048 bits.
func RecipientDER(b []byte) ([]byte, error) {
	der := b
	if p, _ := pem.Decode(b); p != nil {
		if p.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%w: PEM block %q, want CERTIFICATE", ErrBadCertificate, p.Type)
		}
		der = p.Bytes
	} else if d, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b))); err == nil {
		der = d
	}
	if _, err := cpix.RecipientKey(der); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCertificate, err)
	}
	return der, nil
}

// ExportCPIX writes a CPIX document (version "2.3" or "2.4") holding ks
// for contentID: clear, or encrypted to the recipient certificate (DER)
// when one is given.
func ExportCPIX(contentID, version string, ks []ExportKey, recipientDER []byte, r io.Reader) ([]byte, error) {
	if version == "" {
		version = cpix.Version23
	}
	if version != cpix.Version23 && version != cpix.Version24 {
		return nil, fmt.Errorf("%w: CPIX version %q, want 2.3 or 2.4", cpix.ErrInvalid, version)
	}
	if r == nil {
		r = rand.Reader
	}
	d := &cpix.Document{ContentID: contentID, Version: version}
	for _, k := range ks {
		v := k.Key
		d.ContentKeys = append(d.ContentKeys, cpix.ContentKey{KID: k.KID, Value: &v, CommonEncryptionScheme: k.Scheme})
	}
	if recipientDER != nil {
		d.DeliveryData = []cpix.DeliveryData{{ID: "recipient", Certificate: recipientDER}}
		if err := d.Encrypt(r); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	return d.Marshal()
}

// SchemeOf maps a streaming locator's content key type to a CPIX
// commonEncryptionScheme.
func SchemeOf(keyType string) string {
	switch keyType {
	case "CommonEncryptionCenc":
		return "cenc"
	case "CommonEncryptionCbcs":
		return "cbcs"
	}
	return ""
}

// LocatorKeys returns a streaming locator's id and content keys, opened.
func LocatorKeys(ctx context.Context, r store.Reader, sealer keys.Sealer, scope, locator string) (string, []ExportKey, error) {
	res, err := r.Get(ctx, store.Key{Kind: store.KindStreamingLocator, Scope: scope, Name: locator})
	if err != nil {
		return "", nil, fmt.Errorf("get locator %s: %w", locator, err)
	}
	cks, err := r.ContentKeys(ctx, res.Scope, res.Name)
	if err != nil {
		return "", nil, fmt.Errorf("content keys of %s: %w", locator, err)
	}
	out := make([]ExportKey, 0, len(cks))
	for _, ck := range cks {
		v, err := sealer.Open(ck.Sealed, []byte(store.ContentKeyAAD(ck.Scope, ck.LocatorName, ck.KID)))
		if err != nil {
			return "", nil, fmt.Errorf("open content key %s: %w", ck.KID, err)
		}
		kid, err := keys.ParseKID(ck.KID)
		if err != nil || len(v) != len(keys.Key{}) {
			return "", nil, fmt.Errorf("content key %s is malformed", ck.KID)
		}
		out = append(out, ExportKey{KID: kid, Key: keys.Key(v), Scheme: SchemeOf(ck.Type)})
	}
	return res.ID, out, nil
}
