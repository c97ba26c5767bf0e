package local

import (
	"context"
	"crypto/md5" //nolint:gosec // MD5 is what Azure's Content-MD5 uses; not a security boundary
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

// digests are computed while spooling, so the MD5 property of a blob (and
// the check of a declared one) never needs a second pass over the data.
// The blob endpoint verifies transactional digests (Content-MD5,
// x-ms-content-crc64) itself, on the request body.
type digests struct {
	size int64
	md5  []byte
}

// tempFile is a synced, closed file under tmpDir waiting to be renamed into
// place; remove discards it (a no-op once it has been published).
type tempFile struct {
	s    *Store
	path string
	fi   os.FileInfo
}

func (t *tempFile) remove() {
	if t == nil || t.path == "" {
		return
	}
	if err := t.s.root.Remove(t.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.s.log.Warn("local: remove temp file", "path", t.path, "err", err)
	}
	t.path = ""
}

// createTemp opens a new, uniquely named file in tmpDir.
func (s *Store) createTemp() (*os.File, string, error) {
	for range 3 {
		p := tmpDir + "/" + rand.Text()
		f, err := s.root.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, filePerm)
		if err == nil {
			return f, p, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", err
		}
	}
	return nil, "", errors.New("could not create a unique temp file")
}

// ctxReader stops a long copy once the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// errTooLarge is returned when content exceeds a limit; the blob endpoint
// answers 413 RequestBodyTooLarge.
var errTooLarge = azfront.ErrTooLarge

// spool copies r into a fresh temp file, hashing as it goes, and fsyncs it.
// When size >= 0 the content must be exactly size bytes; limit >= 0 caps it.
func (s *Store) spool(ctx context.Context, r io.Reader, size, limit int64) (*tempFile, digests, error) {
	f, p, err := s.createTemp()
	if err != nil {
		return nil, digests{}, fmt.Errorf("create temp file: %w", err)
	}
	t := &tempFile{s: s, path: p}
	d, err := copyHashed(ctx, f, r, size, limit)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		t.fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		t.remove()
		return nil, digests{}, err
	}
	return t, d, nil
}

// copyHashed copies r to w computing MD5, enforcing the declared size and
// the limit.
func copyHashed(ctx context.Context, w io.Writer, r io.Reader, size, limit int64) (digests, error) {
	m := md5.New() //nolint:gosec // see import
	capN := limit
	if size >= 0 && (capN < 0 || size < capN) {
		capN = size
	}
	src := io.Reader(ctxReader{ctx, r})
	if capN >= 0 {
		// One byte more than allowed tells "too long" from "exactly capN".
		src = io.LimitReader(src, capN+1)
	}
	n, err := io.Copy(io.MultiWriter(w, m), src)
	if err != nil {
		return digests{}, fmt.Errorf("copy content: %w", err)
	}
	switch {
	case size >= 0 && n != size:
		if limit >= 0 && n > limit {
			return digests{}, errTooLarge
		}
		return digests{}, fmt.Errorf("content length %d does not match declared size %d: %w", n, size, io.ErrUnexpectedEOF)
	case limit >= 0 && n > limit:
		return digests{}, errTooLarge
	}
	return digests{size: n, md5: m.Sum(nil)}, nil
}

// publishProps is the metadata recorded with a published blob.
type publishProps struct {
	contentType string
	md5         []byte
	blocks      []committedBlock // nil unless committed by Put Block List
}

