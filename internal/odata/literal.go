package odata

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// timeRE is the date-time syntax accepted in literals: a date, optionally a
// time of day with minutes, seconds and up to seven fractional digits (the
// AMS precision), and optionally Z or a ±hh:mm offset. Without an offset the
// time is UTC.
var timeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(:\d{2}(?:\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$`)

var errTime = errors.New("invalid date-time")

// parseTime parses a date-time literal and returns it in UTC.
func parseTime(s string) (time.Time, error) {
	m := timeRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, errTime
	}
	layout := "2006-01-02"
	if len(s) > len(layout) {
		layout += "T15:04"
		if m[1] != "" {
			layout += ":05" // fractional seconds parse without a layout element
		}
		if m[2] != "" {
			layout += "Z07:00"
		}
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, errTime
	}
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		// Outside four-digit years FormatTime text would not sort.
		return time.Time{}, errTime
	}
	return t, nil
}

// isInt reports whether s is -?[0-9]+.
func isInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// literal converts the token at a value position into a Literal.
func literal(t token) (Literal, error) {
	lit := Literal{Pos: t.pos}
	fail := func(msg string) (Literal, error) {
		return Literal{}, &Error{Param: paramFilter, Pos: t.pos, Msg: msg}
	}
	switch t.kind {
	case tokString:
		lit.Kind, lit.Value = LitString, t.val
		return lit, nil
	case tokTyped:
		switch strings.ToLower(t.text) {
		case "datetime", "datetimeoffset":
			if _, err := parseTime(t.val); err != nil {
				return fail("invalid date-time literal " + quote(t.val))
			}
			lit.Kind, lit.Value = LitDateTime, t.val
		case "guid":
			if !defs.IsGUID(t.val) {
				return fail("invalid GUID literal " + quote(t.val))
			}
			lit.Kind, lit.Value = LitGUID, t.val
		default:
			if !strings.Contains(t.text, ".") {
				return fail("unsupported literal type " + quote(t.text))
			}
			if !isQualifiedName(t.text) {
				return fail("invalid enum type name " + quote(t.text))
			}
			lit.Kind, lit.Type, lit.Value = LitEnum, t.text, t.val
		}
		return lit, nil
	case tokWord:
		w := t.text
		switch {
		case strings.EqualFold(w, "true") || strings.EqualFold(w, "false"):
			lit.Kind, lit.Value = LitBool, strings.ToLower(w)
		case defs.IsGUID(w):
			lit.Kind, lit.Value = LitGUID, w
		case isInt(w):
			n, err := strconv.ParseInt(w, 10, 64)
			if err != nil {
				return fail("integer literal out of range " + quote(w))
			}
			lit.Kind, lit.Value = LitInt, strconv.FormatInt(n, 10)
		case looksLikeDate(w):
			if _, err := parseTime(w); err != nil {
				return fail("invalid date-time literal " + quote(w))
			}
			lit.Kind, lit.Value = LitDateTime, w
		case w[0] == '"':
			return fail("invalid literal " + quote(w) + " (strings take single quotes)")
		default:
			return fail("invalid literal " + quote(w) + " (strings must be single-quoted)")
		}
		return lit, nil
	}
	return fail("expected a value, found " + describe(t))
}

// looksLikeDate reports whether s starts like a date, "dddd-".
func looksLikeDate(s string) bool {
	return len(s) > 4 && s[4] == '-' && isInt(s[:4]) && s[0] != '-'
}

// isQualifiedName reports whether s is identifiers joined by ".".
func isQualifiedName(s string) bool { return isIdentList(s, ".") }

// isIdentList reports whether s is one or more identifiers joined by sep.
func isIdentList(s, sep string) bool {
	for _, seg := range strings.Split(s, sep) {
		if seg == "" || !isIdentStart(seg[0]) {
			return false
		}
		for i := 1; i < len(seg); i++ {
			if !isIdentChar(seg[i]) {
				return false
			}
		}
	}
	return true
}
