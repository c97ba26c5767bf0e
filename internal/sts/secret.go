package sts

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/lockstream/lockstream/internal/passhash"
	"github.com/lockstream/lockstream/internal/store"
)

// Users' secrets are stored as argon2id hashes (package passhash), sealed
// under the key-encryption key bound to the user's name, so a store dump
// reveals not even the hashes and a sealed hash cannot be moved to another
// user.

// newSecret returns 256 random bits, base64url encoded.
func (s *Service) newSecret() (string, error) {
	raw := make([]byte, 32)
	if err := s.readRand(raw); err != nil {
		return "", err
	}
	defer clear(raw)
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// sealSecret hashes secret and seals the hash to the user's row; nil for
// no secret. Hashing is slow, so callers do it before any transaction.
func (s *Service) sealSecret(ctx context.Context, name, secret string) ([]byte, error) {
	if secret == "" {
		return nil, nil
	}
	if len(secret) < MinSecretLen || len(secret) > passhash.MaxSecretLen {
		return nil, invalid("secret must be %d to %d characters", MinSecretLen, passhash.MaxSecretLen)
	}
	phc, err := s.hasher.Hash(ctx, secret)
	if err != nil {
		return nil, fmt.Errorf("sts: hash secret: %w", err)
	}
	sealed, err := s.cfg.Sealer.Seal([]byte(phc), []byte(store.UserAAD(name)))
	if err != nil {
		return nil, fmt.Errorf("sts: seal secret: %w", err)
	}
	return sealed, nil
}

// SetSecret replaces a user's credential: with secret when given, else
// with a generated one, which it returns. The old one stops working at
// once.
func (s *Service) SetSecret(ctx context.Context, name, secret string) (string, error) {
	value := secret
	if value == "" {
		var err error
		if value, err = s.newSecret(); err != nil {
			return "", err
		}
	}
	// Sealed under the name as given; the AAD folds case, so it matches
	// the stored name whatever its casing.
	sealed, err := s.sealSecret(ctx, name, value)
	if err != nil {
		return "", err
	}
	if _, err := s.updateUser(ctx, name, func(u *store.User) error { u.Secret = sealed; return nil }); err != nil {
		return "", err
	}
	if secret != "" {
		return "", nil
	}
	return value, nil
}

// ClearSecret removes a user's credential: from then on tokens are issued
// only on its behalf.
func (s *Service) ClearSecret(ctx context.Context, name string) error {
	_, err := s.updateUser(ctx, name, func(u *store.User) error { u.Secret = nil; return nil })
	return err
}

// authenticate checks a user's credential. It verifies exactly one
// argon2id hash whether or not the user exists or has a secret, so that
// response time does not tell them apart. reason is for logs.
func (s *Service) authenticate(ctx context.Context, name, secret string) (u *store.User, reason string, err error) {
	if validUserName(name) {
		u, err = s.cfg.Store.GetUser(ctx, name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, "", err
		}
	}
	phc := ""
	if u != nil && len(u.Secret) > 0 {
		pt, err := s.cfg.Sealer.Open(u.Secret, []byte(store.UserAAD(u.Name)))
		if err != nil {
			return nil, "", fmt.Errorf("sts: open secret of user %.64q: %w", u.Name, err)
		}
		phc = string(pt)
		clear(pt)
	}
	ok, err := s.hasher.Verify(ctx, phc, secret)
	switch {
	case err != nil:
		return nil, "", fmt.Errorf("sts: verify secret: %w", err)
	case u == nil:
		return nil, "unknown user", nil
	case phc == "":
		return nil, "user has no secret", nil
	case !ok:
		return nil, "wrong secret", nil
	}
	return u, "", nil
}
