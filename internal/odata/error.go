package odata

import (
	"strconv"
	"unicode/utf8"
)

// Error reports an invalid query option. Its text names the option, says
// what is wrong and, when Pos is not negative, where; it quotes at most a
// short, escaped excerpt of the input, so it is safe to show to a client.
type Error struct {
	Param string // "$filter", "$orderby", "$top" or "$skiptoken"
	Pos   int    // byte offset into the option's value, or -1
	Msg   string
}

func (e *Error) Error() string {
	if e.Pos < 0 {
		return e.Param + ": " + e.Msg
	}
	return e.Param + ": " + e.Msg + " at position " + strconv.Itoa(e.Pos)
}

// maxQuote bounds the bytes of client input quoted in an error message.
const maxQuote = 40

// quote returns s as an escaped Go string literal, shortened to about
// maxQuote bytes.
func quote(s string) string {
	if len(s) <= maxQuote {
		return strconv.Quote(s)
	}
	n := maxQuote
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "…"
}