// publish renames tmp into place as container/name. The sidecar(s) go first
// and are keyed to the temp file's identity, which rename preserves, so a
// reader racing the two renames sees either a matching sidecar or none
// (falling back to defaults) — never another version's metadata. Sidecar
// failures are logged, not fatal: the blob content is what must be atomic.
func (s *Store) publish(ctx context.Context, container, name string, t *tempFile, props publishProps) (os.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The old version's mapping, if any, goes once its readers are done
	// (MapRange would notice the new inode anyway; this frees the old
	// file's disk space without waiting for the next read).
	defer s.maps.forget(container + "/" + name)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.containerExists(container); err != nil {
		return nil, err
	}
	dst := dataPath(container, name)
	if fi, err := s.root.Lstat(dst); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%q/%q: %w", container, name, ErrNameConflict)
	}
	id := identityOf(t.fi)
	ct := props.contentType
	if ct == "" {
		ct = defaultContentType
	}
	s.writePrivate(metaPath(container, name), sidecar{V: 1, Of: id, ContentType: ct, MD5: props.md5})
	if props.blocks != nil {
		s.writePrivate(committedPath(container, name), committedList{V: 1, Of: id, Blocks: props.blocks})
	} else {
		s.removeQuiet(committedPath(container, name))
	}
	// A concurrent Delete may prune the parent directory between MkdirAll
	// and Rename; retrying a couple of times closes that window.
	var err error
	for range 3 {
		if err = s.root.MkdirAll(parentDir(dst), dirPerm); err != nil {
			if isNotDir(err) || errors.Is(err, fs.ErrExist) {
				return nil, fmt.Errorf("%q/%q: %w", container, name, ErrNameConflict)
			}
			return nil, fmt.Errorf("create parent of %q: %w", name, err)
		}
		if err = s.root.Rename(t.path, dst); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		if errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%q/%q: %w", container, name, ErrNameConflict)
		}
		return nil, fmt.Errorf("rename into place: %w", err)
	}
	t.path = "" // published: nothing left to remove
	s.syncDir(parentDir(dst))
	return t.fi, nil
}

// writePrivate atomically replaces a private JSON file (temp + rename).
func (s *Store) writePrivate(p string, v any) {
	raw, err := json.Marshal(v)
	if err == nil {
		err = s.replaceFile(p, raw)
	}
	if err != nil {
		s.log.Warn("local: write metadata", "path", p, "err", err)
	}
}

func (s *Store) replaceFile(p string, data []byte) error {
	f, tmp, err := s.createTemp()
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.root.MkdirAll(parentDir(p), dirPerm)
	}
	if err == nil {
		err = s.root.Rename(tmp, p)
	}
	if err != nil {
		_ = s.root.Remove(tmp)
	}
	return err
}

// syncDir makes a rename durable; failure only weakens crash durability,
// not atomicity, so it is logged.
func (s *Store) syncDir(dir string) {
	d, err := s.root.Open(dir)
	if err == nil {
		err = d.Sync()
		_ = d.Close()
	}
	if err != nil {
		s.log.Debug("local: sync dir", "dir", dir, "err", err)
	}
}

// Write stores r as the whole content of container/name. The content is
// spooled to a temp file, fsynced and renamed over the old blob, so readers
// see the old or the new content. Like Azure's Put Blob it discards any
// uncommitted blocks staged for the name.
func (s *Store) Write(ctx context.Context, container, name string, r io.Reader, size int64, contentType string) error {
	_, _, err := s.write(ctx, container, name, r, size, -1, contentType)
	return err
}

// write is Write with a size limit, returning the published file and its
// digests.
func (s *Store) write(ctx context.Context, container, name string, r io.Reader, size, limit int64, contentType string) (os.FileInfo, digests, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return nil, digests{}, err
	}
	if err := blob.ValidateName(name); err != nil {
		return nil, digests{}, err
	}
	// Fail before spooling gigabytes into a container that does not exist.
	if err := s.containerExists(container); err != nil {
		return nil, digests{}, fmt.Errorf("local: write %q: %w", name, err)
	}
	t, d, err := s.spool(ctx, r, size, limit)
	if err != nil {
		return nil, digests{}, fmt.Errorf("local: write %q/%q: %w", container, name, err)
	}
	defer t.remove()
	fi, err := s.publish(ctx, container, name, t, publishProps{contentType: contentType, md5: d.md5})
	if err != nil {
		return nil, d, fmt.Errorf("local: write %q/%q: %w", container, name, err)
	}
	s.discardStaged(container, name)
	return fi, d, nil
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
