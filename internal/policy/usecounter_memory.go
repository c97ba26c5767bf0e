package policy

import (
	"context"
	"sync"
	"time"
)

// memorySweepInterval is how often MemoryUseCounter drops expired
// entries; between sweeps an expired entry only costs memory.
const memorySweepInterval = time.Minute

// MemoryUseCounter is a UseCounter for a single process: a map under a
// mutex, swept of expired tokens as it is used. Its size is bounded by the
// number of distinct max-uses tokens seen within MaxUsesLifetime plus the
// clock skew, and each of those needed a valid signature.
type MemoryUseCounter struct {
	now func() time.Time

	mu        sync.Mutex
	entries   map[[32]byte]memoryUse
	nextSweep time.Time
}

type memoryUse struct {
	uses    int64
	expires time.Time
}

var _ UseCounter = (*MemoryUseCounter)(nil)

// NewMemoryUseCounter returns an empty counter; now is its clock (nil:
// time.Now).
func NewMemoryUseCounter(now func() time.Time) *MemoryUseCounter {
	if now == nil {
		now = time.Now
	}
	return &MemoryUseCounter{now: now, entries: map[[32]byte]memoryUse{}}
}

// Use implements UseCounter.
func (c *MemoryUseCounter) Use(ctx context.Context, tokenID [32]byte, expires time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !now.Before(c.nextSweep) {
		for id, u := range c.entries {
			if !now.Before(u.expires) {
				delete(c.entries, id)
			}
		}
		c.nextSweep = now.Add(memorySweepInterval)
	}
	u := c.entries[tokenID]
	if !now.Before(u.expires) {
		u = memoryUse{} // expired but not swept yet: a new life
	}
	u.uses++
	if expires.After(u.expires) {
		u.expires = expires
	}
	c.entries[tokenID] = u
	return u.uses, nil
}

// Len returns the number of tokens held, expired ones not yet swept
// included.
func (c *MemoryUseCounter) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
