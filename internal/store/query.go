package store

import "strings"

// FieldType tells how a field's values compare.
type FieldType int

// Field types. Times are compared as FormatTime text.
const (
	TypeString FieldType = iota
	TypeTime
)

// Column selects where a field lives.
type Column int

// Columns a query can address.
const (
	ColName     Column = iota // compared case-insensitively
	ColCreated                // Resource.Created
	ColModified               // Resource.Modified
	ColDoc                    // top-level string member of Resource.Doc, by Field.Path
)

// Field is something a filter or ordering can address.
type Field struct {
	Col  Column
	Path string // JSON member name inside Doc, for ColDoc (letters and digits only)
	Type FieldType
}

// Op is a comparison operator.
type Op string

// Comparison operators (OData names).
const (
	OpEq Op = "eq"
	OpNe Op = "ne"
	OpGt Op = "gt"
	OpGe Op = "ge"
	OpLt Op = "lt"
	OpLe Op = "le"
)

// Cond is a filter tree: either And/Or of two children, or a comparison.
// A missing Doc member compares as the empty string.
type Cond struct {
	And, Or []*Cond // exactly one of And, Or, or the comparison is set
	Field   Field
	Op      Op
	Value   string // for TypeTime already in FormatTime form
}

// Cursor marks the last item of the previous page. CursorOf builds one.
type Cursor struct {
	Value   string // the order field's value of the last item (FormatTime for times)
	NameKey string // lower-cased name of the last item, the tie-breaker
	// Scope is the last item's scope, the final tie-breaker. Only
	// ScopePrefix listings need it (names repeat across scopes there); when
	// it is empty such a listing resumes strictly after (Value, NameKey),
	// which can skip a same-named item in another scope at a page boundary.
	Scope string
}

// ListQuery selects resources of one kind under one scope.
type ListQuery struct {
	Kind  Kind
	Scope string
	// ScopePrefix matches every scope starting with Scope+"/" as well as
	// Scope itself (accounts of a subscription across resource groups).
	ScopePrefix bool
	Filter      *Cond
	// OrderBy defaults to the name. Ties are broken by lower-cased name,
	// in the same direction.
	OrderBy *Field
	Desc    bool
	After   *Cursor
	Limit   int
}

func lower(s string) string { return strings.ToLower(s) }

// NameKey returns the case-folded form of a name used for uniqueness.
func NameKey(name string) string { return lower(name) }
