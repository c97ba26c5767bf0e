package identity

import (
	"context"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/signkeys"
)

// Signing algorithms the identity offers: both kinds of stored key.
const (
	algRS256 = signkeys.RS256
	algES256 = signkeys.ES256
)

// newKeyRing returns the access token signing keys: KindSigningKey
// records under Config.Scope. The names here are the stored format.
func (s *Service) newKeyRing() *signkeys.Ring {
	k := s.cfg.Keys
	return signkeys.New(signkeys.Config{
		Store: s.cfg.Store, Sealer: s.cfg.Sealer, Log: s.cfg.Log,
		Kind: KindSigningKey, Scope: s.cfg.Scope, Name: "identity",
		Now: s.now, Rand: s.rand,
		Algorithm: k.Algorithm, RSABits: k.RSABits,
		Lifetime: k.Lifetime, PrePublish: k.PrePublish, Overlap: k.Overlap, CacheTTL: k.CacheTTL,
	})
}

// Rotate creates a new signing key that signs from now on and returns its
// kid. Older keys stay published for Keys.Overlap, so tokens they signed
// keep verifying until they expire. Scheduled rotation needs no call; this
// is for operators and tests.
func (s *Service) Rotate(ctx context.Context) (string, error) {
	kid, err := s.keys.Rotate(ctx)
	s.auditMgmt(ctx, "signingKeys/rotate", kid, err)
	return kid, err
}

// RemoveKey revokes a signing key at once: it leaves the JWKS and tokens
// it signed stop verifying (on other nodes within Keys.CacheTTL). When it
// was the key signing now, a new key replaces it immediately. Errors wrap
// store.ErrNotFound for an unknown kid.
func (s *Service) RemoveKey(ctx context.Context, kid string) error {
	_, err := s.keys.Remove(ctx, kid)
	s.auditMgmt(ctx, "signingKeys/delete", kid, err)
	return err
}

// VerificationKey implements auth.KeySet: a key verifies while it is
// published (not revoked, not retired).
func (s *Service) VerificationKey(ctx context.Context, kid string, reload bool) (auth.VerificationKey, error) {
	return s.keys.VerificationKey(ctx, kid, reload)
}

// JWKS returns the published public keys, creating the first key if the
// store has none yet.
func (s *Service) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	return s.keys.JWKS(ctx)
}

// InvalidateKeys makes the next token or JWKS re-read the signing keys
// from the store: another node rotated or revoked one.
func (s *Service) InvalidateKeys() { s.keys.Invalidate() }
