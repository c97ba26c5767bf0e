package widevine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

// Field numbers of WidevinePsshData.
const (
	fieldKeyID            protowire.Number = 2
	fieldProvider         protowire.Number = 3
	fieldContentID        protowire.Number = 4
	fieldPolicy           protowire.Number = 6
	fieldProtectionScheme protowire.Number = 9
)

// Protection schemes, as the four-character codes of ISO/IEC 23001-7.
const (
	SchemeCENC = "cenc"
	SchemeCBC1 = "cbc1"
	SchemeCENS = "cens"
	SchemeCBCS = "cbcs"
)

// ErrInvalidData means bytes are not a WidevinePsshData message Lockstream
// understands, or a PsshData cannot be encoded. Errors wrap it with detail.
var ErrInvalidData = errors.New("widevine: invalid pssh data")

// PsshData is the content of a WidevinePsshData message.
type PsshData struct {
	// KeyIDs lists the key IDs, in UUID byte order.
	KeyIDs []keys.KID
	// Provider is the Widevine provider (account) name; optional.
	Provider string
	// ContentID is the provider's content identifier; optional.
	ContentID []byte
	// Policy names a policy registered with the license service; optional.
	Policy string
	// ProtectionScheme is "cenc", "cbc1", "cens" or "cbcs"; empty means
	// cenc.
	ProtectionScheme string
}

// Marshal encodes d in field-number order. It needs at least one key ID or
// a content ID: with neither, a license service cannot tell which keys are
// meant.
func (d PsshData) Marshal() ([]byte, error) {
	if err := d.validate(); err != nil {
		return nil, fmt.Errorf("marshal widevine pssh data: %w", err)
	}
	var b []byte
	for _, kid := range d.KeyIDs {
		b = protowire.AppendTag(b, fieldKeyID, protowire.BytesType)
		b = protowire.AppendBytes(b, kid[:])
	}
	if d.Provider != "" {
		b = protowire.AppendTag(b, fieldProvider, protowire.BytesType)
		b = protowire.AppendString(b, d.Provider)
	}
	if len(d.ContentID) > 0 {
		b = protowire.AppendTag(b, fieldContentID, protowire.BytesType)
		b = protowire.AppendBytes(b, d.ContentID)
	}
	if d.Policy != "" {
		b = protowire.AppendTag(b, fieldPolicy, protowire.BytesType)
		b = protowire.AppendString(b, d.Policy)
	}
	if d.ProtectionScheme != "" && d.ProtectionScheme != SchemeCENC {
		b = protowire.AppendTag(b, fieldProtectionScheme, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(binary.BigEndian.Uint32([]byte(d.ProtectionScheme))))
	}
	return b, nil
}

func (d PsshData) validate() error {
	switch {
	case len(d.KeyIDs) == 0 && len(d.ContentID) == 0:
		return fmt.Errorf("%w: neither key ids nor content id", ErrInvalidData)
	case !utf8.ValidString(d.Provider):
		return fmt.Errorf("%w: provider is not UTF-8", ErrInvalidData)
	case !utf8.ValidString(d.Policy):
		return fmt.Errorf("%w: policy is not UTF-8", ErrInvalidData)
	}
	switch d.ProtectionScheme {
	case "", SchemeCENC, SchemeCBC1, SchemeCENS, SchemeCBCS:
		return nil
	}
	return fmt.Errorf("%w: protection scheme %.8q", ErrInvalidData, d.ProtectionScheme)
}

// UnmarshalPsshData decodes a WidevinePsshData message, such as the data of
// a Widevine PSSH box or the PSSH a key server returned. Fields this
// package does not model are skipped, as protobuf decoders do. It refuses a
// key ID that is not 16 bytes, a protection scheme other than the four
// Common Encryption schemes, a known field with the wrong wire type, and
// malformed wire data. ProtectionScheme is "cenc" only when the message
// says so explicitly.
func UnmarshalPsshData(b []byte) (PsshData, error) {
	var d PsshData
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return PsshData{}, wireError(n)
		}
		b = b[n:]
		var err error
		switch num {
		case fieldKeyID:
			var v []byte
			if v, n, err = consumeBytes(b, typ, num); err == nil {
				if len(v) != 16 {
					err = fmt.Errorf("%w: key_id has %d bytes, want 16", ErrInvalidData, len(v))
				} else {
					d.KeyIDs = append(d.KeyIDs, keys.KID(v))
				}
			}
		case fieldProvider, fieldPolicy:
			var v []byte
			if v, n, err = consumeBytes(b, typ, num); err == nil {
				if !utf8.Valid(v) {
					err = fmt.Errorf("%w: field %d is not UTF-8", ErrInvalidData, num)
				} else if num == fieldProvider {
					d.Provider = string(v)
				} else {
					d.Policy = string(v)
				}
			}
		case fieldContentID:
			var v []byte
			if v, n, err = consumeBytes(b, typ, num); err == nil {
				d.ContentID = append([]byte(nil), v...)
			}
		case fieldProtectionScheme:
			d.ProtectionScheme, n, err = consumeScheme(b, typ)
		default:
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				err = wireError(n)
			}
		}
		if err != nil {
			return PsshData{}, err
		}
		b = b[n:]
	}
	if err := d.validate(); err != nil {
		return PsshData{}, err
	}
	return d, nil
}

func consumeBytes(b []byte, typ protowire.Type, num protowire.Number) ([]byte, int, error) {
	if typ != protowire.BytesType {
		return nil, 0, fmt.Errorf("%w: field %d has wire type %d, want bytes", ErrInvalidData, num, typ)
	}
	v, n := protowire.ConsumeBytes(b)
	if n < 0 {
		return nil, 0, wireError(n)
	}
	return v, n, nil
}

func consumeScheme(b []byte, typ protowire.Type) (string, int, error) {
	if typ != protowire.VarintType {
		return "", 0, fmt.Errorf("%w: protection_scheme has wire type %d, want varint", ErrInvalidData, typ)
	}
	v, n := protowire.ConsumeVarint(b)
	if n < 0 {
		return "", 0, wireError(n)
	}
	if v > 0xffffffff {
		return "", 0, fmt.Errorf("%w: protection_scheme 0x%x overflows uint32", ErrInvalidData, v)
	}
	var cc [4]byte
	binary.BigEndian.PutUint32(cc[:], uint32(v))
	switch s := string(cc[:]); s {
	case SchemeCENC, SchemeCBC1, SchemeCENS, SchemeCBCS:
		return s, n, nil
	}
	return "", 0, fmt.Errorf("%w: unknown protection_scheme 0x%08x", ErrInvalidData, v)
}

func wireError(n int) error {
	return fmt.Errorf("%w: %w", ErrInvalidData, protowire.ParseError(n))
}

// PSSH returns the version 0 Widevine PSSH box carrying d.
func (d PsshData) PSSH() (drm.PSSH, error) {
	data, err := d.Marshal()
	if err != nil {
		return drm.PSSH{}, err
	}
	p := drm.PSSH{SystemID: drm.Widevine, Data: data}
	if err := p.Validate(); err != nil {
		return drm.PSSH{}, fmt.Errorf("build widevine pssh: %w", err)
	}
	return p, nil
}
