package local

import (
	"container/list"
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/lockstream/lockstream/internal/blob"
)

// maxMapped is how many files stay mapped at once. A mapping costs no
// memory of its own (the pages are the page cache's), only address space
// and, while it lives, a deleted file's disk space; the least recently
// used file beyond this is unmapped once no reader holds it.
const maxMapped = 256

// Every committed data file is written once and renamed into place, never
// changed in place, so a mapping of it stays valid for as long as it is
// held, even after the blob is replaced or deleted (the old inode lives on
// until unmapped). A mapping is kept per blob path with the identity
// (device, inode, size, mtime) of the file it maps: a new version gets a
// new mapping and retires the old one.

// mapping is one mapped data file.
type mapping struct {
	key   string
	id    fileID
	data  []byte
	refs  int  // readers holding data
	dead  bool // retired: unmapped when refs drops to 0
	elem  *list.Element
	unmap func([]byte) error
}

// fileID is what tells two versions of a path apart.
type fileID struct {
	ino, size, mtime int64
}

// mapCache holds the store's mappings.
type mapCache struct {
	mu  sync.Mutex
	m   map[string]*mapping
	lru list.List // of *mapping, most recently used first
}

// MapRange implements blob.Mapper: [off, off+n) of the blob's current
// version in memory, valid until release. Empty files, and platforms
// without mmap, answer blob.ErrNotMapped.
func (s *Store) MapRange(ctx context.Context, container, name string, off, n int64) ([]byte, func(), error) {
	key := container + "/" + name
	// The common case, a file already mapped, costs one stat: no open,
	// no descriptor to set up and close.
	if blob.ValidateContainer(container) == nil && blob.ValidateName(name) == nil && ctx.Err() == nil {
		if fi, err := s.root.Stat(dataPath(container, name)); err == nil && fi.Mode().IsRegular() {
			if n, ok := clampRange(off, n, fi.Size()); ok {
				if mp, _ := s.maps.get(key, idOf(fi), nil); mp != nil {
					return s.maps.view(mp, off, n)
				}
			}
		}
	}
	f, fi, err := s.open(ctx, container, name)
	if err != nil {
		return nil, nil, fmt.Errorf("local: map %q: %w", name, err)
	}
	defer f.Close()
	n, ok := clampRange(off, n, fi.Size())
	if !ok {
		return nil, nil, fmt.Errorf("local: map %q at %d of %d: %w", name, off, fi.Size(), blob.ErrRange)
	}
	mp, err := s.maps.get(key, idOf(fi), func() ([]byte, func([]byte) error, error) { return mmapFile(f, fi.Size()) })
	if err != nil {
		return nil, nil, fmt.Errorf("local: map %q: %w", name, err)
	}
	return s.maps.view(mp, off, n)
}

// clampRange cuts [off, off+n) (n < 0: to the end) to a file of size
// bytes; ok is false when off lies outside it.
func clampRange(off, n, size int64) (int64, bool) {
	if off < 0 || off > size {
		return 0, false
	}
	if n < 0 || n > size-off {
		n = size - off
	}
	return n, true
}

// idOf is the identity of a data file's version.
func idOf(fi os.FileInfo) fileID {
	return fileID{ino: int64(inode(fi)), size: fi.Size(), mtime: fi.ModTime().UnixNano()} //nolint:gosec // an inode number fits
}

// get returns key's mapping of version id with a reference taken, the
// mapping of another version retired; when there is none, mmap (nil: do
// not map) makes it. Mapping under the lock keeps one mapping per
// version; mmap of a file already in the page cache is a few
// microseconds.
func (c *mapCache) get(key string, id fileID, mmap func() ([]byte, func([]byte) error, error)) (*mapping, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	mp := c.m[key]
	switch {
	case mp != nil && mp.id == id:
		c.lru.MoveToFront(mp.elem)
	case mmap == nil:
		return nil, nil
	default:
		if mp != nil {
			c.retire(mp)
		}
		data, unmap, err := mmap()
		if err != nil {
			return nil, err
		}
		if c.m == nil {
			c.m = make(map[string]*mapping)
		}
		mp = &mapping{key: key, id: id, data: data, unmap: unmap}
		mp.elem = c.lru.PushFront(mp)
		c.m[key] = mp
		c.evict()
	}
	mp.refs++
	return mp, nil
}

// view is [off, off+n) of mp, held (get took the reference) until the
// returned release, which may be called more than once.
func (c *mapCache) view(mp *mapping, off, n int64) ([]byte, func(), error) {
	var once sync.Once
	return mp.data[off : off+n : off+n], func() { once.Do(func() { c.release(mp) }) }, nil
}

// forget retires the mapping of a blob that was deleted or replaced, so
// that its disk space is freed once its readers are done.
func (c *mapCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if mp := c.m[key]; mp != nil {
		c.retire(mp)
	}
}

// forgetPrefix retires the mappings of a deleted container.
func (c *mapCache) forgetPrefix(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, mp := range c.m {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			c.retire(mp)
		}
	}
}

// closeAll retires every mapping (the store is closing).
func (c *mapCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, mp := range c.m {
		c.retire(mp)
	}
}

func (c *mapCache) release(mp *mapping) {
	c.mu.Lock()
	defer c.mu.Unlock()
	mp.refs--
	if mp.dead && mp.refs == 0 {
		_ = mp.unmap(mp.data)
	}
}

// retire removes mp from the cache; it is unmapped now or when its last
// reader releases it. Called with c.mu held.
func (c *mapCache) retire(mp *mapping) {
	if mp.dead {
		return
	}
	mp.dead = true
	delete(c.m, mp.key)
	c.lru.Remove(mp.elem)
	if mp.refs == 0 {
		_ = mp.unmap(mp.data)
	}
}

// evict retires the least recently used mappings beyond maxMapped.
// Called with c.mu held.
func (c *mapCache) evict() {
	for c.lru.Len() > maxMapped {
		c.retire(c.lru.Back().Value.(*mapping))
	}
}
