package local

import (
	"context"
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
)

// Errors of the block protocol, mapped to Azure error codes by the handler.
var (
	errInvalidBlockID   = errors.New("block id must be base64 of 1 to 64 bytes")
	errInvalidBlockList = errors.New("block list references a block that does not exist")
	errBlockCount       = errors.New("too many blocks")
)

// maxBlockIDBytes is Azure's limit on a decoded block id.
const maxBlockIDBytes = 64

// decodeBlockID validates a base64 block id and returns its bytes.
func decodeBlockID(id string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || len(raw) == 0 || len(raw) > maxBlockIDBytes {
		return nil, errInvalidBlockID
	}
	return raw, nil
}

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

// stageLimits bound what one blob may have staged at once.
type stageLimits struct {
	maxBlocks int
	maxBytes  int64
}

// reserve accounts for a block of size bytes about to be staged in dir,
// replacing a block of oldSize bytes (-1 if new). It returns a function
// that undoes the reservation if staging fails.
func (s *Store) reserve(dir string, oldSize, size int64, lim stageLimits) (undo func(), err error) {
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
	if lim.maxBlocks > 0 && st.count+dc > lim.maxBlocks {
		return nil, fmt.Errorf("%w: at most %d uncommitted blocks per blob", errBlockCount, lim.maxBlocks)
	}
	if lim.maxBytes > 0 && st.bytes+db > lim.maxBytes {
		return nil, fmt.Errorf("%w: staged blocks would exceed %d bytes", errTooLarge, lim.maxBytes)
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

// stageBlock stores one uncommitted block. The block goes through a temp
// file and a rename like any blob, so a failed Put Block never leaves a
// truncated block that a later Put Block List could commit.
func (s *Store) stageBlock(ctx context.Context, container, name, blockID string, r io.Reader, size int64, lim stageLimits, check func(digests) error) (digests, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return digests{}, err
	}
	if err := blob.ValidateName(name); err != nil {
		return digests{}, err
	}
	raw, err := decodeBlockID(blockID)
	if err != nil {
		return digests{}, err
	}
	if err = s.containerExists(container); err != nil {
		return digests{}, err
	}
	dir := stagingDir(container, name)
	dst := dir + "/" + hex.EncodeToString(raw)
	oldSize := int64(-1)
	if fi, lerr := s.root.Lstat(dst); lerr == nil {
		oldSize = fi.Size()
	}
	undo, err := s.reserve(dir, oldSize, size, lim)
	if err != nil {
		return digests{}, err
	}
	t, d, err := s.spool(ctx, r, size, size)
	if err == nil && check != nil {
		err = check(d)
	}
	if err == nil {
		err = s.root.MkdirAll(dir, dirPerm)
	}
	if err == nil {
		err = s.root.Rename(t.path, dst)
	}
	if err != nil {
		undo()
		t.remove()
		return digests{}, fmt.Errorf("local: put block %q/%q: %w", container, name, err)
	}
	t.path = ""
	return d, nil
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

// listStaged returns a blob's uncommitted blocks.
func (s *Store) listStaged(container, name string) []committedBlock {
	entries, err := fs.ReadDir(s.root.FS(), stagingDir(container, name))
	if err != nil {
		return nil
	}
	out := make([]committedBlock, 0, len(entries))
	for _, e := range entries {
		raw, err := hex.DecodeString(e.Name())
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, committedBlock{ID: base64.StdEncoding.EncodeToString(raw), Size: fi.Size()})
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

// commitBlockList assembles the listed blocks into a new blob version and
// publishes it atomically (Put Block List). limit caps the resulting size.
func (s *Store) commitBlockList(ctx context.Context, container, name string, refs []blockRef, limit int64, contentType string, check func(digests) error) (os.FileInfo, digests, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return nil, digests{}, err
	}
	if err := blob.ValidateName(name); err != nil {
		return nil, digests{}, err
	}
	if err := s.containerExists(container); err != nil {
		return nil, digests{}, err
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
		raw, err := decodeBlockID(ref.ID)
		if err != nil {
			return nil, digests{}, err
		}
		id := base64.StdEncoding.EncodeToString(raw)
		var src blockSource
		found := false
		if ref.Kind != kindCommitted {
			p := dir + "/" + hex.EncodeToString(raw)
			if fi, err := s.root.Lstat(p); err == nil && fi.Mode().IsRegular() {
				src, found = blockSource{id: id, staged: p, size: fi.Size()}, true
			}
		}
		if !found && ref.Kind != kindUncommitted {
			src, found = committed[id]
		}
		if !found {
			return nil, digests{}, fmt.Errorf("%w: %s block %q", errInvalidBlockList, ref.Kind, ref.ID)
		}
		total += src.size
		if limit >= 0 && total > limit {
			return nil, digests{}, errTooLarge
		}
		sources = append(sources, src)
	}
	f, p, err := s.createTemp()
	if err != nil {
		return nil, digests{}, fmt.Errorf("local: put block list: %w", err)
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
	if err == nil && check != nil {
		err = check(d)
	}
	if err != nil {
		return nil, d, fmt.Errorf("local: put block list %q/%q: %w", container, name, err)
	}
	blocks := make([]committedBlock, len(sources))
	for i, src := range sources {
		blocks[i] = committedBlock{ID: src.id, Size: src.size}
	}
	fi, err := s.publish(ctx, container, name, t, publishProps{contentType: contentType, md5: d.md5, blocks: blocks})
	if err != nil {
		return nil, d, fmt.Errorf("local: put block list %q/%q: %w", container, name, err)
	}
	s.discardStaged(container, name)
	return fi, d, nil
}

// assemble concatenates the sources into w, hashing them.
func (s *Store) assemble(ctx context.Context, w io.Writer, cur *os.File, sources []blockSource) (digests, error) {
	m := md5.New() //nolint:gosec // see import
	c := newCRC64()
	mw := io.MultiWriter(w, m, c)
	var n int64
	for _, src := range sources {
		var r io.Reader
		var closeFn func()
		if src.staged != "" {
			f, err := s.root.Open(src.staged)
			if err != nil {
				return digests{}, fmt.Errorf("%w: staged block %q vanished", errInvalidBlockList, src.id)
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
	return digests{size: n, md5: m.Sum(nil), crc64: c.Sum64()}, nil
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
