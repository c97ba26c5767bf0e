package metrics

import (
	"context"
	"io"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
)

// Blob times the calls of a blob store that requests wait on; the rest
// pass through the embedded Store untimed.
type Blob struct {
	blob.Store
	m *Metrics
}

// WrapBlob returns b timed into m; b itself when m is nil.
func (m *Metrics) WrapBlob(b blob.Store) blob.Store {
	if m == nil {
		return b
	}
	return &Blob{Store: b, m: m}
}

func (b *Blob) observe(op string, start time.Time, err error) {
	b.m.blobOps.WithLabelValues(op, result(err)).Observe(time.Since(start).Seconds())
}

// List is Store.List, timed.
func (b *Blob) List(ctx context.Context, container, prefix string) ([]blob.Info, error) {
	start := time.Now()
	is, err := b.Store.List(ctx, container, prefix)
	b.observe("list", start, err)
	return is, err
}

// Stat is Store.Stat, timed.
func (b *Blob) Stat(ctx context.Context, container, name string) (blob.Info, error) {
	start := time.Now()
	i, err := b.Store.Stat(ctx, container, name)
	b.observe("stat", start, err)
	return i, err
}

// ReadRange is Store.ReadRange, timed until the body is open (the time
// to first byte; reading the body is the caller's).
func (b *Blob) ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error) {
	start := time.Now()
	rc, err := b.Store.ReadRange(ctx, container, name, off, n)
	b.observe("read_range", start, err)
	return rc, err
}

// Write is Store.Write, timed.
func (b *Blob) Write(ctx context.Context, container, name string, r io.Reader, size int64, contentType string) error {
	start := time.Now()
	err := b.Store.Write(ctx, container, name, r, size, contentType)
	b.observe("write", start, err)
	return err
}

// MapRange is the wrapped store's blob.Mapper, timed like ReadRange
// ("map_range"); blob.ErrNotMapped when the store maps nothing.
func (b *Blob) MapRange(ctx context.Context, container, name string, off, n int64) ([]byte, func(), error) {
	m, ok := b.Store.(blob.Mapper)
	if !ok {
		return nil, nil, blob.ErrNotMapped
	}
	start := time.Now()
	data, release, err := m.MapRange(ctx, container, name, off, n)
	b.observe("map_range", start, err)
	return data, release, err
}
