package license

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/license/settings"
	"github.com/lockstream/lockstream/internal/policy"
)

// Key is one granted content key.
type Key struct {
	KID keys.KID
	// Key is the content key value; zero when the request only needs the
	// option (the FairPlay application certificate).
	Key keys.Key
	// Option is the content key policy option that granted the key, with
	// its secrets (FairPlay ASk and PFX) unsealed. It must not be
	// modified: it is shared with key delivery's policy cache.
	Option *defs.ContentKeyPolicyOption
	// Decision is the policy evaluation's outcome (option index, token
	// expiry, used to cap license durations).
	Decision policy.Decision
	// PolicyName and LocatorName name where the key came from.
	PolicyName, LocatorName string
}

// Request is a license request that passed the token check.
type Request struct {
	Kind policy.Kind
	// Account is the account's ARM path; MediaServiceID its GUID.
	Account, MediaServiceID string
	// Keys are the granted keys, in request order; at least one.
	Keys []Key
	// Challenge is the raw request body (SPC form, Widevine protobuf,
	// PlayReady SOAP).
	Challenge []byte
	// Header and Query are the player's request headers and query.
	Header http.Header
	Query  url.Values
	// Token is the player's token, for vendors that take it in custom
	// data. Never logged.
	Token string
	// Certificate asks for the FairPlay application certificate instead
	// of a license; Keys then carry no values.
	Certificate bool
	Now         time.Time
	// Server is the account's license server for this DRM system, with
	// its secrets, when one is configured (set by Router).
	Server *settings.Properties
}

// Response is the answer to the player.
type Response struct {
	Status int // 0 = 200
	Header http.Header
	Body   []byte
}

// Error is a refusal with an answer safe to show the player (Public) and
// a reason for the log only.
type Error struct {
	Status int
	Code   string
	Public string
	Reason string
	Err    error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error.
func Errorf(status int, code, public, reason string, err error) *Error {
	return &Error{Status: status, Code: code, Public: public, Reason: reason, Err: err}
}

// Error codes shared by the routes.
const (
	CodeBadRequest    = "BadRequest"
	CodeForbidden     = "Forbidden"
	CodeTooLarge      = "RequestTooLarge"
	CodeNotConfigured = "LicenseServerNotConfigured"
	CodeUpstream      = "LicenseServiceError"
	CodeUnavailable   = "ServiceUnavailable"
	CodeConflict      = "Conflict"
)

// ErrNotConfigured is returned (wrapped in an *Error with status 501) for
// a kind no route serves.
var ErrNotConfigured = errors.New("license: no license server configured")

// NotConfigured answers a kind no route serves.
func NotConfigured(name string) *Error {
	return &Error{Status: http.StatusNotImplemented, Code: CodeNotConfigured,
		Public: fmt.Sprintf("No %s license server is configured for this account; Lockstream does not issue %s licenses itself.", name, name),
		Reason: "entitled, but no license server configured", Err: ErrNotConfigured}
}

// Handler serves one DRM kind.
type Handler interface {
	License(ctx context.Context, req Request) (Response, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req Request) (Response, error)

// License calls f.
func (f HandlerFunc) License(ctx context.Context, req Request) (Response, error) { return f(ctx, req) }
