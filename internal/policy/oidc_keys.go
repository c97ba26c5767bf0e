package policy

import (
	"context"
	"errors"
	"sync"
	"time"
)

// maxRetryInterval bounds the wait before retrying a key set that has
// never been fetched: with no keys at all every token fails, so a
// transient outage at start-up should heal sooner than a rollover.
const maxRetryInterval = 30 * time.Second

// keySource caches the key set of one discovery URL and issuer. Fetches
// are single-flight: concurrent callers that need a refresh wait for the
// one in progress. They are also rate-limited: an unknown kid causes at
// most one fetch per JWKSMinRefreshInterval however many tokens carry it.
type keySource struct {
	e                 *Evaluator
	discovery, issuer string

	mu        sync.Mutex
	set       *jwkSet // nil until a fetch succeeds
	fetched   time.Time
	attempted time.Time
	lastErr   error
	inflight  chan struct{} // closed when the running fetch ends
}

// source returns the cache for a discovery URL and issuer, creating it.
// Policies are created by administrators, so the map grows only with the
// number of distinct discovery documents configured.
func (e *Evaluator) source(discovery, issuer string) *keySource {
	k := discovery + "\n" + issuer
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sources[k]
	if s == nil {
		s = &keySource{e: e, discovery: discovery, issuer: issuer}
		e.sources[k] = s
	}
	return s
}

// keys returns the current key set, refreshing it first when it is
// missing, older than JWKSMaxAge, or lacks kid, each subject to the rate
// limit. A failed refresh keeps the previous set.
func (s *keySource) keys(ctx context.Context, kid string) (*jwkSet, error) {
	minInterval := s.e.cfg.JWKSMinRefreshInterval
	for {
		s.mu.Lock()
		now := s.e.cfg.Now()
		sinceAttempt := now.Sub(s.attempted)
		var need bool
		switch {
		case s.set == nil:
			need = s.attempted.IsZero() || sinceAttempt >= min(minInterval, maxRetryInterval)
		case now.Sub(s.fetched) >= s.e.cfg.JWKSMaxAge, kid != "" && !s.set.has(kid):
			need = sinceAttempt >= minInterval
		}
		if !need {
			set, lastErr := s.set, s.lastErr
			s.mu.Unlock()
			if set == nil {
				if lastErr == nil {
					lastErr = errors.New("key set not fetched")
				}
				return nil, lastErr
			}
			return set, nil
		}
		if ch := s.inflight; ch != nil {
			s.mu.Unlock()
			select {
			case <-ch:
				continue // the fetch ended; look again
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		ch := make(chan struct{})
		s.inflight, s.attempted = ch, now
		s.mu.Unlock()

		// The fetch serves every waiter, so the first caller's
		// cancellation must not abort it; FetchTimeout bounds it.
		set, err := s.e.fetchKeySet(context.WithoutCancel(ctx), s.discovery, s.issuer)

		s.mu.Lock()
		if err == nil {
			s.set, s.fetched, s.lastErr = set, s.e.cfg.Now(), nil
		} else {
			s.lastErr = err
		}
		s.inflight = nil
		close(ch)
		s.mu.Unlock()
	}
}
