package events

import (
	"math/rand/v2"
	"time"
)

// DefaultSchedule is Event Grid's retry schedule: the wait before retry
// n+1 is DefaultSchedule[n], the last entry repeating (until the attempts
// or the time-to-live run out): 10 s, 30 s, 1 min, 5 min, 10 min, 30 min,
// 1 h, 3 h, 6 h, then every 12 h.
var DefaultSchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute,
	10 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
}

// backoff returns the wait after the given number of failed attempts
// (1 = after the first), with ±jitter (a fraction) so retries of many
// events to one endpoint spread out.
func backoff(schedule []time.Duration, failed int, jitter float64) time.Duration {
	if len(schedule) == 0 {
		schedule = DefaultSchedule
	}
	i := min(max(failed-1, 0), len(schedule)-1)
	d := schedule[i]
	if jitter > 0 && d > 0 {
		span := float64(d) * jitter
		d += time.Duration(span*2*rand.Float64() - span)
	}
	return max(d, 0)
}
