package ksm

import (
	"crypto/sha256"
	"sync"
	"time"
)

// replayCache remembers the SPCs answered within a window, so that a
// captured SPC cannot fetch a second CKC. Clients make a fresh SPC (new
// anti-replay seed and session key) for every request. The cache is per
// node: behind a load balancer a replay can reach another node, which the
// token's maxuses limit (counted in the shared store) still bounds.
type replayCache struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	seen   map[[32]byte]time.Time
}

func (c *replayCache) init(window time.Duration, max int) {
	c.window, c.max, c.seen = window, max, map[[32]byte]time.Time{}
}

// add reports false when the SPC identified by parts was seen within the
// window.
func (c *replayCache) add(now time.Time, parts ...[]byte) bool {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	var k [32]byte
	h.Sum(k[:0])
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.seen[k]; ok && now.Sub(t) < c.window {
		return false
	}
	if len(c.seen) >= c.max {
		for kk, t := range c.seen {
			if now.Sub(t) >= c.window {
				delete(c.seen, kk)
			}
		}
		if len(c.seen) >= c.max {
			// Still full of fresh entries: refuse rather than forget, so
			// a flood cannot open a replay window.
			return false
		}
	}
	c.seen[k] = now
	return true
}
