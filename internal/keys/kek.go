package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// KEKSize is the length in bytes of a key-encryption key (AES-256).
const KEKSize = 32

// kekIDPrefix domain-separates KEK ids from any other hash of the key.
const kekIDPrefix = "lockstream/keys: kek id v1\x00"

// KEK is an AES-256 key-encryption key together with its id. The id is the
// first 4 bytes (8 hex digits) of SHA-256(kekIDPrefix || key): it names the
// KEK in sealed blobs and logs without revealing it.
//
// Like [Key], a KEK never formats its value: every fmt verb, MarshalText and
// LogValue yield "KEK(id=xxxxxxxx)" (with the same caveat about unexported
// struct fields). The zero KEK is not usable; obtain one
// from [NewKEK], [ParseKEK], [LoadKEKFile] or [EnsureKEKFile]. KEK values are
// immutable and safe for concurrent use.
type KEK struct {
	key [KEKSize]byte
	id  [4]byte
}

func makeKEK(b []byte) (KEK, error) {
	var k KEK
	if len(b) != KEKSize {
		return KEK{}, fmt.Errorf("have %d bytes, want %d", len(b), KEKSize)
	}
	copy(k.key[:], b)
	if k.key == [KEKSize]byte{} {
		return KEK{}, errors.New("all-zero key")
	}
	h := sha256.New()
	_, _ = io.WriteString(h, kekIDPrefix) // hash writes never fail
	h.Write(k.key[:])
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	copy(k.id[:], sum[:])
	return k, nil
}

// NewKEK returns a random KEK read from r. A nil r means crypto/rand.Reader.
func NewKEK(r io.Reader) (KEK, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [KEKSize]byte
	defer clear(b[:])
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return KEK{}, fmt.Errorf("keys: new kek: %w", err)
	}
	k, err := makeKEK(b[:])
	if err != nil {
		return KEK{}, fmt.Errorf("keys: new kek: %w", err)
	}
	return k, nil
}

// ParseKEK parses a KEK written as 64 hexadecimal digits or as base64 of 32
// bytes (standard or URL-safe alphabet, padded or not). Surrounding white
// space is ignored. An all-zero key is refused. Errors never include the
// input.
func ParseKEK(s string) (KEK, error) {
	k, err := parseKEK(s)
	if err != nil {
		return KEK{}, fmt.Errorf("keys: parse kek: %w", err)
	}
	return k, nil
}

func parseKEK(s string) (KEK, error) {
	s = strings.TrimSpace(s)
	var buf [64]byte
	defer clear(buf[:])
	switch len(s) {
	case 0:
		return KEK{}, errors.New("empty")
	case 2 * KEKSize:
		for i := 0; i < len(s); i++ {
			if _, ok := unhex(s[i]); !ok {
				return KEK{}, fmt.Errorf("64 characters but not hexadecimal (offset %d)", i)
			}
		}
		n, _ := hex.Decode(buf[:], []byte(s))
		return makeKEK(buf[:n])
	case 43, 44: // base64 of 32 bytes, unpadded or padded
		for _, enc := range []*base64.Encoding{
			base64.StdEncoding, base64.URLEncoding,
			base64.RawStdEncoding, base64.RawURLEncoding,
		} {
			if n, err := enc.Decode(buf[:], []byte(s)); err == nil && n == KEKSize {
				return makeKEK(buf[:n])
			}
		}
		return KEK{}, fmt.Errorf("%d characters but not base64 of %d bytes", len(s), KEKSize)
	}
	return KEK{}, fmt.Errorf("have %d characters, want 64 hex digits or 43-44 characters of base64", len(s))
}

// ID returns the KEK's id: 8 lower-case hexadecimal digits.
func (k KEK) ID() string { return hex.EncodeToString(k.id[:]) }

func (k KEK) isZero() bool { return k.key == [KEKSize]byte{} }

// String returns "KEK(id=xxxxxxxx)".
func (k KEK) String() string { return "KEK(id=" + k.ID() + ")" }

// GoString returns the same as String.
func (k KEK) GoString() string { return k.String() }

// Format implements [fmt.Formatter]: every verb prints String.
func (k KEK) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, k.String()) }

// MarshalText returns String, so text encoders never write the key.
func (k KEK) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// LogValue implements [slog.LogValuer] and returns String.
func (k KEK) LogValue() slog.Value { return slog.StringValue(k.String()) }
