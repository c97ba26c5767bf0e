package playready

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Record types of a PlayReady Object.
const (
	// RecordHeader holds a WRMHEADER as UTF-16LE XML.
	RecordHeader uint16 = 1
	// RecordLicenseStore is an embedded license store. Only PROs embedded
	// in files carry one; manifests and PSSH boxes do not.
	RecordLicenseStore uint16 = 3
)

// MaxObjectSize is the largest PlayReady Object clients accept (15 KB).
const MaxObjectSize = 15 << 10

// ErrInvalidObject means bytes are not a well-formed PlayReady Object, or
// records cannot be encoded as one. Errors wrap it with detail.
var ErrInvalidObject = errors.New("playready: invalid playready object")

// Record is one record of a PlayReady Object.
type Record struct {
	Type  uint16
	Value []byte
}

// MarshalObject encodes records as a PlayReady Object:
//
//	length u32 | record count u16 | { type u16 | value length u16 | value }…
//
// all little-endian, length counting the whole object.
func MarshalObject(records []Record) ([]byte, error) {
	if len(records) == 0 {
		return nil, fmt.Errorf("marshal playready object: %w: no records", ErrInvalidObject)
	}
	size := 6
	for i, r := range records {
		if len(r.Value) > 0xffff {
			return nil, fmt.Errorf("marshal playready object: %w: record %d has %d bytes, limit 65535", ErrInvalidObject, i, len(r.Value))
		}
		size += 4 + len(r.Value)
	}
	if size > MaxObjectSize {
		return nil, fmt.Errorf("marshal playready object: %w: %d bytes, limit %d", ErrInvalidObject, size, MaxObjectSize)
	}
	b := make([]byte, 0, size)
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(records)))
	for _, r := range records {
		b = binary.LittleEndian.AppendUint16(b, r.Type)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(r.Value)))
		b = append(b, r.Value...)
	}
	return b, nil
}

// ParseObject decodes a PlayReady Object that fills b exactly. The length
// field must equal len(b), the records must fill the object with nothing
// left over, and the object may not exceed MaxObjectSize. Record values
// are copied.
func ParseObject(b []byte) ([]Record, error) {
	if len(b) < 6 {
		return nil, fmt.Errorf("parse playready object: %w: %d bytes, too short", ErrInvalidObject, len(b))
	}
	if len(b) > MaxObjectSize {
		return nil, fmt.Errorf("parse playready object: %w: %d bytes, limit %d", ErrInvalidObject, len(b), MaxObjectSize)
	}
	if n := binary.LittleEndian.Uint32(b); n != uint32(len(b)) {
		return nil, fmt.Errorf("parse playready object: %w: length field %d, have %d bytes", ErrInvalidObject, n, len(b))
	}
	count := int(binary.LittleEndian.Uint16(b[4:]))
	if count == 0 {
		return nil, fmt.Errorf("parse playready object: %w: no records", ErrInvalidObject)
	}
	rest := b[6:]
	records := make([]Record, 0, min(count, len(rest)/4))
	for i := range count {
		if len(rest) < 4 {
			return nil, fmt.Errorf("parse playready object: %w: record %d of %d is truncated", ErrInvalidObject, i, count)
		}
		typ := binary.LittleEndian.Uint16(rest)
		n := int(binary.LittleEndian.Uint16(rest[2:]))
		rest = rest[4:]
		if n > len(rest) {
			return nil, fmt.Errorf("parse playready object: %w: record %d declares %d bytes, %d left", ErrInvalidObject, i, n, len(rest))
		}
		records = append(records, Record{Type: typ, Value: append([]byte(nil), rest[:n]...)})
		rest = rest[n:]
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("parse playready object: %w: %d bytes after the last record", ErrInvalidObject, len(rest))
	}
	return records, nil
}

// Object returns the PlayReady Object holding h as its only record: the
// value of a DASH mspr:pro element (base64), of a Smooth ProtectionHeader,
// and of a PlayReady PSSH box.
func (h Header) Object() ([]byte, error) {
	x, err := h.Marshal()
	if err != nil {
		return nil, err
	}
	return MarshalObject([]Record{{Type: RecordHeader, Value: encodeUTF16LE(x)}})
}

// HeaderFromObject returns the WRMHEADER XML of a PlayReady Object, which
// must hold exactly one header record of valid UTF-16LE. Pass the result to
// [ParseHeader] to read it.
func HeaderFromObject(pro []byte) (string, error) {
	records, err := ParseObject(pro)
	if err != nil {
		return "", err
	}
	var hdr []byte
	found := 0
	for _, r := range records {
		if r.Type == RecordHeader {
			hdr = r.Value
			found++
		}
	}
	if found != 1 {
		return "", fmt.Errorf("read playready header: %w: %d header records, want 1", ErrInvalidObject, found)
	}
	s, err := decodeUTF16LE(hdr)
	if err != nil {
		return "", fmt.Errorf("read playready header: %w", err)
	}
	return s, nil
}

func encodeUTF16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// decodeUTF16LE refuses odd lengths and unpaired surrogates instead of
// replacing them, so a decoded header re-encodes to the same bytes.
func decodeUTF16LE(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("%w: UTF-16 text has an odd length %d", ErrInvalidObject, len(b))
	}
	out := make([]byte, 0, len(b)/2)
	for i := 0; i < len(b); i += 2 {
		c := rune(binary.LittleEndian.Uint16(b[i:]))
		switch {
		case utf16.IsSurrogate(c):
			if c >= 0xdc00 || i+3 >= len(b) {
				return "", fmt.Errorf("%w: unpaired UTF-16 surrogate at byte %d", ErrInvalidObject, i)
			}
			r := utf16.DecodeRune(c, rune(binary.LittleEndian.Uint16(b[i+2:])))
			if r == utf8.RuneError {
				return "", fmt.Errorf("%w: unpaired UTF-16 surrogate at byte %d", ErrInvalidObject, i)
			}
			out = utf8.AppendRune(out, r)
			i += 2
		default:
			out = utf8.AppendRune(out, c)
		}
	}
	return string(out), nil
}
