package odata

import (
	"strings"

	"github.com/lockstream/lockstream/internal/store"
)

const paramOrderBy = "$orderby"

// ParseOrderBy parses a $orderby value "<property> [asc|desc]" against
// schema and returns the field to order by and whether the order is
// descending. Only one ordering key is supported; ties are broken by name
// (see store.ListQuery). An empty or blank s yields a nil field, meaning
// the default order. A direction alone ("asc", "desc") orders by name in
// that direction, as AMS answered it. Errors are *Error.
func ParseOrderBy(s string, schema Schema) (*store.Field, bool, error) {
	if len(s) > MaxFilterLength {
		return nil, false, &Error{Param: paramOrderBy, Pos: -1, Msg: "value too long"}
	}
	if i := strings.IndexByte(s, ','); i >= 0 {
		return nil, false, &Error{Param: paramOrderBy, Pos: i, Msg: "only one ordering key is supported"}
	}
	words := fields(s)
	if len(words) == 0 {
		return nil, false, nil
	}
	prop := words[0]
	if len(words) == 1 {
		if desc, ok := bareDirection(prop.text); ok {
			// "$orderby=asc" (sent by Microsoft's own Node sample for
			// assets.list, which AMS answered): a direction without a
			// property orders by the default key, the name.
			if p, ok := schema.lookup("name"); ok && p.Sortable {
				f := p.Field
				return &f, desc, nil
			}
			return nil, false, &Error{Param: paramOrderBy, Pos: prop.pos, Msg: "a direction needs a property to order by"}
		}
	}
	p, ok := schema.lookup(prop.text)
	if !ok {
		return nil, false, &Error{Param: paramOrderBy, Pos: prop.pos, Msg: "unknown property " + quote(prop.text)}
	}
	if !p.Sortable {
		return nil, false, &Error{Param: paramOrderBy, Pos: prop.pos, Msg: "property " + quote(prop.text) + " is not sortable"}
	}
	desc := false
	if len(words) > 1 {
		dir := words[1]
		switch strings.ToLower(dir.text) {
		case "asc":
		case "desc":
			desc = true
		default:
			return nil, false, &Error{Param: paramOrderBy, Pos: dir.pos,
				Msg: "expected \"asc\" or \"desc\" after " + quote(prop.text) + ", found " + quote(dir.text)}
		}
	}
	if len(words) > 2 {
		return nil, false, &Error{Param: paramOrderBy, Pos: words[2].pos, Msg: "unexpected " + quote(words[2].text)}
	}
	f := p.Field
	return &f, desc, nil
}

// bareDirection reports whether w is an ordering direction, and which.
func bareDirection(w string) (desc, ok bool) {
	switch strings.ToLower(w) {
	case "asc":
		return false, true
	case "desc":
		return true, true
	}
	return false, false
}

// word is a space-separated word and its byte offset.
type word struct {
	text string
	pos  int
}

// fields splits s at spaces, tabs and line breaks, keeping offsets.
func fields(s string) []word {
	var ws []word
	for i := 0; i < len(s); {
		if isSpace(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		ws = append(ws, word{s[i:j], i})
		i = j
	}
	return ws
}
