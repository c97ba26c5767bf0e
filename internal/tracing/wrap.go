package tracing

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/store"
)

// spanErr keeps "not found" from marking a span failed: it is an answer.
func spanErr(err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, blob.ErrNotFound) {
		return nil
	}
	return err
}

// WrapStore traces the request-path calls of st; st itself when t is
// nil.
func (t *Tracing) WrapStore(st store.Store) store.Store {
	if t == nil {
		return st
	}
	return &tracedStore{Store: st, t: t}
}

type tracedStore struct {
	store.Store
	t *Tracing
}

func (s *tracedStore) Get(ctx context.Context, k store.Key) (*store.Resource, error) {
	ctx, end := s.t.Start(ctx, "store.get")
	r, err := s.Store.Get(ctx, k)
	end(spanErr(err))
	return r, err
}

func (s *tracedStore) GetByID(ctx context.Context, kind store.Kind, id string) (*store.Resource, error) {
	ctx, end := s.t.Start(ctx, "store.get_by_id")
	r, err := s.Store.GetByID(ctx, kind, id)
	end(spanErr(err))
	return r, err
}

func (s *tracedStore) List(ctx context.Context, q store.ListQuery) ([]*store.Resource, error) {
	ctx, end := s.t.Start(ctx, "store.list")
	rs, err := s.Store.List(ctx, q)
	end(err)
	return rs, err
}

func (s *tracedStore) ContentKeys(ctx context.Context, scope, locatorName string) ([]store.ContentKey, error) {
	ctx, end := s.t.Start(ctx, "store.content_keys")
	ks, err := s.Store.ContentKeys(ctx, scope, locatorName)
	end(err)
	return ks, err
}

func (s *tracedStore) ContentKeysByKID(ctx context.Context, kid string) ([]store.ContentKey, error) {
	ctx, end := s.t.Start(ctx, "store.content_keys_by_kid")
	ks, err := s.Store.ContentKeysByKID(ctx, kid)
	end(err)
	return ks, err
}

func (s *tracedStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	ctx, end := s.t.Start(ctx, "store.tx")
	err := s.Store.WithTx(ctx, fn)
	end(spanErr(err))
	return err
}

func (s *tracedStore) UseToken(ctx context.Context, id [32]byte, expires, now time.Time) (int64, error) {
	ctx, end := s.t.Start(ctx, "store.use_token")
	n, err := s.Store.UseToken(ctx, id, expires, now)
	end(err)
	return n, err
}

// WrapBlob traces the request-path calls of b; b itself when t is nil.
func (t *Tracing) WrapBlob(b blob.Store) blob.Store {
	if t == nil {
		return b
	}
	return &tracedBlob{Store: b, t: t}
}

type tracedBlob struct {
	blob.Store
	t *Tracing
}

func (b *tracedBlob) List(ctx context.Context, container, prefix string) ([]blob.Info, error) {
	ctx, end := b.t.Start(ctx, "blob.list")
	is, err := b.Store.List(ctx, container, prefix)
	end(err)
	return is, err
}

func (b *tracedBlob) Stat(ctx context.Context, container, name string) (blob.Info, error) {
	ctx, end := b.t.Start(ctx, "blob.stat")
	i, err := b.Store.Stat(ctx, container, name)
	end(spanErr(err))
	return i, err
}

// ReadRange's span covers opening the body (time to first byte).
func (b *tracedBlob) ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error) {
	ctx, end := b.t.Start(ctx, "blob.read_range")
	rc, err := b.Store.ReadRange(ctx, container, name, off, n)
	end(spanErr(err))
	return rc, err
}

func (b *tracedBlob) Write(ctx context.Context, container, name string, r io.Reader, size int64, contentType string) error {
	ctx, end := b.t.Start(ctx, "blob.write")
	err := b.Store.Write(ctx, container, name, r, size, contentType)
	end(err)
	return err
}

// MapRange is the wrapped store's blob.Mapper (blob.ErrNotMapped when it
// maps nothing); its span covers finding the mapping.
func (b *tracedBlob) MapRange(ctx context.Context, container, name string, off, n int64) ([]byte, func(), error) {
	m, ok := b.Store.(blob.Mapper)
	if !ok {
		return nil, nil, blob.ErrNotMapped
	}
	ctx, end := b.t.Start(ctx, "blob.map_range")
	data, release, err := m.MapRange(ctx, container, name, off, n)
	end(spanErr(err))
	return data, release, err
}
