package sts

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/lockout"
	"github.com/lockstream/lockstream/internal/passhash"
	"github.com/lockstream/lockstream/internal/signkeys"
	"github.com/lockstream/lockstream/internal/store"
)

// ErrInvalid reports bad input to a Service method (map it to 400). It
// also matches store.ErrInvalid.
var ErrInvalid = fmt.Errorf("sts: invalid argument: %w", store.ErrInvalid)

// Service is the security token service: it keeps users and their
// entitlements, signing keys and their rotation, and serves the token
// endpoint, OIDC discovery and the JWKS. Several Services (nodes) may share
// one store. A Service is safe for concurrent use.
type Service struct {
	cfg    Config
	hasher *passhash.Hasher

	randMu sync.Mutex // serializes reads from cfg.Rand

	keys *signkeys.Ring // RS256 and ES256 keys; nil for HS256
	hmac *signing       // the HS256 key; nil for RS256 and ES256
	lock *lockout.Tracker
}

// KindLockout is the store kind of sign-in lockout records, under
// Config.Scope.
const KindLockout store.Kind = "stsLockouts"

// New validates cfg, applies defaults and returns a Service. It touches
// neither the store nor the network; keys are created on first use or by
// Maintain.
func New(cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg}
	s.lock = &lockout.Tracker{Store: cfg.Store, Kind: KindLockout, Scope: cfg.Scope, Cfg: cfg.Lockout, Log: cfg.Log}
	if s.hasher, err = passhash.New(cfg.Hash, s.readRand); err != nil {
		return nil, fmt.Errorf("sts: %w", err)
	}
	// Exactly one of hmac and keys is set, so that a code path missing
	// its HS256 check fails loudly instead of storing a key.
	if cfg.Keys.Algorithm == AlgHS256 {
		s.hmac = newHMACKey(cfg.Keys.HMACKey)
	} else {
		s.keys = s.newKeyRing()
	}
	return s, nil
}

// Issuer returns the configured issuer (the tokens' iss).
func (s *Service) Issuer() string { return s.cfg.Issuer }

// Audience returns the configured audience (the tokens' aud).
func (s *Service) Audience() string { return s.cfg.Audience }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// readRand fills b from the injected reader.
func (s *Service) readRand(b []byte) error {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return fmt.Errorf("sts: read random: %w", err)
	}
	return nil
}

// lockedRand is an io.Reader over readRand, for APIs that take a reader.
type lockedRand struct{ s *Service }

func (r lockedRand) Read(b []byte) (int, error) {
	if err := r.s.readRand(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Maintain does the periodic work: makes sure a signing key exists and its
// successor is published in time, and deletes retired keys and expired
// lockout records. Every node may
// call it; concurrent calls are safe.
func (s *Service) Maintain(ctx context.Context) error {
	if err := s.lock.Sweep(ctx, s.now()); err != nil {
		return fmt.Errorf("sts: sweep lockouts: %w", err)
	}
	if s.hmac != nil {
		return nil
	}
	return s.keys.Maintain(ctx)
}

// Run calls Maintain every interval (default 1 min) until ctx ends, logging
// failures. Start it in a goroutine at startup.
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	return signkeys.Run(ctx, interval, s.cfg.Log, "sts", s.Maintain)
}
