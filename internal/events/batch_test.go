package events_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/events"
)

// TestBatching: with maxEventsPerBatch 10, 25 events published together
// arrive as arrays of at most 10 (10, 10, 5), in both schemas.
func TestBatching(t *testing.T) {
	for _, schema := range []string{"EventGridSchema", "CloudEventSchemaV1_0"} {
		t.Run(schema, func(t *testing.T) {
			e := newEnv(t, openSQLite(t))
			rc := newReceiver(t)
			var mu sync.Mutex
			var sizes []int
			total := 0
			rc.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("aeg-event-type") != "Notification" {
					rc.serve(w, r)
					return
				}
				var evs []map[string]any
				if err := json.NewDecoder(r.Body).Decode(&evs); err != nil {
					t.Errorf("batch body: %v", err)
				}
				ct := r.Header.Get("Content-Type")
				want := "application/json; charset=utf-8"
				if schema == "CloudEventSchemaV1_0" {
					want = "application/cloudevents-batch+json; charset=utf-8"
					if len(evs) == 1 {
						want = "" // a batch of one is a single structured event; not expected here
					}
				}
				if ct != want {
					t.Errorf("content type %q for %d events, want %q", ct, len(evs), want)
				}
				mu.Lock()
				sizes = append(sizes, len(evs))
				total += len(evs)
				mu.Unlock()
			})
			e.subscribe("batched", rc.URL(), `"eventDeliverySchema":"`+schema+`","destination":{"endpointType":"WebHook","properties":{"endpointUrl":"`+rc.URL()+`","maxEventsPerBatch":10}}`)
			publish(t, e.Store, 25)
			waitFor(t, "all events", func() bool { mu.Lock(); defer mu.Unlock(); return total >= 25 })
			waitFor(t, "settlement", func() bool { return e.getSubscription("batched").Properties.LockstreamStatus.DeliveredEvents == 25 })
			mu.Lock()
			defer mu.Unlock()
			if total != 25 || len(sizes) != 3 || sizes[0]+sizes[1]+sizes[2] != 25 || max(sizes[0], sizes[1], sizes[2]) != 10 {
				t.Fatalf("batch sizes %v (total %d), want 10, 10, 5", sizes, total)
			}
		})
	}
}

// TestPerDestinationLimit: however many events are due, at most
// PerDestination requests are in flight to one host.
func TestPerDestinationLimit(t *testing.T) {
	e := newEnv(t, openSQLite(t), func(c *events.Config) { c.PerDestination = 2 })
	rc := newReceiver(t)
	var inFlight, peak, count atomic.Int64
	rc.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("aeg-event-type") != "Notification" {
			rc.serve(w, r)
			return
		}
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond) // hold the slot a little, so others queue
		inFlight.Add(-1)
		count.Add(1)
	})
	e.subscribe("limited", rc.URL(), "")
	publish(t, e.Store, 12)
	waitFor(t, "all events", func() bool { return count.Load() == 12 })
	if p := peak.Load(); p > 2 {
		t.Fatalf("%d requests in flight to one destination, limit 2", p)
	}
}
