package policy

import (
	"errors"
	"strconv"
)

// Classes of refusal; every [*Error] wraps exactly one. The HTTP layer maps
// them with errors.Is.
var (
	// ErrUnauthenticated means the request has no token or one that does
	// not verify (HTTP 401).
	ErrUnauthenticated = errors.New("policy: token missing or invalid")
	// ErrForbidden means the token verified but does not entitle the
	// caller to this key (HTTP 403).
	ErrForbidden = errors.New("policy: not entitled")
	// ErrUnavailable means verification could not be completed: keys
	// could not be fetched or uses could not be counted (HTTP 503).
	ErrUnavailable = errors.New("policy: verification unavailable")
)

// ErrUsedUp is wrapped, with [ErrUnauthenticated], when a token's
// maxuses are spent: a replay, which callers may count apart.
var ErrUsedUp = errors.New("policy: token use limit reached")

// ErrNoOption is wrapped, with [ErrForbidden], when no option of the policy
// serves the requested kind.
var ErrNoOption = errors.New("policy: no option serves this request kind")

// Public messages: short, fixed, safe to send to any client.
const (
	msgTokenRequired   = "token required"
	msgInvalidToken    = "invalid token"
	msgExpired         = "token expired or not yet valid"
	msgWrongIssuer     = "token issuer or audience not accepted"
	msgUsedUp          = "token use limit reached"
	msgNotEntitled     = "token does not grant this key"
	msgNoOption        = "no policy option for this request"
	msgUnavailable     = "token verification temporarily unavailable"
	msgAlgNotAccepted  = "token signature algorithm not accepted"
	msgBadRestriction  = "policy option cannot be evaluated"
	maxReasonValueSize = 64
)

// Error is why a policy refused a request.
type Error struct {
	// Class is ErrUnauthenticated, ErrForbidden or ErrUnavailable.
	Class error
	// Public is a short message safe to return to the client.
	Public string
	// Reason is detail for logs. It may quote (truncated) claim values or
	// header members, never the token, a signature or key bytes.
	Reason string
	// Option is the index of the option that produced this error, or -1.
	Option int
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string {
	msg := "policy: " + e.Public
	if e.Option >= 0 {
		msg += " (option " + strconv.Itoa(e.Option) + ")"
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the class and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Class}
	}
	return []error{e.Class, e.Err}
}

// rank orders failures across options: the most specific one is reported.
func (e *Error) rank() int {
	switch {
	case errors.Is(e.Class, ErrForbidden):
		return 3
	case errors.Is(e.Class, ErrUnavailable):
		return 2
	}
	return 1
}

func unauthenticated(public, reason string, err error) *Error {
	return &Error{Class: ErrUnauthenticated, Public: public, Reason: reason, Option: -1, Err: err}
}

func forbidden(reason string, err error) *Error {
	return &Error{Class: ErrForbidden, Public: msgNotEntitled, Reason: reason, Option: -1, Err: err}
}

func unavailable(reason string, err error) *Error {
	return &Error{Class: ErrUnavailable, Public: msgUnavailable, Reason: reason, Option: -1, Err: err}
}

// quote renders an untrusted value for a Reason: quoted, escaped and
// truncated, so that logs cannot be flooded or forged with it.
func quote(s string) string {
	if len(s) > maxReasonValueSize {
		return strconv.Quote(s[:maxReasonValueSize]) + "…"
	}
	return strconv.Quote(s)
}
