package local

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

// stageStat is the running count and byte total of one blob's staged
// blocks, kept in memory so bounding them costs O(1) per Put Block instead
// of a directory scan.
type stageStat struct {
	count int
	bytes int64
}

// stagingTracker holds stageStat per staging directory. Entries are created
// lazily from a scan of the directory (so a restart loses nothing) and
// dropped when the blocks are committed or discarded.
type stagingTracker struct {
	mu sync.Mutex
	m  map[string]*stageStat
}

func (t *stagingTracker) forget(dir string) {
	t.mu.Lock()
	delete(t.m, dir)
	t.mu.Unlock()
}

func (t *stagingTracker) forgetContainer(container string) {
	prefix := blocksDir + "/" + container + "/"
	t.mu.Lock()
	for k := range t.m {
		if strings.HasPrefix(k, prefix) {
			delete(t.m, k)
		}
	}
	t.mu.Unlock()
}

// reserve accounts for a block of size bytes about to be staged in dir,
// replacing a block of oldSize bytes (-1 if new). It returns a function
// that undoes the reservation if staging fails.
func (s *Store) reserve(dir string, oldSize, size int64, lim azfront.Limits) (undo func(), err error) {
	t := &s.staging
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.m[dir]
	if !ok {
		st = s.scanStaging(dir)
		t.m[dir] = st
	}
	dc, db := 1, size
	if oldSize >= 0 {
		dc, db = 0, size-oldSize
	}
	if lim.MaxUncommittedBlocks > 0 && st.count+dc > lim.MaxUncommittedBlocks {
		return nil, fmt.Errorf("%w: at most %d uncommitted blocks per blob", azfront.ErrBlockLimit, lim.MaxUncommittedBlocks)
	}
	if lim.MaxBlobBytes > 0 && st.bytes+db > lim.MaxBlobBytes {
		return nil, fmt.Errorf("%w: staged blocks would exceed %d bytes", errTooLarge, lim.MaxBlobBytes)
	}
	st.count += dc
	st.bytes += db
	return func() {
		t.mu.Lock()
		if cur, ok := t.m[dir]; ok && cur == st {
			st.count -= dc
			st.bytes -= db
		}
		t.mu.Unlock()
	}, nil
}

func (s *Store) scanStaging(dir string) *stageStat {
	st := &stageStat{}
	entries, err := fs.ReadDir(s.root.FS(), dir)
	if err != nil {
		return st
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			st.count++
			st.bytes += fi.Size()
		}
	}
	return st
}

// StageBlock stores one uncommitted block (Put Block), bounded per blob in
// count and bytes by lim. The block goes through a temp file and a rename
// like any blob, so a failed Put Block never leaves a truncated block that
// a later Put Block List could commit.
func (s *Store) StageBlock(ctx context.Context, container, name string, id []byte, r io.Reader, size int64, lim azfront.Limits) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	if err := blob.ValidateName(name); err != nil {
		return err
	}
	if err := s.containerExists(container); err != nil {
		return err
	}
	dir := stagingDir(container, name)
	dst := dir + "/" + hex.EncodeToString(id)
	oldSize := int64(-1)
	if fi, lerr := s.root.Lstat(dst); lerr == nil {
		oldSize = fi.Size()
	}
	undo, err := s.reserve(dir, oldSize, size, lim)
	if err != nil {
		return err
	}
	t, _, err := s.spool(ctx, r, size, size)
	if err == nil {
		err = s.root.MkdirAll(dir, dirPerm)
	}
	if err == nil {
		err = s.root.Rename(t.path, dst)
	}
	if err != nil {
		undo()
		t.remove()
		return fmt.Errorf("local: put block %q/%q: %w", container, name, err)
	}
	t.path = ""
	return nil
}

// discardStaged drops every uncommitted block of a blob, as Azure does when
// the blob is written whole or its block list is committed.
func (s *Store) discardStaged(container, name string) {
	dir := stagingDir(container, name)
	if err := s.root.RemoveAll(dir); err != nil {
		s.log.Warn("local: discard staged blocks", "dir", dir, "err", err)
	}
	s.staging.forget(dir)
}

// listStaged returns a blob's uncommitted blocks, by their hex names.
func (s *Store) listStaged(container, name string) []azfront.Block {
	entries, err := fs.ReadDir(s.root.FS(), stagingDir(container, name))
	if err != nil {
		return nil
	}
	out := make([]azfront.Block, 0, len(entries))
	for _, e := range entries {
		raw, err := hex.DecodeString(e.Name())
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, azfront.Block{ID: raw, Size: fi.Size()})
	}
	return out
}

// blockSource is where one entry of a block list comes from: a staged
// block file, or a range of the currently committed blob.
type blockSource struct {
	id     string // canonical base64
	staged string // path of the staged block, or ""
	off    int64  // range in the committed blob when staged == ""
	size   int64
}

