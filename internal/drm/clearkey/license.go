package clearkey

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/lockstream/lockstream/internal/keys"
)

// License types of a Clear Key request.
const (
	Temporary         = "temporary"
	PersistentLicense = "persistent-license"
)

// Limits on a license request. A real request lists the few key IDs of one
// presentation (25 bytes of JSON each), so these are far above need while
// keeping a hostile body from costing much.
const (
	MaxRequestSize = 16 << 10
	MaxRequestKIDs = 256
)

// Errors from [ParseRequest], wrapped with detail; test with errors.Is.
var (
	// ErrTooLarge means the request exceeds MaxRequestSize bytes or lists
	// more than MaxRequestKIDs key IDs.
	ErrTooLarge = errors.New("clearkey: license request too large")
	// ErrInvalidRequest means the request is not a well-formed Clear Key
	// license request.
	ErrInvalidRequest = errors.New("clearkey: invalid license request")
)

// ParseRequest parses a Clear Key license request and returns its key IDs,
// in request order, and its type (Temporary or PersistentLicense).
//
// It is strict because the body is untrusted and because leniency here only
// hides client bugs that would fail later in the CDM:
//   - the body is at most MaxRequestSize bytes of UTF-8 JSON holding one
//     object and nothing after it;
//   - the object has exactly the members "kids" and "type", each once;
//   - "kids" is a non-empty array of at most MaxRequestKIDs strings, each the
//     unpadded base64url encoding of 16 bytes (padding, the standard
//     alphabet and non-zero trailing bits are refused);
//   - "type" is "temporary" or "persistent-license".
//
// A key ID listed twice is returned once: the CDM may build a request from
// several PSSH boxes naming the same key, and answering it once is correct.
// Errors wrap ErrTooLarge or ErrInvalidRequest and never quote more than a
// short prefix of the input.
func ParseRequest(body []byte) (kids []keys.KID, typ string, err error) {
	if len(body) > MaxRequestSize {
		return nil, "", fmt.Errorf("parse clearkey request: %w: %d bytes, limit %d", ErrTooLarge, len(body), MaxRequestSize)
	}
	if !utf8.Valid(body) {
		// encoding/json would silently replace invalid UTF-8.
		return nil, "", fmt.Errorf("parse clearkey request: %w: not UTF-8", ErrInvalidRequest)
	}
	kids, typ, err = parseRequest(json.NewDecoder(bytes.NewReader(body)))
	if err != nil {
		return nil, "", fmt.Errorf("parse clearkey request: %w", err)
	}
	return kids, typ, nil
}

// parseRequest walks the JSON tokens rather than unmarshalling into a
// struct, because encoding/json would accept unknown and repeated members
// (keeping the last), which we refuse.
func parseRequest(dec *json.Decoder) ([]keys.KID, string, error) {
	if err := expectDelim(dec, '{'); err != nil {
		return nil, "", err
	}
	var (
		kids           []keys.KID
		typ            string
		seenKids, seen bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, "", syntaxError(err)
		}
		name, _ := tok.(string) // object keys are always strings
		switch name {
		case "kids":
			if seenKids {
				return nil, "", fmt.Errorf("%w: member \"kids\" repeated", ErrInvalidRequest)
			}
			seenKids = true
			if kids, err = parseKIDs(dec); err != nil {
				return nil, "", err
			}
		case "type":
			if seen {
				return nil, "", fmt.Errorf("%w: member \"type\" repeated", ErrInvalidRequest)
			}
			seen = true
			if typ, err = parseType(dec); err != nil {
				return nil, "", err
			}
		default:
			return nil, "", fmt.Errorf("%w: unknown member %.32q", ErrInvalidRequest, name)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", fmt.Errorf("%w: data after the request object", ErrInvalidRequest)
	}
	switch {
	case !seenKids:
		return nil, "", fmt.Errorf("%w: missing \"kids\"", ErrInvalidRequest)
	case !seen:
		return nil, "", fmt.Errorf("%w: missing \"type\"", ErrInvalidRequest)
	}
	return kids, typ, nil
}

