package media

import (
	"container/list"
	"context"
	"sync"
	"unsafe"
)

// Cache keeps parsed presentations, bounded by their estimated memory, and
// makes concurrent requests for one key share a single load.
type Cache struct {
	max int64

	mu       sync.Mutex
	used     int64
	order    *list.List // front = most recently used
	entries  map[string]*list.Element
	inflight map[string]*call
	// hits and misses count Get's answers (under mu), for metrics.
	hits, misses uint64
}

type cacheEntry struct {
	key  string
	p    *Presentation
	cost int64
}

type call struct {
	done chan struct{}
	p    *Presentation
	err  error
}

// NewCache returns a cache holding up to maxBytes of sample tables.
func NewCache(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, order: list.New(), entries: map[string]*list.Element{}, inflight: map[string]*call{}}
}

// Get returns the presentation for key, loading it with load on a miss.
// Errors are not cached: a fixed file is seen on the next request.
func (c *Cache) Get(ctx context.Context, key string, load func(context.Context) (*Presentation, error)) (*Presentation, error) {
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.hits++
		c.order.MoveToFront(el)
		p := el.Value.(*cacheEntry).p
		c.mu.Unlock()
		return p, nil
	}
	if cl, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-cl.done:
			return cl.p, cl.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.misses++
	cl := &call{done: make(chan struct{})}
	c.inflight[key] = cl
	c.mu.Unlock()

	// The load outlives a cancelled first caller so the others still get
	// a result.
	cl.p, cl.err = load(context.WithoutCancel(ctx))

	c.mu.Lock()
	delete(c.inflight, key)
	if cl.err == nil {
		c.add(key, cl.p)
	}
	c.mu.Unlock()
	close(cl.done)
	return cl.p, cl.err
}

// Remove drops key, e.g. when the asset's files change.
func (c *Cache) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.drop(el)
	}
}

// Len reports the number of cached presentations.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Stats returns how many Gets found their presentation cached and how
// many loaded it (callers sharing another's load count as neither), the
// number of presentations and their estimated bytes.
func (c *Cache) Stats() (hits, misses uint64, entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, c.order.Len(), c.used
}

func (c *Cache) add(key string, p *Presentation) {
	cost := p.cost()
	if cost > c.max {
		return // larger than the whole cache: serve it, do not keep it
	}
	if el, ok := c.entries[key]; ok {
		c.drop(el)
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, p: p, cost: cost})
	c.used += cost
	for c.used > c.max {
		c.drop(c.order.Back())
	}
}

func (c *Cache) drop(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.order.Remove(el)
	delete(c.entries, e.key)
	c.used -= e.cost
}

// cost estimates the memory a presentation holds.
func (p *Presentation) cost() int64 {
	n := int64(4096)
	seen := map[*Sample]bool{}
	for _, t := range p.Tracks {
		n += int64(len(t.Segments)) * int64(unsafe.Sizeof(Segment{}))
		if len(t.Samples) > 0 && !seen[&t.Samples[0]] {
			seen[&t.Samples[0]] = true
			n += int64(len(t.Samples)) * int64(unsafe.Sizeof(Sample{}))
		}
	}
	return n
}
