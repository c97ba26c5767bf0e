package local

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errInvalidXML marks a request body that is not a well-formed document of
// the expected shape (Azure: InvalidXmlDocument).
var errInvalidXML = errors.New("invalid XML document")

// blockKind says where Put Block List should look a block id up.
type blockKind int

const (
	kindLatest      blockKind = iota // uncommitted if staged, else committed
	kindCommitted                    // only the blob's committed blocks
	kindUncommitted                  // only staged blocks
)

func (k blockKind) String() string {
	switch k {
	case kindCommitted:
		return "Committed"
	case kindUncommitted:
		return "Uncommitted"
	default:
		return "Latest"
	}
}

// blockRef is one entry of a Put Block List body, in document order (the
// order of the entries is the order of the blob's content, so it must not
// be regrouped by kind as encoding/xml's struct decoding would).
type blockRef struct {
	Kind blockKind
	ID   string
}

// maxBlockIDChars bounds one id's text: base64 of 64 bytes is 88 chars;
// the slack tolerates surrounding whitespace.
const maxBlockIDChars = 128

// parseBlockList reads <BlockList><Latest>id</Latest>…</BlockList> with a
// streaming tokenizer. It accepts exactly that shape (plus an XML
// declaration, comments and whitespace), caps the entry count at maxBlocks,
// and returns an error, never panics, on anything else. The caller bounds
// the body size. IDs are returned as written (trimmed); the caller decodes.
func parseBlockList(r io.Reader, maxBlocks int) ([]blockRef, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	var (
		refs    []blockRef
		depth   int // 0 outside, 1 inside BlockList, 2 inside an entry
		cur     blockKind
		text    strings.Builder
		sawRoot bool
	)
	fail := func(format string, args ...any) ([]blockRef, error) {
		return nil, fmt.Errorf("%w: %s", errInvalidXML, fmt.Sprintf(format, args...))
	}
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
					cur = kindLatest
				case "Committed":
					cur = kindCommitted
				case "Uncommitted":
					cur = kindUncommitted
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
					return nil, fmt.Errorf("%w: more than %d blocks in the list", errBlockCount, maxBlocks)
				}
				id := strings.TrimSpace(text.String())
				if id == "" {
					return fail("empty block id")
				}
				refs = append(refs, blockRef{Kind: cur, ID: id})
			}
		case xml.CharData:
			switch depth {
			case 2:
				if text.Len()+len(t) > maxBlockIDChars {
					return fail("block id longer than %d characters", maxBlockIDChars)
				}
				text.Write(t)
			default:
				if len(strings.TrimSpace(string(t))) != 0 {
					return fail("unexpected text outside a block entry")
				}
			}
		case xml.Directive:
			// No DOCTYPE: nothing legitimate needs one, and refusing it
			// rules out entity tricks.
			return fail("directives are not allowed")
		case xml.Comment, xml.ProcInst:
		}
	}
}

// blockListXML is the Get Block List response body.
type blockListXML struct {
	XMLName     xml.Name        `xml:"BlockList"`
	Committed   []blockEntryXML `xml:"CommittedBlocks>Block"`
	Uncommitted []blockEntryXML `xml:"UncommittedBlocks>Block"`
}

type blockEntryXML struct {
	Name string `xml:"Name"`
	Size int64  `xml:"Size"`
}
