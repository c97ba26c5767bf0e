package ttlcache

import (
	"sync"
	"sync/atomic"
	"time"
)

// Cache maps K to V for ttl after each Put, holding at most max entries.
type Cache[K comparable, V any] struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[K]entry[V]
	// hits and misses count Get's answers, for metrics (Stats).
	hits, misses atomic.Uint64
}

type entry[V any] struct {
	v   V
	put time.Time
}

// New returns a cache whose entries live ttl (forever when ttl <= 0) and
// that holds at most maxEntries (at least 1).
func New[K comparable, V any](ttl time.Duration, maxEntries int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max(maxEntries, 1), m: make(map[K]entry[V])}
}

// Get returns k's value when it was put no longer than ttl before now. An
// entry put after now (the clock stepped back) is not returned either.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok || now.Before(e.put) || c.ttl > 0 && now.Sub(e.put) >= c.ttl {
		c.misses.Add(1)
		var zero V
		return zero, false
	}
	c.hits.Add(1)
	return e.v, true
}

// Put keeps v under k from now on, emptying the cache first when it is
// full.
func (c *Cache[K, V]) Put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = entry[V]{v: v, put: now}
}

// Len returns the number of entries, expired ones included.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Stats returns how many Gets hit and missed since New, and the number
// of entries.
func (c *Cache[K, V]) Stats() (hits, misses uint64, entries int) {
	return c.hits.Load(), c.misses.Load(), c.Len()
}

// Clear drops every entry: the data they were read from changed (an
// invalidation from this or another node).
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
