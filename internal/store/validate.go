package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalid reports input a backend refuses to store or evaluate (a
// malformed document, query or key). It is the caller's fault: map it to
// 400 Bad Request.
var ErrInvalid = errors.New("store: invalid argument")

// Limits on untrusted input. They keep queries cheap and inside what every
// backend can evaluate (SQLite's JSON parser stops at depth 1000).
const (
	MaxDocDepth  = 512  // nesting of arrays/objects in Resource.Doc
	MaxCondDepth = 64   // nesting of And/Or in a Cond
	MaxCondNodes = 1024 // comparisons plus And/Or nodes in a Cond
	MaxPathLen   = 128  // length of a ColDoc Field.Path
)

// ValidText reports whether s can be stored by every backend: valid UTF-8
// without NUL (PostgreSQL text cannot hold either).
func ValidText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// ValidPath reports whether p may name a Doc member in a Field: 1 to
// MaxPathLen ASCII letters and digits. Backends splice it into SQL, so this
// check is what keeps it inert.
func ValidPath(p string) bool {
	if p == "" || len(p) > MaxPathLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// ValidateDoc checks that doc is something every backend stores and
// queries identically (DocMember semantics): empty, or valid UTF-8 JSON
// nested at most MaxDocDepth deep, with no \u0000 escape and no unpaired
// surrogate escape (PostgreSQL rejects both), and, when it is an object,
// top-level member names that are unique and free of escapes (backends
// disagree on which duplicate wins and on matching escaped names).
// Errors wrap ErrInvalid.
func ValidateDoc(doc []byte) error {
	if len(doc) == 0 {
		return nil
	}
	if !utf8.Valid(doc) || !json.Valid(doc) {
		return fmt.Errorf("%w: document is not valid UTF-8 JSON", ErrInvalid)
	}
	// doc is valid JSON from here on, so the scan only tracks strings,
	// nesting and, in the top-level object, which strings are member names.
	var (
		depth     int
		topObject = bytes.TrimLeft(doc, " \t\r\n")[0] == '{'
		expectKey bool
		keys      map[string]bool
	)
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case '{', '[':
			depth++
			if depth > MaxDocDepth {
				return fmt.Errorf("%w: document nested deeper than %d", ErrInvalid, MaxDocDepth)
			}
			expectKey = depth == 1 && doc[i] == '{'
		case '}', ']':
			depth--
		case ',':
			expectKey = depth == 1 && topObject
		case '"':
			end, escaped, err := scanString(doc, i)
			if err != nil {
				return err
			}
			if expectKey {
				expectKey = false
				if escaped {
					return fmt.Errorf("%w: top-level member name %.40q contains an escape", ErrInvalid, doc[i+1:end])
				}
				k := string(doc[i+1 : end])
				if keys[k] {
					return fmt.Errorf("%w: duplicate top-level member %.40q", ErrInvalid, k)
				}
				if keys == nil {
					keys = map[string]bool{}
				}
				keys[k] = true
			}
			i = end
		}
	}
	return nil
}

// scanString scans the JSON string starting at doc[start] == '"' and
// returns the index of its closing quote and whether it holds escapes. It
// rejects \u0000 and unpaired UTF-16 surrogates.
func scanString(doc []byte, start int) (end int, escaped bool, err error) {
	for i := start + 1; i < len(doc); i++ {
		switch doc[i] {
		case '"':
			return i, escaped, nil
		case '\\':
			escaped = true
			i++
			if doc[i] != 'u' {
				continue
			}
			r := hex4(doc[i+1 : i+5])
			i += 4
			switch {
			case r == 0:
				return 0, false, fmt.Errorf("%w: document contains \\u0000", ErrInvalid)
			case 0xDC00 <= r && r <= 0xDFFF:
				return 0, false, fmt.Errorf("%w: document contains an unpaired surrogate escape", ErrInvalid)
			case 0xD800 <= r && r <= 0xDBFF:
				if i+6 >= len(doc) || doc[i+1] != '\\' || doc[i+2] != 'u' {
					return 0, false, fmt.Errorf("%w: document contains an unpaired surrogate escape", ErrInvalid)
				}
				if lo := hex4(doc[i+3 : i+7]); lo < 0xDC00 || lo > 0xDFFF {
					return 0, false, fmt.Errorf("%w: document contains an unpaired surrogate escape", ErrInvalid)
				}
				i += 6
			}
		}
	}
	// Unreachable for valid JSON.
	return 0, false, fmt.Errorf("%w: unterminated string", ErrInvalid)
}

