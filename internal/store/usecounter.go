package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// UseCounter counts uses of max-uses tokens in a Store. Its Use method has
// the signature policy.UseCounter asks for, so key delivery can hand it to
// the policy evaluator; every node sharing the store shares the counts.
type UseCounter struct {
	Store Store
	// Now is the clock deciding which counters expired; nil: time.Now.
	Now func() time.Time
	// Log receives sweep failures in Run; nil: slog.Default().
	Log *slog.Logger
}

func (c UseCounter) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Use adds one use of the token tokenID, remembered until expires, and
// returns its uses including this one.
func (c UseCounter) Use(ctx context.Context, tokenID [32]byte, expires time.Time) (int64, error) {
	// The backend's error already names the operation.
	return c.Store.UseToken(ctx, tokenID, expires, c.now())
}

// sweepBatch bounds one sweep statement, so that a backlog cannot hold
// the store's write lock for long.
const sweepBatch = 1000

// Sweep deletes every expired counter, in batches, and returns how many.
func (c UseCounter) Sweep(ctx context.Context) (int64, error) {
	now := c.now()
	var total int64
	for {
		n, err := c.Store.SweepTokenUses(ctx, now, sweepBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("sweep token uses: %w", err)
		}
		if n < sweepBatch {
			return total, nil
		}
	}
}

// Run sweeps every interval (default 10 min) until ctx ends. Expired
// counters are only dead weight (an expired counter restarts at 1, and
// its token no longer verifies), so failures are logged and retried.
func (c UseCounter) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 10 * time.Minute
	}
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := c.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("token use sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
