package playready

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/lockstream/lockstream/internal/keys"
)

// MaxHeaderSize bounds the XML ParseHeader reads; a header inside a
// MaxObjectSize PRO is far smaller.
const MaxHeaderSize = 64 << 10

type xmlKID struct {
	AlgID    *string `xml:"ALGID,attr"`
	Checksum *string `xml:"CHECKSUM,attr"`
	Value    string  `xml:"VALUE,attr"`
}

type xmlHeader struct {
	XMLName xml.Name `xml:"WRMHEADER"`
	Version string   `xml:"version,attr"`
	Data    *struct {
		ProtectInfo *struct {
			KeyLen *string  `xml:"KEYLEN"`
			AlgID  *string  `xml:"ALGID"`
			KID    []xmlKID `xml:"KID"`
			KIDs   *struct {
				KID []xmlKID `xml:"KID"`
			} `xml:"KIDS"`
		} `xml:"PROTECTINFO"`
		KID              *string `xml:"KID"`
		Checksum         *string `xml:"CHECKSUM"`
		LAURL            string  `xml:"LA_URL"`
		LUIURL           string  `xml:"LUI_URL"`
		DSID             string  `xml:"DS_ID"`
		DecryptorSetup   string  `xml:"DECRYPTORSETUP"`
		CustomAttributes *struct {
			Inner string `xml:",innerxml"`
		} `xml:"CUSTOMATTRIBUTES"`
	} `xml:"DATA"`
}

// ParseHeader reads a WRMHEADER of version 4.0.0.0 to 4.3.0.0, such as the
// result of [HeaderFromObject]. It accepts exactly what [Header.Marshal]
// can write back (the same checks apply), tolerating non-canonical
// formatting and unknown elements, so Marshal(ParseHeader(x)) is the
// canonical form of x. Key IDs come back with their Checksum and a nil Key;
// CustomAttributes comes back in canonical form.
func ParseHeader(s string) (Header, error) {
	if len(s) > MaxHeaderSize {
		return Header{}, fmt.Errorf("parse playready header: %w: %d bytes, limit %d", ErrInvalidHeader, len(s), MaxHeaderSize)
	}
	var x xmlHeader
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.CharsetReader = alreadyDecoded
	if err := dec.Decode(&x); err != nil {
		return Header{}, fmt.Errorf("parse playready header: %w: %w", ErrInvalidHeader, err)
	}
	h, err := fromXML(&x)
	if err != nil {
		return Header{}, fmt.Errorf("parse playready header: %w", err)
	}
	if err := h.validate(); err != nil {
		return Header{}, fmt.Errorf("parse playready header: %w", err)
	}
	if _, err := h.checksums(); err != nil {
		return Header{}, fmt.Errorf("parse playready header: %w", err)
	}
	return h, nil
}

// alreadyDecoded accepts a prolog that declares UTF-16: the header travels
// as UTF-16LE inside a PRO, but by the time it is a Go string it has been
// decoded to UTF-8, so the declaration no longer describes the bytes.
func alreadyDecoded(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-16", "utf-16le", "unicode":
		return r, nil
	}
	return nil, fmt.Errorf("unsupported encoding %.32q", label)
}

