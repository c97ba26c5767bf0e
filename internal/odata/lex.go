package odata

import "strings"

// tokKind classifies a $filter token.
type tokKind int

const (
	tokEOF    tokKind = iota
	tokLParen         // (
	tokRParen         // )
	tokWord           // a run of other characters: property, keyword, bare literal
	tokString         // 'quoted', val holds the unescaped text
	tokTyped          // prefix'quoted', text holds the prefix, val the unescaped text
)

// token is one lexical element; pos and end delimit its source text.
type token struct {
	kind     tokKind
	pos, end int
	raw      string // source text
	text     string
	val      string
}

// lexer splits a $filter value into tokens. Words extend to the next space,
// parenthesis or quote, so date-times, GUIDs and property paths each lex as
// one word and are classified by the parser.
type lexer struct {
	s   string
	pos int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDelim(c byte) bool { return isSpace(c) || c == '(' || c == ')' || c == '\'' }

func (l *lexer) next() (token, error) {
	t, err := l.scan()
	t.raw = l.s[t.pos:t.end]
	return t, err
}

func (l *lexer) scan() (token, error) {
	for l.pos < len(l.s) && isSpace(l.s[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start == len(l.s) {
		return token{kind: tokEOF, pos: start, end: start}, nil
	}
	switch l.s[start] {
	case '(':
		l.pos++
		return token{kind: tokLParen, pos: start, end: l.pos}, nil
	case ')':
		l.pos++
		return token{kind: tokRParen, pos: start, end: l.pos}, nil
	case '\'':
		val, err := l.quoted()
		return token{kind: tokString, pos: start, end: l.pos, val: val}, err
	}
	for l.pos < len(l.s) && !isDelim(l.s[l.pos]) {
		l.pos++
	}
	word := l.s[start:l.pos]
	if l.pos < len(l.s) && l.s[l.pos] == '\'' && isTypePrefix(word) {
		val, err := l.quoted()
		return token{kind: tokTyped, pos: start, end: l.pos, text: word, val: val}, err
	}
	return token{kind: tokWord, pos: start, end: l.pos, text: word}, nil
}

// quoted consumes a single-quoted string at l.pos, where a doubled quote
// stands for one quote, and returns its unescaped text.
func (l *lexer) quoted() (string, error) {
	start := l.pos
	l.pos++ // opening quote
	var b strings.Builder
	for {
		i := strings.IndexByte(l.s[l.pos:], '\'')
		if i < 0 {
			l.pos = len(l.s)
			return "", &Error{Param: paramFilter, Pos: start, Msg: "unterminated string literal"}
		}
		b.WriteString(l.s[l.pos : l.pos+i])
		l.pos += i + 1
		if l.pos < len(l.s) && l.s[l.pos] == '\'' {
			b.WriteByte('\'')
			l.pos++
			continue
		}
		return b.String(), nil
	}
}

// isTypePrefix reports whether word, directly followed by a quote, names
// the type of a literal (datetime'…', Microsoft.Media.JobState'…'). Keywords
// are excluded so that "name eq'x'" still reads as an operator and a string.
func isTypePrefix(word string) bool {
	if !isIdentStart(word[0]) || isKeyword(word) {
		return false
	}
	for i := 1; i < len(word); i++ {
		if c := word[i]; !isIdentChar(c) && c != '.' {
			return false
		}
	}
	return true
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

func isKeyword(word string) bool {
	switch strings.ToLower(word) {
	case "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le":
		return true
	}
	return false
}
