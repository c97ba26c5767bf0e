package local

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

// This file is the Store's side of the blob endpoint (azfront.Backend);
// block staging and commits are in blocks.go.

// ContainerExists reports whether the container directory exists. Any
// failure to find it is blob.ErrNotFound, so the endpoint answers
// ContainerNotFound without telling callers more about the file system.
func (s *Store) ContainerExists(ctx context.Context, container string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.containerExists(container); err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return err
		}
		return fmt.Errorf("container %q: %w (%w)", container, blob.ErrNotFound, err)
	}
	return nil
}

// DescribeContainer returns the container directory's identity, for Get
// Container Properties.
func (s *Store) DescribeContainer(ctx context.Context, container string) (azfront.ContainerProps, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return azfront.ContainerProps{}, err
	}
	if err := ctx.Err(); err != nil {
		return azfront.ContainerProps{}, err
	}
	fi, err := s.root.Stat(container)
	if err != nil {
		return azfront.ContainerProps{}, fmt.Errorf("local: container %q: %w", container, err)
	}
	return azfront.ContainerProps{ETag: identityOf(fi).etag(), Modified: fi.ModTime()}, nil
}

// object describes a just-published or opened data file.
func (s *Store) object(container, name string, fi os.FileInfo) azfront.Object {
	info, sc := s.infoOf(container, name, fi)
	return azfront.Object{Info: info, MD5: sc.MD5}
}

// StatObject describes one blob with its MD5 property.
func (s *Store) StatObject(ctx context.Context, container, name string) (azfront.Object, error) {
	info, sc, err := s.stat(ctx, container, name)
	if err != nil {
		return azfront.Object{}, err
	}
	return azfront.Object{Info: info, MD5: sc.MD5}, nil
}

// ListObjects is List with each blob's MD5 property.
func (s *Store) ListObjects(ctx context.Context, container, prefix string) ([]azfront.Object, error) {
	return s.list(ctx, container, prefix)
}

// PutBlob stores r as the whole blob (Put Blob), atomically, and drops the
// blob's staged blocks. The MD5 property is the content's own (a declared
// one was verified by the reader, and Azure computes it for Put Blob too).
func (s *Store) PutBlob(ctx context.Context, container, name string, r io.Reader, size int64, props azfront.Props) (azfront.Object, error) {
	fi, _, err := s.write(ctx, container, name, r, size, size, props.ContentType)
	if err != nil {
		return azfront.Object{}, err
	}
	return s.object(container, name, fi), nil
}

// ReadRangeVersion reads [off, off+n) of the version with etag; an open
// descriptor keeps reading that version even if it is replaced meanwhile.
func (s *Store) ReadRangeVersion(ctx context.Context, container, name, etag string, off, n int64) (io.ReadCloser, error) {
	return s.readRange(ctx, container, name, etag, off, n)
}

// Blocks returns the committed block list of the current version (nil when
// a block list did not write it) and the staged blocks; blob.ErrNotFound
// when there are neither.
func (s *Store) Blocks(ctx context.Context, container, name string) (committed, staged []azfront.Block, err error) {
	exists := false
	f, fi, err := s.open(ctx, container, name)
	switch {
	case err == nil:
		_ = f.Close()
		exists = true
		if cl, ok := s.readCommitted(container, name, identityOf(fi)); ok {
			for _, b := range cl.Blocks {
				id, derr := base64.StdEncoding.DecodeString(b.ID)
				if derr != nil {
					continue
				}
				committed = append(committed, azfront.Block{ID: id, Size: b.Size})
			}
		}
	case !errors.Is(err, blob.ErrNotFound):
		return nil, nil, err
	}
	staged = s.listStaged(container, name)
	if !exists && len(staged) == 0 {
		return nil, nil, fmt.Errorf("local: block list %q/%q: %w", container, name, blob.ErrNotFound)
	}
	return committed, staged, nil
}
