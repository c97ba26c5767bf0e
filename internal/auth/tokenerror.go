package auth

import (
	"errors"
	"strings"
)

// TokenError is why a bearer token was refused. It wraps
// ErrUnauthenticated, so API error mapping answers 401.
type TokenError struct {
	// Code is the RFC 6750 error code: "invalid_token", or "" when the
	// request carried no bearer token at all (§3.1: no error code then).
	Code string
	// Description is safe to send to the client (error_description).
	Description string
	// Reason is detail for logs. It may name claim values but never holds
	// the token itself.
	Reason string
	// Err is the underlying cause, if any.
	Err error
}

func (e *TokenError) Error() string {
	msg := "auth: " + e.Description
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns ErrUnauthenticated and the cause.
func (e *TokenError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrUnauthenticated}
	}
	return []error{ErrUnauthenticated, e.Err}
}

func invalidToken(desc, reason string, err error) *TokenError {
	return &TokenError{Code: "invalid_token", Description: desc, Reason: reason, Err: err}
}

// Challenge returns the value of the WWW-Authenticate header for a 401
// answer to err (RFC 6750 §3): `Bearer realm="…"`, plus error and
// error_description when err is a *TokenError with a code, and
// error="invalid_token" for any other error.
func Challenge(realm string, err error) string {
	var b strings.Builder
	b.WriteString(`Bearer realm="`)
	b.WriteString(quoteSafe(realm))
	b.WriteByte('"')
	var te *TokenError
	switch {
	case errors.As(err, &te) && te.Code == "":
		// No credentials: RFC 6750 §3.1 says not to include an error code.
	case errors.As(err, &te):
		b.WriteString(`, error="`)
		b.WriteString(quoteSafe(te.Code))
		b.WriteString(`", error_description="`)
		b.WriteString(quoteSafe(te.Description))
		b.WriteByte('"')
	case err != nil:
		b.WriteString(`, error="invalid_token"`)
	}
	return b.String()
}

// quoteSafe keeps a value inside an RFC 7230 quoted-string: RFC 6750 limits
// error_description to printable ASCII without '"' and '\'.
func quoteSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}
