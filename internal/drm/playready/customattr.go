package playready

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Limits on CUSTOMATTRIBUTES. The whole PRO must stay under 15 KB, so
// larger custom attributes could never be sent anyway; the depth limit
// keeps hostile input from growing the element stack.
const (
	MaxCustomAttributesSize = 8 << 10
	maxCustomDepth          = 32
)

// canonicalCustomAttributes checks that s is well-formed XML element
// content (elements and text, any number of top-level elements) and
// rewrites it canonically: explicit end tags, namespace declarations first
// and other attributes sorted by name, c14n escaping, comments dropped.
// Processing instructions and directives (DOCTYPE, entity declarations)
// are refused: they have no place in a header. It is idempotent.
//
// The raw tokenizer is used, without namespace resolution, so prefixes are
// written back as they were; element nesting is checked here because the
// raw tokenizer does not check it.
func canonicalCustomAttributes(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if len(s) > MaxCustomAttributesSize {
		return "", fmt.Errorf("%w: CUSTOMATTRIBUTES has %d bytes, limit %d", ErrInvalidHeader, len(s), MaxCustomAttributesSize)
	}
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	var (
		b     strings.Builder
		stack []string
	)
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: CUSTOMATTRIBUTES is not well-formed XML: %w", ErrInvalidHeader, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == maxCustomDepth {
				return "", fmt.Errorf("%w: CUSTOMATTRIBUTES nests deeper than %d", ErrInvalidHeader, maxCustomDepth)
			}
			name := qname(t.Name)
			stack = append(stack, name)
			if err := writeStart(&b, name, t.Attr); err != nil {
				return "", err
			}
		case xml.EndElement:
			name := qname(t.Name)
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return "", fmt.Errorf("%w: CUSTOMATTRIBUTES has an unexpected end tag </%.32s>", ErrInvalidHeader, name)
			}
			stack = stack[:len(stack)-1]
			b.WriteString("</" + name + ">")
		case xml.CharData:
			b.WriteString(escapeText(string(t)))
		case xml.Comment:
			// dropped, as canonical XML without comments does
		default: // xml.ProcInst, xml.Directive
			return "", fmt.Errorf("%w: CUSTOMATTRIBUTES may not hold processing instructions or declarations", ErrInvalidHeader)
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("%w: CUSTOMATTRIBUTES leaves <%.32s> unclosed", ErrInvalidHeader, stack[len(stack)-1])
	}
	return b.String(), nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func isNamespaceDecl(a xml.Attr) bool {
	return a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns"
}

func writeStart(b *strings.Builder, name string, attrs []xml.Attr) error {
	attrs = slices.Clone(attrs)
	slices.SortFunc(attrs, func(x, y xml.Attr) int {
		if nx, ny := isNamespaceDecl(x), isNamespaceDecl(y); nx != ny {
			if nx {
				return -1
			}
			return 1
		}
		return strings.Compare(qname(x.Name), qname(y.Name))
	})
	b.WriteString("<" + name)
	for i, a := range attrs {
		n := qname(a.Name)
		if i > 0 && n == qname(attrs[i-1].Name) {
			return fmt.Errorf("%w: CUSTOMATTRIBUTES repeats attribute %.32s", ErrInvalidHeader, n)
		}
		b.WriteString(" " + n + `="` + escapeAttr(a.Value) + `"`)
	}
	b.WriteString(">")
	return nil
}

// Escaping as in Canonical XML 1.0: text escapes & < > and CR; attribute
// values escape & < " and TAB, LF, CR (which a parser would otherwise
// normalise to spaces).
func escapeText(s string) string { return escape(s, false) }
func escapeAttr(s string) string { return escape(s, true) }

func escape(s string, attr bool) string {
	if !strings.ContainsAny(s, "&<>\"\t\n\r") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '&':
			b.WriteString("&amp;")
		case c == '<':
			b.WriteString("&lt;")
		case c == '\r':
			b.WriteString("&#xD;")
		case c == '>' && !attr:
			b.WriteString("&gt;")
		case c == '"' && attr:
			b.WriteString("&quot;")
		case c == '\t' && attr:
			b.WriteString("&#x9;")
		case c == '\n' && attr:
			b.WriteString("&#xA;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
