package metrics

import (
	"context"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// Store times the calls of the request paths (reads, transactions, token
// use counts) of a metadata store; every other method passes through the
// embedded Store untimed.
type Store struct {
	store.Store
	m *Metrics
}

// WrapStore returns st timed into m; st itself when m is nil.
func (m *Metrics) WrapStore(st store.Store) store.Store {
	if m == nil {
		return st
	}
	return &Store{Store: st, m: m}
}

func (s *Store) observe(op string, start time.Time, err error) {
	s.m.storeOps.WithLabelValues(op, result(err)).Observe(time.Since(start).Seconds())
}

// Get is Store.Get, timed.
func (s *Store) Get(ctx context.Context, k store.Key) (*store.Resource, error) {
	start := time.Now()
	r, err := s.Store.Get(ctx, k)
	s.observe("get", start, err)
	return r, err
}

// GetByID is Store.GetByID, timed.
func (s *Store) GetByID(ctx context.Context, kind store.Kind, id string) (*store.Resource, error) {
	start := time.Now()
	r, err := s.Store.GetByID(ctx, kind, id)
	s.observe("get_by_id", start, err)
	return r, err
}

// List is Store.List, timed.
func (s *Store) List(ctx context.Context, q store.ListQuery) ([]*store.Resource, error) {
	start := time.Now()
	rs, err := s.Store.List(ctx, q)
	s.observe("list", start, err)
	return rs, err
}

// ContentKeys is Store.ContentKeys, timed.
func (s *Store) ContentKeys(ctx context.Context, scope, locatorName string) ([]store.ContentKey, error) {
	start := time.Now()
	ks, err := s.Store.ContentKeys(ctx, scope, locatorName)
	s.observe("content_keys", start, err)
	return ks, err
}

// ContentKeysByKID is Store.ContentKeysByKID, timed.
func (s *Store) ContentKeysByKID(ctx context.Context, kid string) ([]store.ContentKey, error) {
	start := time.Now()
	ks, err := s.Store.ContentKeysByKID(ctx, kid)
	s.observe("content_keys_by_kid", start, err)
	return ks, err
}

// WithTx is Store.WithTx, timed as a whole (retries included).
func (s *Store) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.WithTx(ctx, fn)
	s.observe("tx", start, err)
	return err
}

// UseToken is Store.UseToken, timed.
func (s *Store) UseToken(ctx context.Context, id [32]byte, expires, now time.Time) (int64, error) {
	start := time.Now()
	n, err := s.Store.UseToken(ctx, id, expires, now)
	s.observe("use_token", start, err)
	return n, err
}
