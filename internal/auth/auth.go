package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
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
	// claim); empty for the Static bootstrap principal.
	ObjectID string
	// Owner of every account, as if it held Owner on ScopeAll. Set for the
	// Static bootstrap principal and the demo; token principals carry
	// Roles instead.
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

// Static accepts one bootstrap service principal presenting its client id
// and secret as "Authorization: Bearer <clientId>:<secret>" or HTTP Basic.
// It exists so automation can drive a fresh server before OAuth2 client
// credentials are configured.
type Static struct {
	ClientID string
	secret   [32]byte
}

// NewStatic returns a Static authenticator. Only a digest of the secret is
// kept in memory.
func NewStatic(clientID, secret string) *Static {
	return &Static{ClientID: clientID, secret: digest(secret)}
}

func digest(s string) [32]byte {
	m := hmac.New(sha256.New, []byte("lockstream-static-principal"))
	m.Write([]byte(s))
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// Authenticate implements Authenticator.
func (s *Static) Authenticate(r *http.Request) (Principal, error) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		h := r.Header.Get("Authorization")
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			id, secret, ok = strings.Cut(strings.TrimSpace(h[7:]), ":")
		}
	}
	if !ok || s.ClientID == "" {
		return Principal{}, ErrUnauthenticated
	}
	d := digest(secret)
	idOK := hmac.Equal([]byte(id), []byte(s.ClientID))
	if !hmac.Equal(d[:], s.secret[:]) || !idOK {
		return Principal{}, ErrUnauthenticated
	}
	return Principal{ID: id, Type: "Application", Owner: true}, nil
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
