package claims

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lockstream/lockstream/internal/jsonstrict"
)

// ErrMalformed reports a token or claim that does not parse under the
// strict rules of this package.
var ErrMalformed = errors.New("claims: malformed token")

// Split checks the shape of a compact JWS (exactly three base64url
// segments, at most maxLen bytes in all) and returns its decoded protected
// header and payload. It does not verify anything.
func Split(token string, maxLen int) (header, payload []byte, err error) {
	if len(token) > maxLen {
		return nil, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(token), maxLen)
	}
	// Counting first keeps a token made of thousands of dots from costing
	// an allocation per dot.
	if strings.Count(token, ".") != 2 {
		return nil, nil, fmt.Errorf("%w: not three dot-separated segments", ErrMalformed)
	}
	h, p, _ := strings.Cut(token, ".")
	p, s, _ := strings.Cut(p, ".")
	if h == "" || p == "" || s == "" {
		return nil, nil, fmt.Errorf("%w: empty segment", ErrMalformed)
	}
	if header, err = DecodeSegment(h); err != nil {
		return nil, nil, fmt.Errorf("%w: header is not base64url", ErrMalformed)
	}
	if payload, err = DecodeSegment(p); err != nil {
		return nil, nil, fmt.Errorf("%w: payload is not base64url", ErrMalformed)
	}
	if !IsBase64URL(s) {
		return nil, nil, fmt.Errorf("%w: signature is not base64url", ErrMalformed)
	}
	return header, payload, nil
}

// DecodeSegment decodes one JWS segment: unpadded base64url and nothing
// else. Go's decoders skip CR and LF even in strict mode, so without the
// alphabet check a token with line breaks inserted anywhere would verify
// as the token without them.
func DecodeSegment(s string) ([]byte, error) {
	if !IsBase64URL(s) {
		return nil, fmt.Errorf("%w: byte outside the base64url alphabet", ErrMalformed)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return b, nil
}

// IsBase64URL reports whether s holds only base64url alphabet bytes
// (A-Z a-z 0-9 - _), no padding, no white space.
func IsBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Object is a JSON object whose member names are unique; values are left
// raw until a typed accessor reads them.
type Object map[string]json.RawMessage

// Parse decodes b as one JSON object with unique member names.
func Parse(b []byte) (Object, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	// Duplicates at any depth, with the detector management request
	// bodies use too: two readers of one token must not see two values.
	if path, dup := jsonstrict.FirstDuplicate(b); dup {
		return nil, fmt.Errorf("%w: duplicate member %.40q", ErrMalformed, path)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	o := Object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: member %.40q: %v", ErrMalformed, name, err)
		}
		o[name] = raw
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the object", ErrMalformed)
	}
	return o, nil
}

// CheckHeader rejects a header that lacks alg or has any member outside
// allowed. Refusing unknown members covers crit, b64, zip, jku, x5u, jwk and
// x5c in one rule (RFC 8725 §3.10): Lockstream never fetches or trusts keys
// named by a token.
func CheckHeader(h Object, allowed ...string) error {
	if _, ok := h["alg"]; !ok {
		return fmt.Errorf("%w: header without alg", ErrMalformed)
	}
	// Sorted, so that a header with several refused members always names
	// the same one: the same token gets the same answer.
	for _, name := range slices.Sorted(maps.Keys(h)) {
		if !slices.Contains(allowed, name) {
			return fmt.Errorf("%w: header member %.40q not accepted", ErrMalformed, name)
		}
	}
	return nil
}

// String returns a string member; ok is false when it is absent or null.
func (o Object) String(name string) (s string, ok bool, err error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, fmt.Errorf("%w: %s is not a string", ErrMalformed, name)
	}
	return s, true, nil
}

// Strings returns a member that is a string or an array of strings (the
// shape of aud).
func (o Object) Strings(name string) (ss []string, ok bool, err error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return nil, false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, true, nil
	}
	if err := json.Unmarshal(raw, &ss); err != nil {
		return nil, false, fmt.Errorf("%w: %s is neither a string nor an array of strings", ErrMalformed, name)
	}
	return ss, true, nil
}

// maxNumericDate is 2^53, the largest integer every JSON parser keeps
// exactly.
const maxNumericDate = 1 << 53

// NumericDate returns a member holding seconds since the epoch. Only JSON
// integers are accepted: "exp":"1700000000" or 1.7e9 are errors, so that no
// parser in the chain can read a different instant.
func (o Object) NumericDate(name string) (t time.Time, ok bool, err error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return time.Time{}, false, nil
	}
	n, perr := strconv.ParseInt(string(raw), 10, 64)
	if perr != nil || n < 0 || n > maxNumericDate {
		return time.Time{}, false, fmt.Errorf("%w: %s is not a non-negative integer NumericDate", ErrMalformed, name)
	}
	return time.Unix(n, 0).UTC(), true, nil
}
