package store

import "encoding/json"

// The functions in this file are the reference semantics of ListQuery:
// backends must return exactly what they describe (the conformance suite in
// storetest checks it), and the API layer uses them to build cursors that
// agree with the backend's comparisons.

// DocMember returns the top-level string member path of doc, or "" when
// doc is not a JSON object, the member is missing, or it is not a string
// (null, number, boolean, object, array). This is the value filters and
// orderings on ColDoc fields compare.
func DocMember(doc []byte, path string) string {
	if len(doc) == 0 {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil {
		return ""
	}
	raw, ok := m[path]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// FieldValue returns the text a query compares for f on r: the case-folded
// name, FormatTime of a time column, or DocMember of the document.
func FieldValue(r *Resource, f Field) string {
	switch f.Col {
	case ColName:
		return NameKey(r.Name)
	case ColCreated:
		return FormatTime(r.Created)
	case ColModified:
		return FormatTime(r.Modified)
	case ColDoc:
		return DocMember(r.Doc, f.Path)
	}
	return ""
}

// compareValue is the right-hand side of a comparison on f, normalised
// the way the backends normalise it (names are case-insensitive).
func compareValue(f Field, v string) string {
	if f.Col == ColName {
		return NameKey(v)
	}
	return v
}

// Match reports whether r satisfies c, comparing text bytewise. A nil
// Cond matches everything. c should have passed ValidateCond; an invalid
// comparison matches nothing.
func (c *Cond) Match(r *Resource) bool {
	switch {
	case c == nil:
		return true
	case len(c.And) > 0:
		for _, k := range c.And {
			if !k.Match(r) {
				return false
			}
		}
		return true
	case len(c.Or) > 0:
		for _, k := range c.Or {
			if k.Match(r) {
				return true
			}
		}
		return false
	}
	a, b := FieldValue(r, c.Field), compareValue(c.Field, c.Value)
	switch c.Op {
	case OpEq:
		return a == b
	case OpNe:
		return a != b
	case OpGt:
		return a > b
	case OpGe:
		return a >= b
	case OpLt:
		return a < b
	case OpLe:
		return a <= b
	}
	return false
}

// CursorOf returns the cursor that resumes a listing ordered by orderBy
// (nil: by name) strictly after r.
func CursorOf(r *Resource, orderBy *Field) Cursor {
	f := Field{Col: ColName}
	if orderBy != nil {
		f = *orderBy
	}
	return Cursor{Value: FieldValue(r, f), NameKey: NameKey(r.Name), Scope: r.Scope}
}

// CompareOrder orders a and b the way a listing ordered by orderBy (nil: by
// name), ascending, returns them: by FieldValue, then case-folded name,
// then scope, all bytewise. It returns -1, 0 or +1.
func CompareOrder(a, b *Resource, orderBy *Field) int {
	f := Field{Col: ColName}
	if orderBy != nil {
		f = *orderBy
	}
	if c := cmpString(FieldValue(a, f), FieldValue(b, f)); c != 0 {
		return c
	}
	if c := cmpString(NameKey(a.Name), NameKey(b.Name)); c != 0 {
		return c
	}
	return cmpString(a.Scope, b.Scope)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
