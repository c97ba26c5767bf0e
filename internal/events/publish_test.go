package events_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/store"
)

// TestPublishIsTransactional: an event exists iff the transaction that
// published it commits.
func TestPublishIsTransactional(t *testing.T) {
	st := openSQLite(t)
	acct := events.Account{Subscription: "s", ResourceGroup: "rg", Name: "a"}
	ev := events.StreamingLocatorCreated(acct, events.LocatorData{StreamingLocatorName: "l"})
	boom := errors.New("state change failed")
	err := st.WithTx(t.Context(), func(tx store.Tx) error {
		if err := events.Publish(t.Context(), tx, ev); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	pending := func() []store.OutboxEvent {
		var out []store.OutboxEvent
		if err := st.WithTx(t.Context(), func(tx store.Tx) error { var err error; out, err = tx.PendingOutbox(t.Context(), 0); return err }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if n := len(pending()); n != 0 {
		t.Fatalf("%d events after a rolled-back change", n)
	}
	if err := st.WithTx(t.Context(), func(tx store.Tx) error { return events.Publish(t.Context(), tx, ev, ev) }); err != nil {
		t.Fatal(err)
	}
	got := pending()
	if len(got) != 2 || got[0].ID == got[1].ID || got[0].Scope != acct.Scope() || got[0].Type != events.TypeStreamingLocatorCreated || got[0].Time.IsZero() {
		t.Fatalf("outbox: %+v", got)
	}
	// An event without a type is refused, and so is its transaction.
	if err := st.WithTx(t.Context(), func(tx store.Tx) error { return events.Publish(t.Context(), tx, events.Event{Topic: acct.ID()}) }); err == nil {
		t.Fatal("published an event without a type")
	}
}

// TestPublishOrdersByTime: the events of one Publish get distinct
// eventTimes in argument order, so a receiver sorting by time sees them
// as they happened (JobStateChange before JobScheduled); explicit times
// are kept.
func TestPublishOrdersByTime(t *testing.T) {
	st := openSQLite(t)
	job := events.JobSnapshot{Account: events.Account{Subscription: "s", ResourceGroup: "rg", Name: "a"}, Transform: "t", Job: "j"}
	evs := events.JobEvents(job, events.StateQueued, events.StateScheduled)
	evs = append(evs, events.JobEvents(job, events.StateScheduled, events.StateProcessing)...)
	fixed := time.Date(2024, 5, 1, 10, 15, 2, 123456700, time.UTC)
	evs = append(evs, events.JobOutputProgress(job, "l", 5))
	evs[len(evs)-1].Time = fixed
	for i := range evs {
		evs[i].ID = strconv.Itoa(i)
	}
	if err := st.WithTx(t.Context(), func(tx store.Tx) error { return events.Publish(t.Context(), tx, evs...) }); err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxEvent
	if err := st.WithTx(t.Context(), func(tx store.Tx) error { var err error; out, err = tx.PendingOutbox(t.Context(), 0); return err }); err != nil {
		t.Fatal(err)
	}
	times := map[string]string{}
	for _, o := range out {
		var m map[string]any
		if err := json.Unmarshal(o.Body, &m); err != nil {
			t.Fatal(err)
		}
		times[o.ID], _ = m["eventTime"].(string)
	}
	if len(times) != len(evs) {
		t.Fatalf("outbox: %v", times)
	}
	for i := 1; i < len(evs)-1; i++ {
		a, b := times[strconv.Itoa(i-1)], times[strconv.Itoa(i)]
		if a >= b {
			t.Errorf("event %d at %s, event %d at %s: not after", i-1, a, i, b)
		}
	}
	if got := times[strconv.Itoa(len(evs)-1)]; got != "2024-05-01T10:15:02.1234567Z" {
		t.Errorf("explicit time became %s", got)
	}
}
