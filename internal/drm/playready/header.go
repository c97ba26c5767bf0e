package playready

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/lockstream/lockstream/internal/keys"
)

// Namespace is the XML namespace of WRMHEADER.
const Namespace = "http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader"

// DecryptorSetupOnDemand is the only DECRYPTORSETUP value: the client may
// set up the decryptor only when it reaches encrypted samples, which lets
// players start clear-lead content before the license arrives.
const DecryptorSetupOnDemand = "ONDEMAND"

// ErrInvalidHeader means a Header cannot be written, or XML is not a
// WRMHEADER this package understands. Errors wrap it with detail.
var ErrInvalidHeader = errors.New("playready: invalid header")

// HeaderKey is one key ID of a header.
type HeaderKey struct {
	// KID is the key ID in UUID byte order.
	KID keys.KID
	// Key, when set and the algorithm is AESCTR, yields the CHECKSUM.
	// It is never written to the header.
	Key *keys.Key
	// Checksum is the 8-byte AESCTR checksum: what ParseHeader read, or a
	// value to write when Key is nil. When Key is set too, they must agree.
	Checksum []byte
}

// Header is the content of a WRMHEADER.
type Header struct {
	Version Version
	// Algorithm applies to every key ID (4.3 requires them to agree).
	Algorithm Algorithm
	// Keys lists the key IDs: exactly one for 4.0 and 4.1, one or more for
	// 4.2 and 4.3.
	Keys []HeaderKey
	// LAURL is the absolute license acquisition URL; optional.
	LAURL string
	// LUIURL is the absolute license user-interface URL; optional.
	LUIURL string
	// DSID is the base64 domain service ID (a GUID); optional.
	DSID string
	// CustomAttributes is free-form XML, such as an AMS policy's
	// playReadyCustomAttributes. It must be well-formed element content;
	// it is written in canonical form.
	CustomAttributes string
	// DecryptorSetup is "" or DecryptorSetupOnDemand (4.1 and later).
	DecryptorSetup string
}

// NewHeader returns a header for content encrypted with scheme ("cenc" or
// "cbcs") under the given keys, with the version and algorithm from
// [ChooseVersion]. Callers add URLs and attributes to the result.
func NewHeader(scheme string, hk []HeaderKey) (Header, error) {
	v, alg, err := ChooseVersion(scheme, len(hk))
	if err != nil {
		return Header{}, err
	}
	return Header{Version: v, Algorithm: alg, Keys: hk}, nil
}

// Marshal returns the WRMHEADER in canonical form (see the package
// documentation). It is the text a PlayReady Object carries; [Header.Object]
// wraps it.
func (h Header) Marshal() (string, error) {
	if err := h.validate(); err != nil {
		return "", fmt.Errorf("marshal playready header: %w", err)
	}
	custom, err := canonicalCustomAttributes(h.CustomAttributes)
	if err != nil {
		return "", fmt.Errorf("marshal playready header: %w", err)
	}
	sums, err := h.checksums()
	if err != nil {
		return "", fmt.Errorf("marshal playready header: %w", err)
	}

	var b strings.Builder
	b.WriteString(`<WRMHEADER xmlns="` + Namespace + `" version="` + string(h.Version) + `"><DATA>`)
	if h.Version == Version40 {
		// 4.0 keeps the algorithm in PROTECTINFO and the key ID and its
		// checksum as DATA children.
		b.WriteString(`<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>`)
		b.WriteString(`<KID>` + kidValue(h.Keys[0].KID) + `</KID>`)
		b.WriteString(`<CHECKSUM>` + base64.StdEncoding.EncodeToString(sums[0]) + `</CHECKSUM>`)
	} else {
		b.WriteString(`<PROTECTINFO>`)
		if h.Version != Version41 {
			b.WriteString(`<KIDS>`)
		}
		for i, k := range h.Keys {
			b.WriteString(`<KID`)
			if h.Algorithm != Unspecified {
				b.WriteString(` ALGID="` + string(h.Algorithm) + `"`)
			}
			if sums[i] != nil {
				b.WriteString(` CHECKSUM="` + base64.StdEncoding.EncodeToString(sums[i]) + `"`)
			}
			b.WriteString(` VALUE="` + kidValue(k.KID) + `"></KID>`)
		}
		if h.Version != Version41 {
			b.WriteString(`</KIDS>`)
		}
		b.WriteString(`</PROTECTINFO>`)
	}
	writeElement(&b, "LA_URL", h.LAURL)
	writeElement(&b, "LUI_URL", h.LUIURL)
	writeElement(&b, "DS_ID", h.DSID)
	if custom != "" {
		b.WriteString(`<CUSTOMATTRIBUTES>` + custom + `</CUSTOMATTRIBUTES>`)
	}
	writeElement(&b, "DECRYPTORSETUP", h.DecryptorSetup)
	b.WriteString(`</DATA></WRMHEADER>`)
	return b.String(), nil
}

