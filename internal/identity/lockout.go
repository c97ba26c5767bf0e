package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// lockoutDoc counts recent authentication failures of one client id. It is
// kept in the store so that every node sees the same count: spreading
// guesses over nodes gains nothing.
type lockoutDoc struct {
	Failures    int    `json:"failures"`
	First       string `json:"first"`                 // store.FormatTime of the window's first failure
	LockedUntil string `json:"lockedUntil,omitempty"` // store.FormatTime
	Expires     string `json:"expires"`               // when the record may be deleted
}

// lockoutKey names the record by a hash of the lower-cased client id:
// fixed length whatever the (attacker-chosen) id, and unknown ids are
// tracked exactly like real ones, so lockout behaviour reveals nothing.
func (s *Service) lockoutKey(clientID string) store.Key {
	sum := sha256.Sum256([]byte("lockstream lockout\x00" + store.NameKey(clientID)))
	return s.key(KindLockout, hex.EncodeToString(sum[:20]))
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(store.TimeLayout, s)
	return t
}

// lockedUntil returns when a lock on clientID ends, or zero when it is not
// locked at now.
func (s *Service) lockedUntil(ctx context.Context, clientID string, now time.Time) (time.Time, error) {
	res, err := s.cfg.Store.Get(ctx, s.lockoutKey(clientID))
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("identity: read lockout: %w", err)
	}
	var d lockoutDoc
	if err := json.Unmarshal(res.Doc, &d); err != nil {
		return time.Time{}, fmt.Errorf("identity: decode lockout: %w", err)
	}
	if until := parseTime(d.LockedUntil); now.Before(until) {
		return until, nil
	}
	return time.Time{}, nil
}

// recordFailure counts one failure and returns the count in the current
// window and whether the client id is now locked.
func (s *Service) recordFailure(ctx context.Context, clientID string, now time.Time) (int, bool, error) {
	l := s.cfg.Lockout
	k := s.lockoutKey(clientID)
	var d lockoutDoc
	// Two attempts: a concurrent first failure on another node makes our
	// Create conflict, after which the row exists and Replace works.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
			res, err := tx.Get(ctx, k)
			exists := err == nil
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			d = lockoutDoc{}
			if exists {
				if err := json.Unmarshal(res.Doc, &d); err != nil {
					return err
				}
			}
			lockEnded := d.LockedUntil != "" && !now.Before(parseTime(d.LockedUntil))
			if !exists || lockEnded || now.Sub(parseTime(d.First)) > l.Window {
				d = lockoutDoc{First: store.FormatTime(now)}
			}
			d.Failures++
			if d.Failures >= l.Threshold && d.LockedUntil == "" {
				d.LockedUntil = store.FormatTime(now.Add(l.Duration))
			}
			exp := parseTime(d.First).Add(l.Window)
			if until := parseTime(d.LockedUntil); until.After(exp) {
				exp = until
			}
			d.Expires = store.FormatTime(exp)
			doc, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if !exists {
				return tx.Create(ctx, &store.Resource{Kind: k.Kind, Scope: k.Scope, Name: k.Name, Created: now, Modified: now, Doc: doc}, nil)
			}
			res.Doc, res.Modified = doc, now
			return tx.Replace(ctx, res, nil)
		})
		if !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrStale) {
			break
		}
	}
	if err != nil {
		return 0, false, fmt.Errorf("identity: record failure: %w", err)
	}
	return d.Failures, d.LockedUntil != "", nil
}

// resetFailures forgets a client id's failures after a success. Reading
// first keeps the common case (no failures) free of writes.
func (s *Service) resetFailures(ctx context.Context, clientID string) error {
	k := s.lockoutKey(clientID)
	if _, err := s.cfg.Store.Get(ctx, k); errors.Is(err, store.ErrNotFound) {
		return nil
	}
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, k) })
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("identity: reset failures: %w", err)
	}
	return nil
}

// failureDelay is how long the response to the n-th failure waits:
// nothing before DelayAfter, then doubling up to MaxDelay.
func (s *Service) failureDelay(n int) time.Duration {
	l := s.cfg.Lockout
	if n < l.DelayAfter {
		return 0
	}
	d := l.BaseDelay
	for i := l.DelayAfter; i < n && d < l.MaxDelay; i++ {
		d *= 2
	}
	return min(d, l.MaxDelay)
}
