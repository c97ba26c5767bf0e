package signkeys

import (
	"context"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/auth"
)

// JWKS returns the published public keys, creating the first key if the
// store has none yet, so that a verifier fetching the set before the first
// token is issued does not get an empty one.
func (r *Ring) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	if _, err := r.Signer(ctx); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	set, err := r.snapshot(ctx, false)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	// Never null: verifiers expect a "keys" array.
	out := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range set.published(r.cfg.Now()) {
		out.Keys = append(out.Keys, k.jwk)
	}
	return out, nil
}

// VerificationKey implements auth.KeySet: a key verifies while it is
// published (not revoked, not retired).
func (r *Ring) VerificationKey(ctx context.Context, kid string, reload bool) (auth.VerificationKey, error) {
	set, err := r.snapshot(ctx, reload)
	if err != nil {
		return auth.VerificationKey{}, err
	}
	k := set.byKID[kid]
	if k == nil || k.doc.Revoked || set.retired(k, r.cfg.Now()) {
		return auth.VerificationKey{}, r.errorf("kid %.64q: %w", kid, auth.ErrKeyNotFound)
	}
	return auth.VerificationKey{Key: k.pub, Algorithm: k.doc.Alg}, nil
}
