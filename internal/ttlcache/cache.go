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
	// cleared is when ClearAt last ran: a Put whose now is not after it
	// carries a value read before the change that cleared the cache.
	cleared time.Time
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
// full. now is when the caller started reading v (the now of its missed
// Get): a value read before the last ClearAt is dropped, since it may
// predate the change that cleared the cache.
func (c *Cache[K, V]) Put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.cleared.IsZero() && !now.After(c.cleared) {
		return
	}
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

// ClearAt drops every entry at now (the clock Get and Put are given):
// the data they were read from changed (an invalidation from this or
// another node). Reads that started at or before now and finish later
// are not kept either (see Put).
func (c *Cache[K, V]) ClearAt(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
	if now.After(c.cleared) {
		c.cleared = now
	}
}
