package keys

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
)

// Key is a 128-bit AES content key.
//
// A Key never formats its value: String, GoString, Format (every fmt verb),
// MarshalText (and so encoding/json) and LogValue (log/slog) all yield
// "Key(redacted)". Only [Key.Base64], [Key.Base64URL] and direct use of the
// bytes reveal it. One gap remains: fmt cannot call methods on unexported
// struct fields, so a Key held in an unexported field of a struct printed
// with %v prints as bytes; keep keys out of such structs or give the struct
// its own Format.
//
// Key values are immutable and safe for concurrent use.
type Key [16]byte

const redactedKey = "Key(redacted)"

// NewKey returns a random key read from r. A nil r means crypto/rand.Reader.
func NewKey(r io.Reader) (Key, error) {
	if r == nil {
		r = rand.Reader
	}
	var k Key
	if _, err := io.ReadFull(r, k[:]); err != nil {
		return Key{}, fmt.Errorf("keys: new key: %w", err)
	}
	return k, nil
}

// ParseKeyBase64 parses a key in standard, padded base64 (24 characters),
// the form AMS uses for content-key values. Errors never include the input.
func ParseKeyBase64(s string) (Key, error) {
	if s == "" {
		return Key{}, errors.New("keys: parse key: empty string")
	}
	if len(s) > 64 {
		return Key{}, fmt.Errorf("keys: parse key: %d characters, want 24 characters of base64", len(s))
	}
	var buf [48]byte // base64.StdEncoding.DecodedLen(64)
	defer clear(buf[:])
	n, err := base64.StdEncoding.Decode(buf[:], []byte(s))
	if err != nil {
		return Key{}, fmt.Errorf("keys: parse key: %s", diagnoseBase64(s, err))
	}
	if n != len(Key{}) {
		return Key{}, fmt.Errorf("keys: parse key: decodes to %d bytes, want 16", n)
	}
	return Key(buf[:n]), nil
}

// diagnoseBase64 explains why s is not standard padded base64 without
// repeating any of it.
func diagnoseBase64(s string, err error) string {
	var scratch [48]byte
	defer clear(scratch[:])
	if _, e := base64.RawStdEncoding.Decode(scratch[:], []byte(s)); e == nil {
		return "missing '=' padding; want standard padded base64"
	}
	if _, e := base64.URLEncoding.Decode(scratch[:], []byte(s)); e == nil {
		return "uses the URL-safe alphabet ('-', '_'); want standard base64 ('+', '/')"
	}
	if _, e := base64.RawURLEncoding.Decode(scratch[:], []byte(s)); e == nil {
		return "uses the unpadded URL-safe alphabet; want standard padded base64"
	}
	var ce base64.CorruptInputError
	if errors.As(err, &ce) {
		return fmt.Sprintf("invalid base64 at offset %d", int64(ce))
	}
	return "invalid base64"
}

// Base64 returns the key in standard, padded base64. It reveals the key.
func (k Key) Base64() string { return base64.StdEncoding.EncodeToString(k[:]) }

// Base64URL returns the key in unpadded URL-safe base64, the "k" member of a
// Clear Key JWK. It reveals the key.
func (k Key) Base64URL() string { return base64.RawURLEncoding.EncodeToString(k[:]) }

// String returns "Key(redacted)".
func (Key) String() string { return redactedKey }

// GoString returns "Key(redacted)".
func (Key) GoString() string { return redactedKey }

// Format implements [fmt.Formatter]: every verb prints "Key(redacted)".
func (Key) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redactedKey) }

// MarshalText returns "Key(redacted)", so encoding/json and other text
// encoders never write the value. There is deliberately no UnmarshalText.
func (Key) MarshalText() ([]byte, error) { return []byte(redactedKey), nil }

// LogValue implements [slog.LogValuer] and returns "Key(redacted)".
func (Key) LogValue() slog.Value { return slog.StringValue(redactedKey) }
