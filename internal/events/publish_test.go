package events_test

import (
	"errors"
	"testing"

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
