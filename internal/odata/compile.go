package odata

import (
	"slices"
	"strings"

	"github.com/lockstream/lockstream/internal/store"
)

// Property describes one filterable or sortable property of an entity.
type Property struct {
	Field    store.Field
	Ops      []store.Op // operators $filter accepts; none means not filterable
	Sortable bool       // whether $orderby accepts it
}

// Schema maps lower-case property paths ("name", "properties/created") to
// what a query may do with them. Lookups lower-case the client's path.
type Schema map[string]Property

// lookup finds the property for a path as the client wrote it.
func (s Schema) lookup(path string) (Property, bool) {
	p, ok := s[strings.ToLower(path)]
	return p, ok
}

// CompileFilter parses s (see ParseFilter) and compiles it against schema
// (see Compile). An empty or blank s yields a nil condition and no error.
func CompileFilter(s string, schema Schema) (*store.Cond, error) {
	e, err := ParseFilter(s)
	if err != nil || e == nil {
		return nil, err
	}
	return Compile(e, schema)
}

// Compile turns a parsed filter into a store condition. It rejects
// properties missing from schema and operators the property does not list.
// Time fields take date-time literals, or strings that parse as one, and
// receive their value as store.FormatTime text in UTC. String fields take
// strings, GUIDs (lower-cased, as AMS stores them) and enum members.
// Errors are *Error with the position of the offending element.
func Compile(e Expr, schema Schema) (*store.Cond, error) {
	switch e := e.(type) {
	case *Logical:
		kids := make([]*store.Cond, len(e.Terms))
		for i, t := range e.Terms {
			c, err := Compile(t, schema)
			if err != nil {
				return nil, err
			}
			kids[i] = c
		}
		if e.Op == And {
			return &store.Cond{And: kids}, nil
		}
		return &store.Cond{Or: kids}, nil
	case *Comparison:
		return compileComparison(e, schema)
	}
	return nil, &Error{Param: paramFilter, Pos: -1, Msg: "empty expression"}
}

func compileComparison(c *Comparison, schema Schema) (*store.Cond, error) {
	p, ok := schema.lookup(c.Property)
	if !ok || len(p.Ops) == 0 {
		return nil, &Error{Param: paramFilter, Pos: c.Pos, Msg: "unknown property " + quote(c.Property)}
	}
	if !slices.Contains(p.Ops, c.Op) {
		return nil, &Error{Param: paramFilter, Pos: c.OpPos, Msg: "operator " + quote(string(c.Op)) +
			" is not supported for property " + quote(c.Property) + " (supported: " + joinOps(p.Ops) + ")"}
	}
	v, err := value(c, p.Field.Type)
	if err != nil {
		return nil, err
	}
	return &store.Cond{Field: p.Field, Op: c.Op, Value: v}, nil
}

// value converts the comparison's literal for a field of type ft.
func value(c *Comparison, ft store.FieldType) (string, error) {
	lit := c.Value
	fail := func(msg string) (string, error) {
		return "", &Error{Param: paramFilter, Pos: lit.Pos, Msg: msg}
	}
	if ft == store.TypeTime {
		switch lit.Kind {
		case LitDateTime, LitString:
			t, err := parseTime(lit.Value)
			if err != nil {
				return fail("invalid date-time " + quote(lit.Value) + " for property " + quote(c.Property))
			}
			return store.FormatTime(t), nil
		}
		return fail("property " + quote(c.Property) + " takes a date-time, not " + article(lit.Kind))
	}
	switch lit.Kind {
	case LitString, LitEnum:
		return lit.Value, nil
	case LitGUID:
		return strings.ToLower(lit.Value), nil
	}
	return fail("property " + quote(c.Property) + " takes a quoted string, not " + article(lit.Kind))
}

func article(k LiteralKind) string {
	if k == LitInt || k == LitEnum {
		return "an " + k.String()
	}
	return "a " + k.String()
}

func joinOps(ops []store.Op) string {
	s := make([]string, len(ops))
	for i, op := range ops {
		s[i] = string(op)
	}
	return strings.Join(s, ", ")
}
