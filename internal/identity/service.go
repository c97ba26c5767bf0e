package identity

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/lockout"
	"github.com/lockstream/lockstream/internal/signkeys"
	"github.com/lockstream/lockstream/internal/store"
)

// Store kinds of identity records, all under Config.Scope except role
// assignments, which live under their principal so that deleting the
// principal deletes them.
const (
	KindServicePrincipal store.Kind = "servicePrincipals"
	KindRoleAssignment   store.Kind = "roleAssignments"
	KindSigningKey       store.Kind = "signingKeys"
	KindLockout          store.Kind = "clientLockouts"
	KindAssertionJTI     store.Kind = "clientAssertionJtis"
	KindAuditEvent       store.Kind = "auditEvents"
)

// ErrInvalid reports bad input to a Service method (map it to 400). It
// also matches store.ErrInvalid.
var ErrInvalid = fmt.Errorf("identity: invalid argument: %w", store.ErrInvalid)

// Service is Lockstream's identity provider: service principals and their
// credentials, role assignments, token signing keys, the token endpoint and
// the audit log. Several Services (nodes) may share one store. A Service is
// safe for concurrent use.
type Service struct {
	cfg    Config
	hasher *hasher

	randMu sync.Mutex // serializes reads from cfg.Rand

	keys *signkeys.Ring // access token signing keys
	lock *lockout.Tracker

	auditSeq atomic.Uint64 // orders this node's same-instant audit events
}

var (
	_ auth.KeySet    = (*Service)(nil)
	_ auth.Directory = (*Service)(nil)
)

// New validates cfg, applies defaults and returns a Service. It touches
// neither the store nor the network; keys are created on first use or by
// Maintain.
func New(cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg.TenantID = strings.ToLower(cfg.TenantID)
	s := &Service{cfg: cfg}
	if s.hasher, err = newHasher(cfg.Hash, s.readRand); err != nil {
		return nil, err
	}
	s.keys = s.newKeyRing()
	s.lock = &lockout.Tracker{Store: cfg.Store, Kind: KindLockout, Scope: cfg.Scope, Cfg: cfg.Lockout, Log: cfg.Log}
	return s, nil
}

// TenantID returns the configured tenant, lower-cased.
func (s *Service) TenantID() string { return s.cfg.TenantID }

// Audience returns the configured audience.
func (s *Service) Audience() string { return s.cfg.Audience }

// Issuer returns the issuer URL of tokens requested through baseURL (the
// scheme and host clients use for the token endpoint, e.g.
// "https://sts.example.com"); configure auth.JWTConfig.Issuers with it.
func (s *Service) Issuer(baseURL string) string {
	return strings.TrimRight(baseURL, "/") + "/" + s.cfg.TenantID + "/v2.0"
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// readRand fills b from the injected reader.
func (s *Service) readRand(b []byte) error {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return fmt.Errorf("identity: read random: %w", err)
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

func (s *Service) newUUID() (string, error) {
	u, err := uuid.NewRandomFromReader(lockedRand{s})
	if err != nil {
		return "", fmt.Errorf("identity: new uuid: %w", err)
	}
	return u.String(), nil
}

func (s *Service) randHex(n int) (string, error) {
	b := make([]byte, n)
	if err := s.readRand(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// key returns the store key of a record of kind under the identity scope.
func (s *Service) key(kind store.Kind, name string) store.Key {
	return store.Key{Kind: kind, Scope: s.cfg.Scope, Name: name}
}

// Maintain does the periodic work: makes sure a signing key exists and its
// successor is published in time, and deletes retired keys, expired
// lockouts, expired assertion ids and audit events past retention. Every
// node may call it; concurrent calls are safe.
func (s *Service) Maintain(ctx context.Context) error {
	now := s.now()
	var errs []error
	if err := s.keys.Maintain(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := s.gcExpired(ctx, KindLockout, now); err != nil {
		errs = append(errs, err)
	}
	if err := s.gcExpired(ctx, KindAssertionJTI, now); err != nil {
		errs = append(errs, err)
	}
	if err := s.gcAudit(ctx, now); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Run calls Maintain every interval (default 1 min) until ctx ends, logging
// failures. Start it in a goroutine at startup.
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	return signkeys.Run(ctx, interval, s.cfg.Log, "identity", s.Maintain)
}

// gcExpired deletes records of kind whose "expires" doc member is past.
// Each call removes at most a bounded batch so that a backlog cannot stall
// a node; the next call continues.
func (s *Service) gcExpired(ctx context.Context, kind store.Kind, now time.Time) error {
	rs, err := s.cfg.Store.List(ctx, store.ListQuery{
		Kind: kind, Scope: s.cfg.Scope,
		Filter: &store.Cond{Field: store.Field{Col: store.ColDoc, Path: "expires", Type: store.TypeTime}, Op: store.OpLt, Value: store.FormatTime(now)},
		Limit:  gcBatch,
	})
	if err != nil {
		return fmt.Errorf("identity: gc %s: %w", kind, err)
	}
	return s.deleteAll(ctx, rs)
}

const gcBatch = 500

// deleteAll deletes rs in one transaction, ignoring rows another node
// deleted first.
func (s *Service) deleteAll(ctx context.Context, rs []*store.Resource) error {
	if len(rs) == 0 {
		return nil
	}
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		for _, r := range rs {
			if err := tx.Delete(ctx, r.Key()); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("identity: delete %d %s: %w", len(rs), rs[0].Kind, err)
	}
	return nil
}
