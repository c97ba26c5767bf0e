package events_test

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// TestRestartDelivers: state changes committed while no engine runs (the
// node died after the commit) are delivered by the next engine on the
// same store.
func TestRestartDelivers(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	rc := newReceiver(t)
	e.subscribe("restart", rc.URL(), "")
	e.Engine.Close()
	e.createLocator("a1", "l1")
	e.createLocator("a2", "l2")
	if n := len(rc.Events()); n != 0 {
		t.Fatalf("%d events delivered with no engine running", n)
	}
	e.newEngine("node-b")
	got := rc.waitEvents(events.TypeStreamingLocatorCreated, 2)
	subjects := []string{got[0]["subject"].(string), got[1]["subject"].(string)}
	slices.Sort(subjects)
	if !slices.Equal(subjects, []string{"streamingLocators/l1", "streamingLocators/l2"}) {
		t.Fatalf("got %v", subjects)
	}
}

// TestKilledMidDelivery: a node dies while its request is in flight (its
// lease is still held); once the lease ends another node delivers.
func TestKilledMidDelivery(t *testing.T) {
	shortLease := func(c *events.Config) { c.Timeout, c.Lease = time.Second, 2*time.Second }
	e := newEnv(t, openSQLite(t), shortLease)
	rc := newReceiver(t)
	inFlight := make(chan struct{})
	var once sync.Once
	var first atomic.Bool
	first.Store(true)
	rc.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("aeg-event-type") == "Notification" && first.CompareAndSwap(true, false) {
			// Read the body, so the server notices the client going away.
			_, _ = io.Copy(io.Discard, r.Body)
			once.Do(func() { close(inFlight) })
			select { // hold the request until the node dies
			case <-r.Context().Done():
			case <-t.Context().Done():
			}
			return
		}
		rc.serve(w, r)
	})
	e.subscribe("killed", rc.URL(), "")
	want := publish(t, e.Store, 1)
	<-inFlight
	e.Engine.Close() // the request is cut off, nothing is settled
	e.newEngine("node-b", shortLease)
	got := rc.waitEvents(events.TypeJobOutputProgress, 1)
	if !slices.Equal(ids(got), want) {
		t.Fatalf("got %v, want %v", ids(got), want)
	}
}

// TestTwoNodesPostgres: two engines on one PostgreSQL database share the
// work; with a receiver that never fails, every event arrives exactly
// once (leases with FOR UPDATE SKIP LOCKED, fan-out in serializable
// transactions).
func TestTwoNodesPostgres(t *testing.T) {
	e := newEnv(t, openPostgres(t, pgtest.Start(t)))
	rc := newReceiver(t)
	e.subscribe("shared", rc.URL(), "")
	e.newEngine("node-b")
	const n = 300
	want := publish(t, e.Store, n)
	got := rc.waitEvents(events.TypeJobOutputProgress, n)
	waitFor(t, "settlement", func() bool {
		st := e.getSubscription("shared").Properties.LockstreamStatus
		return st.PendingEvents == 0 && st.DeliveredEvents == n
	})
	gotIDs := ids(rc.eventsOf(events.TypeJobOutputProgress))
	if len(got) != n || !slices.Equal(gotIDs, want) {
		dups := 0
		for i := 1; i < len(gotIDs); i++ {
			if gotIDs[i] == gotIDs[i-1] {
				dups++
			}
		}
		t.Fatalf("received %d events (%d duplicates), want each of %d once", len(gotIDs), dups, n)
	}
}
