package keys

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// KID is a 128-bit content-key identifier, held in RFC 4122 (big-endian)
// byte order, the order used by CENC, Widevine and Clear Key. PlayReady
// uses a mixed-endian order; see [KID.PlayReadyBytes].
//
// A KID is not secret. KID values are immutable and safe for concurrent use.
type KID [16]byte

// NewKID returns a random version-4 GUID read from r. A nil r means
// crypto/rand.Reader.
func NewKID(r io.Reader) (KID, error) {
	if r == nil {
		r = rand.Reader
	}
	var id KID
	if _, err := io.ReadFull(r, id[:]); err != nil {
		return KID{}, fmt.Errorf("keys: new kid: %w", err)
	}
	id[6] = id[6]&0x0f | 0x40 // version 4
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id, nil
}

// ParseKID parses a GUID in 8-4-4-4-12 hexadecimal form, in upper or lower
// case, optionally enclosed in braces.
func ParseKID(s string) (KID, error) {
	g, off := s, 0
	if strings.HasPrefix(g, "{") || strings.HasSuffix(g, "}") {
		if len(g) < 2 || g[0] != '{' || g[len(g)-1] != '}' {
			return KID{}, kidError(s, "unbalanced braces")
		}
		g, off = g[1:len(g)-1], 1
	}
	if len(g) != 36 {
		return KID{}, kidError(s, fmt.Sprintf("have %d characters, want 36 in 8-4-4-4-12 form", len(g)))
	}
	var id KID
	j := 0
	for i := 0; i < len(g); {
		switch i {
		case 8, 13, 18, 23:
			if g[i] != '-' {
				return KID{}, kidError(s, fmt.Sprintf("want '-' at offset %d", i+off))
			}
			i++
			continue
		}
		hi, ok1 := unhex(g[i])
		lo, ok2 := unhex(g[i+1])
		if !ok1 || !ok2 {
			bad := i
			if ok1 {
				bad++
			}
			return KID{}, kidError(s, fmt.Sprintf("invalid hex digit at offset %d", bad+off))
		}
		id[j] = hi<<4 | lo
		i += 2
		j++
	}
	return id, nil
}

func kidError(s, msg string) error {
	return fmt.Errorf("keys: parse kid %.40q: %s", s, msg)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// ParseKIDBase64URL parses the URL-safe base64 form used for "kid" values
// in Clear Key license requests and JWKs. Trailing '=' padding is accepted.
func ParseKIDBase64URL(s string) (KID, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) {
			return KID{}, fmt.Errorf("keys: parse kid %.40q: invalid base64url at offset %d", s, int64(ce))
		}
		return KID{}, fmt.Errorf("keys: parse kid %.40q: %w", s, err)
	}
	if len(b) != len(KID{}) {
		return KID{}, fmt.Errorf("keys: parse kid %.40q: decodes to %d bytes, want 16", s, len(b))
	}
	return KID(b), nil
}

// String returns the lower-case 8-4-4-4-12 GUID form.
func (id KID) String() string {
	const digits = "0123456789abcdef"
	var buf [36]byte
	j := 0
	for i, b := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf[j] = '-'
			j++
		}
		buf[j], buf[j+1] = digits[b>>4], digits[b&0x0f]
		j += 2
	}
	return string(buf[:])
}

// IsZero reports whether id is the nil GUID.
func (id KID) IsZero() bool { return id == KID{} }

// MarshalText implements [encoding.TextMarshaler] with [KID.String].
func (id KID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseKID].
func (id *KID) UnmarshalText(b []byte) error {
	v, err := ParseKID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Base64 returns the standard, padded base64 encoding of the big-endian
// (RFC 4122) bytes. PlayReady headers want the encoding of
// [KID.PlayReadyBytes] instead.
func (id KID) Base64() string { return base64.StdEncoding.EncodeToString(id[:]) }

// Base64URL returns the unpadded URL-safe base64 encoding of the big-endian
// bytes, the "kid" form of Clear Key JWKs and license requests.
func (id KID) Base64URL() string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// PlayReadyBytes returns id in the byte order PlayReady uses (that of a
// Windows GUID struct): the first three fields little-endian, the last
// eight bytes as they are.
func (id KID) PlayReadyBytes() [16]byte { return swapGUID(id) }

// KIDFromPlayReadyBytes is the inverse of [KID.PlayReadyBytes].
func KIDFromPlayReadyBytes(b [16]byte) KID { return KID(swapGUID(b)) }

func swapGUID(b [16]byte) [16]byte {
	b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
	b[4], b[5] = b[5], b[4]
	b[6], b[7] = b[7], b[6]
	return b
}
