package azfront

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxBlockIDBytes is Azure's limit on a decoded block id; maxIDChars
// bounds its base64 text with room for surrounding whitespace.
const (
	maxBlockIDBytes = 64
	maxIDChars      = 128
)

// decodeBlockID validates a base64 block id and returns its bytes.
func decodeBlockID(id string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || len(raw) == 0 || len(raw) > maxBlockIDBytes {
		return nil, errInvalidID
	}
	return raw, nil
}

// parseBlockList reads <BlockList><Latest|Committed|Uncommitted>id</…>…
// </BlockList> with a strict streaming tokenizer, in document order (the
// order is the content's, so entries must not be regrouped by kind as
// struct decoding would). It accepts exactly that shape plus an XML
// declaration, comments and whitespace; no DOCTYPE (nothing legitimate
// needs one, and refusing it rules out entity tricks); at most maxBlocks
// entries. The caller bounds the body size.
func parseBlockList(r io.Reader, maxBlocks int) ([]BlockRef, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	fail := func(format string, args ...any) ([]BlockRef, error) {
		return nil, fmt.Errorf("%w: %s", errInvalidXML, fmt.Sprintf(format, args...))
	}
	var (
		refs    []BlockRef
		depth   int
		kind    BlockKind
		text    strings.Builder
		sawRoot bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !sawRoot || depth != 0 {
				return fail("missing or unterminated BlockList element")
			}
			return refs, nil
		}
		if err != nil {
			return fail("%v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch depth {
			case 0:
				if sawRoot || t.Name.Local != "BlockList" {
					return fail("unexpected element <%s>", t.Name.Local)
				}
				sawRoot = true
			case 1:
				switch t.Name.Local {
				case "Latest":
					kind = Latest
				case "Committed":
					kind = Committed
				case "Uncommitted":
					kind = Uncommitted
				default:
					return fail("unexpected element <%s> in BlockList", t.Name.Local)
				}
				text.Reset()
			default:
				return fail("unexpected element <%s> inside a block entry", t.Name.Local)
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == 1 {
				if len(refs) >= maxBlocks {
					return nil, fmt.Errorf("%w: more than %d blocks in the list", ErrBlockLimit, maxBlocks)
				}
				id, err := decodeBlockID(strings.TrimSpace(text.String()))
				if err != nil {
					return nil, err
				}
				refs = append(refs, BlockRef{Kind: kind, ID: id})
			}
		case xml.CharData:
			if depth == 2 {
				if text.Len()+len(t) > maxIDChars {
					return fail("block id longer than %d characters", maxIDChars)
				}
				text.Write(t)
			} else if strings.TrimSpace(string(t)) != "" {
				return fail("unexpected text outside a block entry")
			}
		case xml.Directive:
			return fail("directives are not allowed")
		}
	}
}

// blockListXML is the Get Block List response.
type blockListXML struct {
	XMLName     xml.Name        `xml:"BlockList"`
	Committed   []blockEntryXML `xml:"CommittedBlocks>Block"`
	Uncommitted []blockEntryXML `xml:"UncommittedBlocks>Block"`
}

type blockEntryXML struct {
	Name string `xml:"Name"`
	Size int64  `xml:"Size"`
}

func entries(bs []Block) []blockEntryXML {
	out := make([]blockEntryXML, len(bs))
	for i, b := range bs {
		out[i] = blockEntryXML{Name: base64.StdEncoding.EncodeToString(b.ID), Size: b.Size}
	}
	return out
}
