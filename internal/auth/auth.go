package auth

import (
	"context"
	"errors"
	"net/http"
)

// Errors callers map to 401 and 403.
var (
	ErrUnauthenticated = errors.New("auth: missing or invalid credentials")
	ErrForbidden       = errors.New("auth: operation not allowed for this principal")
)

// PrincipalType is what ARM systemData calls createdByType.
type PrincipalType string

// Principal is an authenticated caller.
type Principal struct {
	ID   string        // client (application) id
	Type PrincipalType // "Application" for service principals
	// ObjectID is the service principal's object id (the token's oid
	// claim).
	ObjectID string
	// Owner of every account, as if it held Owner on ScopeAll. Set only
	// for the demo's built-in principal; token principals (the bootstrap
	// principal included) carry Roles instead.
	Owner bool
	// Roles are the principal's role assignments as read from the store
	// when the request was authenticated (not the token's roles claim, so
	// that a revoked assignment takes effect before the token expires).
	Roles []RoleAssignment
}

// Authenticator turns a request's credentials into a Principal.
type Authenticator interface {
	Authenticate(r *http.Request) (Principal, error)
}

type ctxKey struct{}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal stored by WithPrincipal.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
