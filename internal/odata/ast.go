package odata

import (
	"strings"

	"github.com/lockstream/lockstream/internal/store"
)

// Expr is a node of a parsed $filter: a *Logical or a *Comparison.
//
// String renders the node in a canonical form (single spaces, lower-case
// keywords, parentheses only where precedence needs them, bare date-times
// and GUIDs) that ParseFilter reads back to an equal tree.
type Expr interface {
	String() string
	isExpr()
}

// LogicalOp joins the terms of a Logical.
type LogicalOp string

// Logical operators; and binds tighter than or.
const (
	And LogicalOp = "and"
	Or  LogicalOp = "or"
)

// Logical is a chain of two or more terms joined by one operator. The
// parser flattens nested chains of the same operator, so no term of an And
// is itself an And, and no term of an Or is an Or.
type Logical struct {
	Op    LogicalOp
	Terms []Expr
}

// Comparison is "<property> <op> <literal>".
type Comparison struct {
	Property string // as written, e.g. "properties/created"
	Op       store.Op
	Value    Literal
	Pos      int // byte offset of Property
	OpPos    int // byte offset of Op
}

// LiteralKind tells how a literal was written.
type LiteralKind int

// Literal kinds.
const (
	LitString   LiteralKind = iota // 'text', with '' for a quote
	LitDateTime                    // 2021-06-01T08:00:00Z or datetime'…'
	LitGUID                        // bare 8-4-4-4-12 hex or guid'…'
	LitInt                         // -?[0-9]+, fits int64
	LitBool                        // true or false
	LitEnum                        // Type'Value', e.g. Microsoft.Media.JobState'Scheduled'
)

var kindNames = [...]string{"string", "date-time", "GUID", "integer", "boolean", "enum"}

func (k LiteralKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// Literal is the right-hand side of a comparison.
type Literal struct {
	Kind LiteralKind
	// Type is the qualified enum type name of a LitEnum, as written.
	Type string
	// Value is the literal's text without quotes or type prefix: the
	// unescaped string, the date-time as written, the GUID as written,
	// the integer in decimal, "true" or "false", the enum member.
	Value string
	Pos   int // byte offset of the literal
}

func (*Logical) isExpr()    {}
func (*Comparison) isExpr() {}

func (e *Logical) String() string {
	var b strings.Builder
	for i, t := range e.Terms {
		if i > 0 {
			b.WriteString(" " + string(e.Op) + " ")
		}
		if l, ok := t.(*Logical); ok && e.Op == And && l.Op == Or {
			b.WriteString("(" + t.String() + ")")
		} else {
			b.WriteString(t.String())
		}
	}
	return b.String()
}

func (e *Comparison) String() string {
	return e.Property + " " + string(e.Op) + " " + e.Value.String()
}

func (l Literal) String() string {
	switch l.Kind {
	case LitString:
		return quoteString(l.Value)
	case LitEnum:
		return l.Type + quoteString(l.Value)
	}
	return l.Value
}

// quoteString renders s as an OData string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
