package ttlcache

import (
	"sync"
	"time"
)

// Cache maps K to V for ttl after each Put, holding at most max entries.
type Cache[K comparable, V any] struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[K]entry[V]
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
		var zero V
		return zero, false
	}
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
