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

// listEntry is one entry of a Put Block List as written: its kind and
// its base64 id, trimmed and not yet decoded.
type listEntry struct {
	Kind BlockKind
	ID   string
}

// parseBlockList reads <BlockList><Latest|Committed|Uncommitted>id</…>…
// </BlockList> with a strict streaming tokenizer, in document order (the
// order is the content's, so entries must not be regrouped by kind as
// struct decoding would). It accepts exactly that shape plus an XML
// declaration, comments and whitespace; no DOCTYPE (nothing legitimate
// needs one, and refusing it rules out entity tricks); at most maxBlocks
// entries; no empty id. The caller bounds the body size. Ids are decoded
// by decodeBlockList once the request's preconditions hold, as Azure
// looks blocks up only then.
func parseBlockList(r io.Reader, maxBlocks int) ([]listEntry, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	fail := func(format string, args ...any) ([]listEntry, error) {
		return nil, fmt.Errorf("%w: %s", errInvalidXML, fmt.Sprintf(format, args...))
	}
	var (
		refs    []listEntry
		depth   int // 0 outside, 1 inside BlockList, 2 inside an entry
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
			// The strict decoder guarantees end tags match start tags.
			depth--
			if depth == 1 {
				if len(refs) >= maxBlocks {
					return nil, fmt.Errorf("%w: more than %d blocks in the list", ErrBlockLimit, maxBlocks)
				}
				id := strings.TrimSpace(text.String())
				if id == "" {
					return fail("empty block id")
				}
				refs = append(refs, listEntry{Kind: kind, ID: id})
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

// decodeBlockList decodes the ids of a parsed list.
func decodeBlockList(entries []listEntry) ([]BlockRef, error) {
	refs := make([]BlockRef, len(entries))
	for i, e := range entries {
		id, err := decodeBlockID(e.ID)
		if err != nil {
			return nil, err
		}
		refs[i] = BlockRef{Kind: e.Kind, ID: id}
	}
	return refs, nil
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
