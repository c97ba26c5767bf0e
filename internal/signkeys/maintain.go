package signkeys

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Maintain makes sure a key signs and its successor is published in time,
// and deletes retired keys. Every node may call it; concurrent calls are
// safe.
func (r *Ring) Maintain(ctx context.Context) error {
	now := r.cfg.Now()
	var errs []error
	if _, err := r.Signer(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := r.gc(ctx, now); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Run calls maintain (a service's Maintain, which includes its Ring's)
// every interval (default 1 min) until ctx ends, logging failures as
// "<name> maintenance failed". Keys rotate only through these calls and
// through signing, so every node should run it. It is a function rather
// than a Ring method because sts under HS256 has no Ring yet still runs.
func Run(ctx context.Context, interval time.Duration, log *slog.Logger, name string, maintain func(context.Context) error) error {
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := maintain(ctx); err != nil && ctx.Err() == nil {
			log.Error(name+" maintenance failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
