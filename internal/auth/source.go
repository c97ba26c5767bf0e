package auth

import (
	"context"
	"crypto"
	"errors"
)

// Errors a KeySet or Directory returns (wrapped) when the thing looked up
// does not exist, as opposed to a store failure.
var (
	ErrKeyNotFound       = errors.New("auth: signing key not found")
	ErrPrincipalNotFound = errors.New("auth: principal not found")
)

// VerificationKey is a public key trusted to sign access tokens, with the
// one algorithm it may be used with (RFC 8725 §3.1: the algorithm comes
// from the key, never from the token).
type VerificationKey struct {
	Key       crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey
	Algorithm string           // "RS256" or "ES256"
}

// KeySet supplies token verification keys; package identity implements it.
type KeySet interface {
	// VerificationKey returns the key with this kid. reload asks the set to
	// re-read its backing store first (JWT rate-limits such calls). An
	// unknown or retired kid yields an error wrapping ErrKeyNotFound.
	VerificationKey(ctx context.Context, kid string, reload bool) (VerificationKey, error)
}

// Directory looks principals up; package identity implements it.
type Directory interface {
	// LookupPrincipal returns the current state of a service principal,
	// including its role assignments; an error wrapping
	// ErrPrincipalNotFound when it has been deleted.
	LookupPrincipal(ctx context.Context, clientID string) (Principal, error)
}