// CommitBlocks assembles the listed blocks into a new blob version and
// publishes it atomically (Put Block List). lim.MaxBlobBytes caps the
// result; a props.MD5 that differs from the assembled content's fails
// with azfront.ErrMD5Mismatch before anything becomes visible.
func (s *Store) CommitBlocks(ctx context.Context, container, name string, refs []azfront.BlockRef, props azfront.Props, lim azfront.Limits) (azfront.Object, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return azfront.Object{}, err
	}
	if err := blob.ValidateName(name); err != nil {
		return azfront.Object{}, err
	}
	if err := s.containerExists(container); err != nil {
		return azfront.Object{}, err
	}
	// Hold the current version open: <Committed> blocks are copied from
	// it, and the descriptor keeps that version readable even if another
	// writer replaces the blob meanwhile.
	var cur *os.File
	committed := map[string]blockSource{}
	if f, fi, err := s.open(ctx, container, name); err == nil {
		cur = f
		defer func() { _ = cur.Close() }()
		if cl, ok := s.readCommitted(container, name, identityOf(fi)); ok {
			var off int64
			for _, b := range cl.Blocks {
				committed[b.ID] = blockSource{id: b.ID, off: off, size: b.Size}
				off += b.Size
			}
		}
	}
	dir := stagingDir(container, name)
	sources := make([]blockSource, 0, len(refs))
	var total int64
	for _, ref := range refs {
		id := base64.StdEncoding.EncodeToString(ref.ID)
		var src blockSource
		found := false
		if ref.Kind != azfront.Committed {
			p := dir + "/" + hex.EncodeToString(ref.ID)
			if fi, err := s.root.Lstat(p); err == nil && fi.Mode().IsRegular() {
				src, found = blockSource{id: id, staged: p, size: fi.Size()}, true
			}
		}
		if !found && ref.Kind != azfront.Uncommitted {
			src, found = committed[id]
		}
		if !found {
			return azfront.Object{}, fmt.Errorf("%w: %s block %q", azfront.ErrInvalidBlockList, ref.Kind, id)
		}
		total += src.size
		if lim.MaxBlobBytes > 0 && total > lim.MaxBlobBytes {
			return azfront.Object{}, errTooLarge
		}
		sources = append(sources, src)
	}
	f, p, err := s.createTemp()
	if err != nil {
		return azfront.Object{}, fmt.Errorf("local: put block list: %w", err)
	}
	t := &tempFile{s: s, path: p}
	defer t.remove()
	d, err := s.assemble(ctx, f, cur, sources)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		t.fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && props.MD5 != nil && !bytes.Equal(props.MD5, d.md5) {
		err = azfront.ErrMD5Mismatch
	}
	if err != nil {
		return azfront.Object{}, fmt.Errorf("local: put block list %q/%q: %w", container, name, err)
	}
	blocks := make([]committedBlock, len(sources))
	for i, src := range sources {
		blocks[i] = committedBlock{ID: src.id, Size: src.size}
	}
	fi, err := s.publish(ctx, container, name, t, publishProps{contentType: props.ContentType, md5: d.md5, blocks: blocks})
	if err != nil {
		return azfront.Object{}, fmt.Errorf("local: put block list %q/%q: %w", container, name, err)
	}
	s.discardStaged(container, name)
	return s.object(container, name, fi), nil
}

// assemble concatenates the sources into w, hashing them.
func (s *Store) assemble(ctx context.Context, w io.Writer, cur *os.File, sources []blockSource) (digests, error) {
	m := md5.New() //nolint:gosec // see import
	mw := io.MultiWriter(w, m)
	var n int64
	for _, src := range sources {
		var r io.Reader
		var closeFn func()
		if src.staged != "" {
			f, err := s.root.Open(src.staged)
			if err != nil {
				return digests{}, fmt.Errorf("%w: staged block %q vanished", azfront.ErrInvalidBlockList, src.id)
			}
			r, closeFn = io.LimitReader(f, src.size), func() { _ = f.Close() }
		} else {
			r, closeFn = io.NewSectionReader(cur, src.off, src.size), func() {}
		}
		k, err := io.Copy(mw, ctxReader{ctx, r})
		closeFn()
		if err != nil {
			return digests{}, err
		}
		if k != src.size {
			return digests{}, fmt.Errorf("block %q: read %d of %d bytes: %w", src.id, k, src.size, io.ErrUnexpectedEOF)
		}
		n += k
	}
	return digests{size: n, md5: m.Sum(nil)}, nil
}

// CleanupStaging removes staged blocks of uploads not touched for olderThan
// (Azure garbage-collects uncommitted blocks after a week). The server
// should call it periodically; nothing else removes abandoned uploads.
func (s *Store) CleanupStaging(ctx context.Context, olderThan time.Duration) error {
	cutoff := s.now().Add(-olderThan)
	fsys := s.root.FS()
	containers, err := fs.ReadDir(fsys, blocksDir)
	if err != nil {
		return fmt.Errorf("local: cleanup staging: %w", err)
	}
	for _, c := range containers {
		uploads, err := fs.ReadDir(fsys, blocksDir+"/"+c.Name())
		if err != nil {
			continue
		}
		for _, u := range uploads {
			if err := ctx.Err(); err != nil {
				return err
			}
			fi, err := u.Info()
			if err != nil || !fi.ModTime().Before(cutoff) {
				continue
			}
			dir := blocksDir + "/" + c.Name() + "/" + u.Name()
			if err := s.root.RemoveAll(dir); err != nil {
				s.log.Warn("local: cleanup staging", "dir", dir, "err", err)
			}
			s.staging.forget(dir)
		}
	}
	return nil
}