func writeElement(b *strings.Builder, name, text string) {
	if text == "" {
		return
	}
	b.WriteString("<" + name + ">")
	b.WriteString(escapeText(text))
	b.WriteString("</" + name + ">")
}

// kidValue is the base64 of the KID in little-endian GUID order.
func kidValue(kid keys.KID) string {
	le := kid.PlayReadyBytes()
	return base64.StdEncoding.EncodeToString(le[:])
}

func (h Header) validate() error {
	switch h.Version {
	case Version40, Version41:
		if len(h.Keys) != 1 {
			return fmt.Errorf("%w: version %s takes exactly 1 key id, have %d", ErrInvalidHeader, h.Version, len(h.Keys))
		}
	case Version42, Version43:
		if len(h.Keys) == 0 {
			return fmt.Errorf("%w: no key ids", ErrInvalidHeader)
		}
	default:
		return fmt.Errorf("%w: version %.16q, want 4.0.0.0, 4.1.0.0, 4.2.0.0 or 4.3.0.0", ErrInvalidHeader, h.Version)
	}
	switch h.Algorithm {
	case AESCTR:
	case AESCBC, Unspecified:
		if h.Version != Version43 {
			return fmt.Errorf("%w: algorithm %q needs version 4.3.0.0", ErrInvalidHeader, h.Algorithm)
		}
	default:
		return fmt.Errorf("%w: algorithm %.16q, want AESCTR or AESCBC", ErrInvalidHeader, h.Algorithm)
	}
	seen := make(map[keys.KID]bool, len(h.Keys))
	for _, k := range h.Keys {
		if seen[k.KID] {
			return fmt.Errorf("%w: key id %v listed twice", ErrInvalidHeader, k.KID)
		}
		seen[k.KID] = true
	}
	if h.Version == Version40 && h.Keys[0].Key == nil && h.Keys[0].Checksum == nil {
		return fmt.Errorf("%w: version 4.0.0.0 needs a CHECKSUM: give the key", ErrInvalidHeader)
	}
	if err := checkURL("LA_URL", h.LAURL); err != nil {
		return err
	}
	if err := checkURL("LUI_URL", h.LUIURL); err != nil {
		return err
	}
	if h.DSID != "" {
		if b, err := base64.StdEncoding.Strict().DecodeString(h.DSID); err != nil || len(b) != 16 {
			return fmt.Errorf("%w: DS_ID is not the base64 of a 16-byte GUID", ErrInvalidHeader)
		}
	}
	switch h.DecryptorSetup {
	case "":
	case DecryptorSetupOnDemand:
		if h.Version == Version40 {
			return fmt.Errorf("%w: DECRYPTORSETUP needs version 4.1.0.0 or later", ErrInvalidHeader)
		}
	default:
		return fmt.Errorf("%w: DECRYPTORSETUP %.16q, want %q", ErrInvalidHeader, h.DecryptorSetup, DecryptorSetupOnDemand)
	}
	return nil
}

// checksums returns, per key, the checksum to write or nil.
func (h Header) checksums() ([][]byte, error) {
	out := make([][]byte, len(h.Keys))
	for i, k := range h.Keys {
		if h.Algorithm != AESCTR {
			if k.Checksum != nil {
				return nil, fmt.Errorf("%w: key id %v: a %q key has no CHECKSUM", ErrInvalidHeader, k.KID, h.Algorithm)
			}
			continue // a Key is fine: callers pass keys regardless of scheme
		}
		if k.Checksum != nil && len(k.Checksum) != ChecksumSize {
			return nil, fmt.Errorf("%w: key id %v: CHECKSUM has %d bytes, want %d", ErrInvalidHeader, k.KID, len(k.Checksum), ChecksumSize)
		}
		sum := k.Checksum
		if k.Key != nil {
			sum = Checksum(k.KID, *k.Key)
			if k.Checksum != nil && !bytes.Equal(sum, k.Checksum) {
				return nil, fmt.Errorf("%w: key id %v: CHECKSUM does not match the key", ErrInvalidHeader, k.KID)
			}
		}
		out[i] = sum
	}
	return out, nil
}

// checkURL accepts an empty value or an absolute URL with a host, written
// without white space or control characters (which a header cannot carry
// unambiguously).
func checkURL(field, s string) error {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%w: %s has white space, control characters or invalid UTF-8", ErrInvalidHeader, field)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%w: %s %.64q is not an absolute URL", ErrInvalidHeader, field, s)
	}
	return nil
}
