package cpix

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Limits of Parse. A SPEKE request for a live channel with key rotation
// carries a few hundred elements; the caps leave two orders of magnitude
// of room while keeping the work per request bounded.
const (
	// MaxDocumentSize caps the document in bytes.
	MaxDocumentSize = 4 << 20
	// maxElements caps the number of elements.
	maxElements = 50000
	// maxAttrs caps the attributes of one element (namespace declarations
	// included).
	maxAttrs = 32
	// maxDepth caps element nesting; the deepest CPIX path
	// (CPIX/DeliveryDataList/DeliveryData/DocumentKey/Data/Secret/
	// EncryptedValue/CipherData/CipherValue) is 9 deep.
	maxDepth = 24
	// maxList caps the entries of each list (keys, systems, periods,
	// rules, recipients).
	maxList = 10000
)

// ErrInvalid means a document is not a CPIX document this package accepts.
// Errors wrap it with detail.
var ErrInvalid = errors.New("cpix: invalid document")

// ErrTooLarge means a document exceeds MaxDocumentSize.
var ErrTooLarge = fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxDocumentSize)

// ErrForbiddenMarkup means a document carries a DTD, an entity
// declaration or reference, or a processing instruction.
var ErrForbiddenMarkup = fmt.Errorf("%w: DTDs, entities and processing instructions are not allowed", ErrInvalid)

// ReadLimited reads at most MaxDocumentSize bytes from r, failing with
// ErrTooLarge when there is more.
func ReadLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("read cpix document: %w", err)
	}
	if len(b) > MaxDocumentSize {
		return nil, ErrTooLarge
	}
	return b, nil
}

// screen walks the token stream once, before any decoding into structs,
// and refuses what CPIX never needs. encoding/xml expands no external
// entities and knows only the five predefined ones, but refusing every
// DOCTYPE keeps that property independent of the parser and gives the
// sender a precise error instead of an "undefined entity" one.
func screen(b []byte) error {
	if len(b) > MaxDocumentSize {
		return ErrTooLarge
	}
	// A DOCTYPE may be split so the tokenizer sees a Directive; the byte
	// check catches entity declarations even inside a malformed one.
	if bytes.Contains(b, []byte("<!DOCTYPE")) || bytes.Contains(b, []byte("<!ENTITY")) {
		return ErrForbiddenMarkup
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	var elements, depth, roots int
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if roots++; roots > 1 {
					return fmt.Errorf("%w: more than one root element", ErrInvalid)
				}
			}
			elements++
			depth++
			if elements > maxElements {
				return fmt.Errorf("%w: more than %d elements", ErrInvalid, maxElements)
			}
			if depth > maxDepth {
				return fmt.Errorf("%w: elements nested deeper than %d", ErrInvalid, maxDepth)
			}
			if len(t.Attr) > maxAttrs {
				return fmt.Errorf("%w: element %s has more than %d attributes", ErrInvalid, t.Name.Local, maxAttrs)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("%w: text outside the root element", ErrInvalid)
			}
		case xml.Directive:
			return ErrForbiddenMarkup
		case xml.ProcInst:
			if t.Target != "xml" {
				return ErrForbiddenMarkup
			}
		}
	}
	if elements == 0 {
		return fmt.Errorf("%w: no root element", ErrInvalid)
	}
	return nil
}
