package sts

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/signkeys"
	"github.com/lockstream/lockstream/internal/store"
)

// KindSigningKey is the store kind of signing key records, under
// Config.Scope.
const KindSigningKey store.Kind = "stsSigningKeys"

// ErrKeyNotFound reports an unknown, revoked or retired signing key.
var ErrKeyNotFound = errors.New("sts: signing key not found")

// errHMACRotation refuses key operations under HS256, whose key is
// configured rather than stored.
var errHMACRotation = fmt.Errorf("%w: HS256 keys rotate through configuration", ErrInvalid)

// newKeyRing returns the RS256 or ES256 signing keys: KindSigningKey
// records under Config.Scope, apart from the identity provider's. The
// "sts " log prefix keeps the messages apart from the identity's.
func (s *Service) newKeyRing() *signkeys.Ring {
	k := s.cfg.Keys
	return signkeys.New(signkeys.Config{
		Store: s.cfg.Store, Sealer: s.cfg.Sealer, Log: s.cfg.Log,
		Kind: KindSigningKey, Scope: s.cfg.Scope, Name: "sts", LogPrefix: "sts ",
		Now: s.now, Rand: s.rand,
		Algorithm: k.Algorithm, RSABits: k.RSABits,
		Lifetime: k.Lifetime, PrePublish: k.PrePublish, Overlap: k.Overlap, CacheTTL: k.CacheTTL,
	})
}

// signing is what a token is signed with.
type signing struct {
	alg, kid string
	key      any // crypto.Signer, or []byte for HS256
}

// newHMACKey wraps the configured HS256 key. Its kid is derived from the
// key, so every node names it alike without sharing state, and a changed
// key gets a new kid.
func newHMACKey(key []byte) *signing {
	sum := sha256.Sum256(append([]byte("lockstream sts hs256 kid\x00"), key...))
	kid := base64.RawURLEncoding.EncodeToString(sum[:16])
	return &signing{alg: AlgHS256, kid: kid, key: slices.Clone(key)}
}

// signer returns the key that signs now: the HS256 key, or the stored key
// whose turn it is (created when due), unsealed.
func (s *Service) signer(ctx context.Context) (signing, error) {
	if s.hmac != nil {
		return *s.hmac, nil
	}
	k, err := s.keys.Signer(ctx)
	if err != nil {
		return signing{}, err
	}
	priv, err := k.Private()
	if err != nil {
		return signing{}, err
	}
	return signing{alg: k.Alg(), kid: k.KID(), key: priv}, nil
}

// Rotate creates a new signing key that signs from now on and returns its
// kid. Older keys stay published for Keys.Overlap, so tokens they signed
// keep verifying until they expire. Scheduled rotation needs no call; this
// is for operators and tests. HS256 keys rotate through configuration.
func (s *Service) Rotate(ctx context.Context) (string, error) {
	if s.hmac != nil {
		return "", errHMACRotation
	}
	kid, err := s.keys.Rotate(ctx)
	if err != nil {
		return "", err
	}
	return kid, nil
}

// RemoveKey revokes a signing key at once: it leaves the JWKS, so tokens
// it signed stop verifying wherever verifiers refresh their key set. When
// it was the key signing now, a new key replaces it immediately. Errors
// wrap store.ErrNotFound for an unknown kid.
func (s *Service) RemoveKey(ctx context.Context, kid string) error {
	if s.hmac != nil {
		return errHMACRotation
	}
	revoked, err := s.keys.Remove(ctx, kid)
	if revoked {
		s.cfg.Log.Info("sts signing key revoked", "kid", kid)
	}
	return err
}

// JWKS returns the published public keys, creating the first key if the
// store has none yet. Symmetric keys are never published: the set is
// empty under HS256.
func (s *Service) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	if s.hmac != nil {
		return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}, nil
	}
	return s.keys.JWKS(ctx)
}

// InvalidateKeys makes the next token or JWKS re-read the signing keys
// from the store (another node rotated or revoked one); a no-op for
// HS256, whose key is configuration.
func (s *Service) InvalidateKeys() {
	if s.keys != nil {
		s.keys.Invalidate()
	}
}
