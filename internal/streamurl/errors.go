package streamurl

import (
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// MPE_* codes produced by Parse (ams-v3-api.md §9.3).
const (
	CodeBadURLSyntax     = "MPE_BAD_URL_SYNTAX"     // 400, 0x80890201
	CodeResourceNotFound = "MPE_RESOURCE_NOT_FOUND" // 404, 0x808901F9
)

// Error is the error type returned by Parse. Status and Code are what the
// origin should answer with; Msg is safe to return to the client (it never
// quotes more than a short prefix of the input).
type Error struct {
	Status int    // HTTP status: 400 or 404
	Code   string // CodeBadURLSyntax or CodeResourceNotFound
	Msg    string
	Err    error // underlying cause, if any (for example a strconv error)
}

func (e *Error) Error() string { return "streamurl: " + e.Code + ": " + e.Msg }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// syntaxErr builds a 400 MPE_BAD_URL_SYNTAX error. It returns *Error so
// that Parse can return it directly; it is never nil.
func syntaxErr(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadURLSyntax, Msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeResourceNotFound, Msg: fmt.Sprintf(format, args...)}
}

// maxQuote bounds how much of the input a message quotes, so an error body
// or log line cannot be used to reflect a large payload.
const maxQuote = 64

// q quotes s for a message, cutting it at a rune boundary after maxQuote
// bytes and marking the cut.
func q(s string) string {
	if len(s) <= maxQuote {
		return strconv.Quote(s)
	}
	cut := maxQuote
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
