package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// Errors returned by every backend.
var (
	ErrNotFound    = errors.New("blob: not found")
	ErrInvalidName = errors.New("blob: invalid name")
	// ErrRange is returned when the offset lies beyond the blob's end.
	ErrRange = errors.New("blob: range not satisfiable")
)

// Info describes one blob.
type Info struct {
	Name        string
	Size        int64
	Modified    time.Time
	ETag        string
	ContentType string
}

// Permission is what a signed container URL allows.
type Permission string

// Permissions, as AMS listContainerSas names them.
const (
	PermRead            Permission = "Read"
	PermReadWrite       Permission = "ReadWrite"
	PermReadWriteDelete Permission = "ReadWriteDelete"
)

// Store is an asset storage backend. Container names follow Azure rules
// (3–63 chars, lower-case letters, digits, single hyphens); blob names are
// slash-separated relative paths without "..", "." or empty segments.
type Store interface {
	// CreateContainer is idempotent.
	CreateContainer(ctx context.Context, container string) error
	// DeleteContainer removes the container and all its blobs; absent is not
	// an error.
	DeleteContainer(ctx context.Context, container string) error
	// List returns blobs whose names start with prefix, sorted by name.
	List(ctx context.Context, container, prefix string) ([]Info, error)
	Stat(ctx context.Context, container, name string) (Info, error)
	// ReadRange reads n bytes from off; n < 0 reads to the end. A range past
	// the end is truncated; off beyond the size is ErrRange.
	ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error)
	// Write stores r as the blob's whole content, atomically: readers see the
	// old or the new content, never a part. size may be -1 when unknown.
	Write(ctx context.Context, container, name string, r io.Reader, size int64, contentType string) error
	// Delete removes one blob; absent is not an error.
	Delete(ctx context.Context, container, name string) error
	// SignedContainerURL returns a URL granting perm on the container until
	// expiry, usable by the Azure Blob SDKs (container client with no
	// credential).
	SignedContainerURL(ctx context.Context, container string, perm Permission, expiry time.Time) (string, error)
}

// ErrNotMapped is returned by Mapper.MapRange when the blob cannot be
// mapped (another backend behind a wrapper, an empty file, a platform
// without mmap): the caller reads it with ReadRange instead.
var ErrNotMapped = errors.New("blob: not mappable")

// Mapper is implemented by stores that can hand out a blob's bytes in
// memory without copying them (the local store maps its files). The
// streaming origin uses it for segment samples: a clear sample goes from
// the page cache to the socket with one copy instead of two, and an
// encrypted one is encrypted from the page cache into the output.
type Mapper interface {
	// MapRange returns bytes [off, off+n) of the blob's current version
	// (n < 0: to the end), valid until release is called; the caller must
	// not write to them. Reading them may fault if something outside the
	// store truncates the file, so a caller enables
	// debug.SetPanicOnFault on its goroutine first.
	MapRange(ctx context.Context, container, name string, off, n int64) (b []byte, release func(), err error)
}