func parseKIDs(dec *json.Decoder) ([]keys.KID, error) {
	if err := expectDelim(dec, '['); err != nil {
		return nil, fmt.Errorf("\"kids\": %w", err)
	}
	var kids []keys.KID
	seen := make(map[keys.KID]bool)
	for i := 0; dec.More(); i++ {
		if i >= MaxRequestKIDs {
			return nil, fmt.Errorf("%w: more than %d key ids", ErrTooLarge, MaxRequestKIDs)
		}
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(err)
		}
		s, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("%w: kids[%d] is not a string", ErrInvalidRequest, i)
		}
		kid, err := decodeKID(s)
		if err != nil {
			return nil, fmt.Errorf("%w: kids[%d]: %w", ErrInvalidRequest, i, err)
		}
		if !seen[kid] {
			seen[kid] = true
			kids = append(kids, kid)
		}
	}
	if err := expectDelim(dec, ']'); err != nil {
		return nil, err
	}
	if len(kids) == 0 {
		return nil, fmt.Errorf("%w: \"kids\" is empty", ErrInvalidRequest)
	}
	return kids, nil
}

// decodeKID accepts only the canonical unpadded base64url form of 16 bytes.
// The Strict encoding refuses non-zero trailing bits, so every accepted
// string is the one Base64URL writes back.
func decodeKID(s string) (keys.KID, error) {
	const encLen = 22 // base64.RawURLEncoding.EncodedLen(16)
	if len(s) != encLen {
		return keys.KID{}, fmt.Errorf("have %d characters, want 22 of unpadded base64url", len(s))
	}
	var kid keys.KID
	if _, err := base64.RawURLEncoding.Strict().Decode(kid[:], []byte(s)); err != nil {
		return keys.KID{}, fmt.Errorf("not unpadded base64url: %w", err)
	}
	return kid, nil
}

func parseType(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", syntaxError(err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%w: \"type\" is not a string", ErrInvalidRequest)
	}
	if s != Temporary && s != PersistentLicense {
		return "", fmt.Errorf("%w: type %.32q, want %q or %q", ErrInvalidRequest, s, Temporary, PersistentLicense)
	}
	return s, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%w: want %q", ErrInvalidRequest, want)
	}
	return nil
}

func syntaxError(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
}

// Request encodes a license request as a CDM would send it. Lockstream
// itself only receives requests; this is for tests and tools that play the
// client.
func Request(kids []keys.KID, typ string) []byte {
	r := struct {
		KIDs []string `json:"kids"`
		Type string   `json:"type"`
	}{KIDs: make([]string, 0, len(kids)), Type: typ}
	for _, k := range kids {
		r.KIDs = append(r.KIDs, k.Base64URL())
	}
	b, _ := json.Marshal(r) // strings and slices of strings always marshal
	return b
}

// KeyPair is one entry of a license: a key ID and its content key.
type KeyPair struct {
	KID keys.KID
	Key keys.Key
}

type jwk struct {
	Kty string `json:"kty"`
	KID string `json:"kid"`
	K   string `json:"k"`
}

type jwkSet struct {
	Keys []jwk  `json:"keys"`
	Type string `json:"type,omitempty"`
}

// Response encodes a Clear Key license: a JWK set with one symmetric ("oct")
// key per pair, in the given order, and the license type when typ is not
// empty (echo the request's type). kid and k are unpadded base64url. The
// result holds the keys in the clear: send it only over TLS, to a requester
// a key policy has authorised, and never log it.
func Response(pairs []KeyPair, typ string) []byte {
	set := jwkSet{Keys: make([]jwk, 0, len(pairs)), Type: typ}
	for _, p := range pairs {
		set.Keys = append(set.Keys, jwk{Kty: "oct", KID: p.KID.Base64URL(), K: p.Key.Base64URL()})
	}
	b, _ := json.Marshal(set) // only strings: cannot fail
	return b
}
