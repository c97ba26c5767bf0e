package events_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// BenchmarkDelivery publishes b.N events through the outbox (100 per
// transaction, waking the engine as the API does after a commit) and
// measures events delivered per second to a local receiver, and the
// latency from the state change (eventTime, stamped in the publishing
// transaction) to receipt.
//
//	go test -run '^$' -bench Delivery -benchtime 2000x ./internal/events
func BenchmarkDelivery(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, batch := range []int{1, 10} {
			b.Run(fmt.Sprintf("%s/batch=%d", backend, batch), func(b *testing.B) { benchDelivery(b, backend, batch) })
		}
	}
}

func benchDelivery(b *testing.B, backend string, batch int) {
	var st store.Store
	if backend == "postgres" {
		st = openPostgres(b, pgtest.Start(b))
	} else {
		st = openSQLite(b)
	}
	e := newEnv(b, st)
	var (
		mu   sync.Mutex
		lat  []time.Duration
		seen = map[string]bool{}
		done = make(chan struct{})
	)
	n := b.N
	rc := newReceiver(b)
	rc.onEvent = func(ev map[string]any) {
		at := time.Now()
		t, err := time.Parse(time.RFC3339Nano, ev["eventTime"].(string))
		if err != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		id := ev["id"].(string)
		if seen[id] {
			return
		}
		seen[id] = true
		lat = append(lat, at.Sub(t))
		if len(seen) == n {
			close(done)
		}
	}
	e.subscribe("bench", rc.URL(), fmt.Sprintf(`"destination":{"endpointType":"WebHook","properties":{"endpointUrl":%q,"maxEventsPerBatch":%d}}`, rc.URL(), batch))
	job := events.JobSnapshot{Account: events.Account{Subscription: testSub, ResourceGroup: testRG, Name: testAccount}, Transform: "t", Job: "j"}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < n; i += 100 {
		k := min(100, n-i)
		err := st.WithTx(b.Context(), func(tx store.Tx) error {
			evs := make([]events.Event, k)
			for j := range evs {
				evs[j] = events.JobOutputProgress(job, "out", int64(i+j))
			}
			return events.Publish(b.Context(), tx, evs...)
		})
		if err != nil {
			b.Fatal(err)
		}
		e.Engine.Kick()
	}
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		mu.Lock()
		got := len(seen)
		mu.Unlock()
		b.Fatalf("only %d of %d events arrived", got, n)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkLatency publishes one event at a time (as the API does: commit,
// then wake the engine) and waits for it: latency from the state change to
// receipt without a backlog.
//
//	go test -run '^$' -bench Latency -benchtime 300x ./internal/events
func BenchmarkLatency(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			var st store.Store
			if backend == "postgres" {
				st = openPostgres(b, pgtest.Start(b))
			} else {
				st = openSQLite(b)
			}
			e := newEnv(b, st)
			got := make(chan time.Time, 1)
			rc := newReceiver(b)
			rc.onEvent = func(map[string]any) { got <- time.Now() }
			e.subscribe("latency", rc.URL(), "")
			job := events.JobSnapshot{Account: events.Account{Subscription: testSub, ResourceGroup: testRG, Name: testAccount}, Transform: "t", Job: "j"}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				if err := st.WithTx(b.Context(), func(tx store.Tx) error {
					return events.Publish(b.Context(), tx, events.JobOutputProgress(job, "out", int64(i)))
				}); err != nil {
					b.Fatal(err)
				}
				e.Engine.Kick()
				select {
				case at := <-got:
					lat = append(lat, at.Sub(start))
				case <-time.After(time.Minute):
					b.Fatal("event did not arrive")
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