// hex4 decodes four hex digits (already validated by json.Valid).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// ValidateCond checks that c is a well-formed filter every backend can
// evaluate: each node is exactly one of And, Or or a comparison with a
// known operator and field, nesting and size are bounded, and every text
// is ValidText. A nil Cond is valid (no filter). Errors wrap ErrInvalid.
func ValidateCond(c *Cond) error {
	nodes := 0
	return validateCond(c, 1, &nodes)
}

func validateCond(c *Cond, depth int, nodes *int) error {
	if c == nil {
		if depth == 1 {
			return nil
		}
		return fmt.Errorf("%w: nil filter term", ErrInvalid)
	}
	if depth > MaxCondDepth {
		return fmt.Errorf("%w: filter nested deeper than %d", ErrInvalid, MaxCondDepth)
	}
	if *nodes++; *nodes > MaxCondNodes {
		return fmt.Errorf("%w: filter has more than %d terms", ErrInvalid, MaxCondNodes)
	}
	kids := c.And
	if len(c.Or) > 0 {
		if len(c.And) > 0 {
			return fmt.Errorf("%w: filter term has both And and Or", ErrInvalid)
		}
		kids = c.Or
	}
	if len(kids) > 0 {
		if c.Op != "" {
			return fmt.Errorf("%w: filter term has both children and a comparison", ErrInvalid)
		}
		for _, k := range kids {
			if err := validateCond(k, depth+1, nodes); err != nil {
				return err
			}
		}
		return nil
	}
	switch c.Op {
	case OpEq, OpNe, OpGt, OpGe, OpLt, OpLe:
	default:
		return fmt.Errorf("%w: unknown operator %.20q", ErrInvalid, c.Op)
	}
	if err := ValidateField(c.Field); err != nil {
		return err
	}
	if !ValidText(c.Value) {
		return fmt.Errorf("%w: filter value is not valid text", ErrInvalid)
	}
	return nil
}

// ValidateField checks that f addresses a known column and, for ColDoc, a
// ValidPath. Errors wrap ErrInvalid.
func ValidateField(f Field) error {
	switch f.Col {
	case ColName, ColCreated, ColModified:
		return nil
	case ColDoc:
		if !ValidPath(f.Path) {
			return fmt.Errorf("%w: document member name %.40q", ErrInvalid, f.Path)
		}
		return nil
	}
	return fmt.Errorf("%w: unknown column %d", ErrInvalid, f.Col)
}

// Validate checks q before a backend runs it. Errors wrap ErrInvalid.
func (q *ListQuery) Validate() error {
	if q.Kind == "" || !ValidText(string(q.Kind)) {
		return fmt.Errorf("%w: list query without a valid kind", ErrInvalid)
	}
	if !ValidText(q.Scope) {
		return fmt.Errorf("%w: list scope is not valid text", ErrInvalid)
	}
	if err := ValidateCond(q.Filter); err != nil {
		return err
	}
	if q.OrderBy != nil {
		if err := ValidateField(*q.OrderBy); err != nil {
			return err
		}
	}
	if a := q.After; a != nil && !(ValidText(a.Value) && ValidText(a.NameKey) && ValidText(a.Scope)) {
		return fmt.Errorf("%w: cursor is not valid text", ErrInvalid)
	}
	return nil
}
