package odata

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lockstream/lockstream/internal/store"
)

// Limits on a $filter. They bound the work and memory one request can cost.
const (
	MaxFilterLength = 4096 // bytes
	MaxDepth        = 32   // nested parentheses
	MaxTerms        = 64   // comparisons
)

const paramFilter = "$filter"

var ops = map[string]store.Op{
	"eq": store.OpEq, "ne": store.OpNe,
	"gt": store.OpGt, "ge": store.OpGe,
	"lt": store.OpLt, "le": store.OpLe,
}

// ParseFilter parses a $filter value:
//
//	filter     = or
//	or         = and *( "or" and )
//	and        = primary *( "and" primary )
//	primary    = "(" or ")" / comparison
//	comparison = property ( "eq" / "ne" / "gt" / "ge" / "lt" / "le" ) literal
//	property   = identifier *( "/" identifier )      ; name, properties/created
//
// Keywords are case-insensitive and tokens may be separated by any spaces,
// tabs or line breaks. Literals are 'strings' (a doubled quote escapes one),
// date-times (2021-06-01T08:00:00Z, with up to seven fractional digits and
// Z or ±hh:mm; a bare date means midnight UTC; datetime'…' also works),
// GUIDs (bare, or guid'…'), integers, true and false, and enum members
// written Type'Member' (Microsoft.Media.JobState'Scheduled').
//
// An empty or blank s yields a nil Expr and no error. Errors are *Error.
func ParseFilter(s string) (Expr, error) {
	if len(s) > MaxFilterLength {
		return nil, &Error{Param: paramFilter, Pos: -1,
			Msg: "longer than " + strconv.Itoa(MaxFilterLength) + " bytes"}
	}
	if strings.TrimLeft(s, " \t\r\n") == "" {
		return nil, nil
	}
	if err := checkText(s); err != nil {
		return nil, err
	}
	p := &parser{lex: lexer{s: s}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf(p.tok.pos, "expected \"and\", \"or\" or end of input, found %s", describe(p.tok))
	}
	return e, nil
}

// parser is a recursive-descent parser with one token of lookahead.
// Recursion happens only at parentheses, which MaxDepth bounds.
type parser struct {
	lex   lexer
	tok   token
	depth int
	terms int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	p.tok = t
	return err
}

func (p *parser) errorf(pos int, format string, args ...any) *Error {
	return &Error{Param: paramFilter, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// isWord reports whether the current token is the keyword kw.
func (p *parser) isWord(kw string) bool {
	return p.tok.kind == tokWord && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) or() (Expr, error)  { return p.chain(Or, p.and) }
func (p *parser) and() (Expr, error) { return p.chain(And, p.primary) }

// chain parses operands joined by op, flattening nested chains of op.
func (p *parser) chain(op LogicalOp, operand func() (Expr, error)) (Expr, error) {
	var terms []Expr
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		if l, ok := e.(*Logical); ok && l.Op == op {
			terms = append(terms, l.Terms...)
		} else {
			terms = append(terms, e)
		}
		if !p.isWord(string(op)) {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &Logical{Op: op, Terms: terms}, nil
}

func (p *parser) primary() (Expr, error) {
	if p.tok.kind != tokLParen {
		return p.comparison()
	}
	open := p.tok.pos
	if p.depth++; p.depth > MaxDepth {
		return nil, p.errorf(open, "parentheses nested deeper than %d", MaxDepth)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tokRParen:
	case tokEOF:
		return nil, p.errorf(open, "unclosed \"(\"")
	default:
		return nil, p.errorf(p.tok.pos, "expected \"and\", \"or\" or \")\", found %s", describe(p.tok))
	}
	p.depth--
	return e, p.advance()
}

func (p *parser) comparison() (Expr, error) {
	t := p.tok
	if t.kind != tokWord || isKeyword(t.text) || !isPropertyPath(t.text) {
		if t.kind == tokWord && strings.EqualFold(t.text, "not") {
			return nil, p.errorf(t.pos, "operator \"not\" is not supported")
		}
		return nil, p.errorf(t.pos, "expected a property name, found %s", describe(t))
	}
	if p.terms++; p.terms > MaxTerms {
		return nil, p.errorf(t.pos, "more than %d comparisons", MaxTerms)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	c := &Comparison{Property: t.text, Pos: t.pos, OpPos: p.tok.pos}
	if p.tok.kind == tokLParen {
		return nil, p.errorf(t.pos, "function %s is not supported", quote(t.text))
	}
	op, ok := store.Op(""), false
	if p.tok.kind == tokWord {
		op, ok = ops[strings.ToLower(p.tok.text)]
	}
	if !ok {
		return nil, p.errorf(p.tok.pos, "expected a comparison operator (eq, ne, gt, ge, lt, le) after %s, found %s",
			quote(t.text), describe(p.tok))
	}
	c.Op = op
	if err := p.advance(); err != nil {
		return nil, err
	}
	v, err := literal(p.tok)
	if err != nil {
		return nil, err
	}
	c.Value = v
	return c, p.advance()
}

// isPropertyPath reports whether s is identifiers joined by "/".
func isPropertyPath(s string) bool { return isIdentList(s, "/") }

// checkText rejects what no store can hold (see store.ValidText): invalid
// UTF-8 and NUL characters.
func checkText(s string) error {
	for i, r := range s {
		switch r {
		case utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return &Error{Param: paramFilter, Pos: i, Msg: "invalid UTF-8"}
			}
		case 0:
			return &Error{Param: paramFilter, Pos: i, Msg: "NUL character"}
		}
	}
	return nil
}

// describe names a token for an error message.
func describe(t token) string {
	if t.kind == tokEOF {
		return "end of input"
	}
	return quote(t.raw)
}
