package ratelimit

import (
	"math"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// Limiter is a set of token buckets, one per key, each refilled at the
// same rate. Safe for concurrent use.
type Limiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex // makes get-or-create atomic
	buckets *lru.Cache[string, *rate.Limiter]
}

// New returns a limiter admitting perMinute requests a minute per key
// (refilled continuously), with bursts of burstSeconds' worth (at least
// one request), keeping at most maxKeys buckets (the least recently used
// go first: a dropped client starts again with a full bucket). It returns
// nil when perMinute is 0 (no limit); a nil Limiter allows everything.
// Minutes, not seconds, so that low limits (a few token grants a minute)
// can be said in whole numbers.
func New(perMinute, burstSeconds, maxKeys int) *Limiter {
	if perMinute <= 0 {
		return nil
	}
	c, err := lru.New[string, *rate.Limiter](max(maxKeys, 1))
	if err != nil {
		// Only a non-positive size fails, excluded above.
		panic("ratelimit: " + err.Error())
	}
	burst := int(math.Ceil(float64(perMinute) * float64(max(burstSeconds, 1)) / 60))
	return &Limiter{limit: rate.Limit(float64(perMinute) / 60), burst: max(burst, 1), buckets: c}
}

// Allow takes one token from key's bucket at now. When the bucket is
// empty it returns false and how long until a token is back.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	b := l.bucket(key)
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (l *Limiter) bucket(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets.Get(key); ok {
		return b
	}
	b := rate.NewLimiter(l.limit, l.burst)
	l.buckets.Add(key, b)
	return b
}

// Len returns the number of buckets kept.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	return l.buckets.Len()
}

// retrySeconds is Retry-After's whole seconds, at least 1.
func retrySeconds(d time.Duration) int {
	return max(int(math.Ceil(d.Seconds())), 1)
}