func fromXML(x *xmlHeader) (Header, error) {
	if x.XMLName.Space != Namespace {
		return Header{}, fmt.Errorf("%w: namespace %.80q, want %q", ErrInvalidHeader, x.XMLName.Space, Namespace)
	}
	d := x.Data
	if d == nil || d.ProtectInfo == nil {
		return Header{}, fmt.Errorf("%w: missing DATA/PROTECTINFO", ErrInvalidHeader)
	}
	h := Header{
		Version:        Version(x.Version),
		LAURL:          strings.TrimSpace(d.LAURL),
		LUIURL:         strings.TrimSpace(d.LUIURL),
		DSID:           strings.TrimSpace(d.DSID),
		DecryptorSetup: strings.TrimSpace(d.DecryptorSetup),
	}
	if d.CustomAttributes != nil {
		c, err := canonicalCustomAttributes(d.CustomAttributes.Inner)
		if err != nil {
			return Header{}, err
		}
		h.CustomAttributes = c
	}
	pi := d.ProtectInfo
	var err error
	switch h.Version {
	case Version40:
		if d.KID == nil || len(pi.KID) > 0 || pi.KIDs != nil {
			return Header{}, fmt.Errorf("%w: version 4.0.0.0 wants one DATA/KID element", ErrInvalidHeader)
		}
		if pi.AlgID == nil || strings.TrimSpace(*pi.AlgID) != string(AESCTR) ||
			pi.KeyLen == nil || strings.TrimSpace(*pi.KeyLen) != "16" {
			return Header{}, fmt.Errorf("%w: version 4.0.0.0 wants KEYLEN 16 and ALGID AESCTR", ErrInvalidHeader)
		}
		h.Algorithm = AESCTR
		var k HeaderKey
		if k.KID, err = parseKIDValue(strings.TrimSpace(*d.KID)); err != nil {
			return Header{}, err
		}
		if d.Checksum != nil {
			if k.Checksum, err = parseChecksum(strings.TrimSpace(*d.Checksum)); err != nil {
				return Header{}, err
			}
		}
		h.Keys = []HeaderKey{k}
	case Version41, Version42, Version43:
		if d.KID != nil || d.Checksum != nil || pi.KeyLen != nil || pi.AlgID != nil {
			return Header{}, fmt.Errorf("%w: version %s has 4.0.0.0 elements", ErrInvalidHeader, h.Version)
		}
		list := pi.KID
		if h.Version == Version41 {
			if pi.KIDs != nil {
				return Header{}, fmt.Errorf("%w: version 4.1.0.0 has no KIDS element", ErrInvalidHeader)
			}
		} else {
			if len(pi.KID) > 0 || pi.KIDs == nil {
				return Header{}, fmt.Errorf("%w: version %s lists key ids in PROTECTINFO/KIDS", ErrInvalidHeader, h.Version)
			}
			list = pi.KIDs.KID
		}
		if h.Algorithm, h.Keys, err = parseKIDList(list); err != nil {
			return Header{}, err
		}
	default:
		return Header{}, fmt.Errorf("%w: version %.16q, want 4.0.0.0, 4.1.0.0, 4.2.0.0 or 4.3.0.0", ErrInvalidHeader, x.Version)
	}
	return h, nil
}

// parseKIDList reads KID elements of 4.1 and later, whose ALGID must be
// present on all of them or on none, with one value.
func parseKIDList(list []xmlKID) (Algorithm, []HeaderKey, error) {
	if len(list) == 0 {
		return "", nil, fmt.Errorf("%w: no key ids", ErrInvalidHeader)
	}
	var alg Algorithm
	out := make([]HeaderKey, 0, len(list))
	for i, e := range list {
		a := Unspecified
		if e.AlgID != nil {
			a = Algorithm(*e.AlgID)
			if a == Unspecified {
				return "", nil, fmt.Errorf("%w: KID %d has an empty ALGID", ErrInvalidHeader, i)
			}
		}
		if i == 0 {
			alg = a
		} else if a != alg {
			return "", nil, fmt.Errorf("%w: KID %d has ALGID %.16q, KID 0 has %q", ErrInvalidHeader, i, a, alg)
		}
		var k HeaderKey
		var err error
		if k.KID, err = parseKIDValue(e.Value); err != nil {
			return "", nil, err
		}
		if e.Checksum != nil {
			if k.Checksum, err = parseChecksum(*e.Checksum); err != nil {
				return "", nil, err
			}
		}
		out = append(out, k)
	}
	return alg, out, nil
}

func parseKIDValue(s string) (keys.KID, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != 16 {
		return keys.KID{}, fmt.Errorf("%w: KID %.32q is not the base64 of 16 bytes", ErrInvalidHeader, s)
	}
	return keys.KIDFromPlayReadyBytes([16]byte(b)), nil
}

func parseChecksum(s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != ChecksumSize {
		return nil, fmt.Errorf("%w: CHECKSUM %.32q is not the base64 of 8 bytes", ErrInvalidHeader, s)
	}
	return b, nil
}
