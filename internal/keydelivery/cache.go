package keydelivery

import (
	"sync"
	"time"
)

// ttlCache keeps values for a short time so that a player's burst of key
// requests does not read and unseal the same rows again and again. Only
// found values are kept: caching misses would let random ids fill it.
// When full it is emptied rather than evicting in order; at its size that
// happens only under a flood of distinct valid ids, and costs one store
// read per id afterwards.
type ttlCache[V any] struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

func (c *ttlCache[V]) init(ttl time.Duration, maxEntries int) {
	c.ttl, c.max, c.m = ttl, maxEntries, make(map[string]ttlEntry[V])
}

func (c *ttlCache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[V]) put(key string, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key] = ttlEntry[V]{v: v, expires: now.Add(c.ttl)}
}
