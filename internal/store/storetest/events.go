package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

func outboxEvent(id string) store.OutboxEvent {
	return store.OutboxEvent{ID: id, Scope: acctScope, Type: "Test.Type", Subject: "things/" + id, Time: t0,
		Body: []byte(`{"id":"` + id + `"}`)}
}

func delivery(sub, id string, due time.Time) store.Delivery {
	return store.Delivery{Scope: acctScope, Subscription: sub, EventID: id, EventType: "Test.Type",
		Body: []byte(`{"id":"` + id + `"}`), Published: t0, Due: due}
}

func pending(t *testing.T, s store.Store) []store.OutboxEvent {
	t.Helper()
	var out []store.OutboxEvent
	mustTx(t, s, func(tx store.Tx) error {
		var err error
		out, err = tx.PendingOutbox(t.Context(), 0)
		return err
	})
	return out
}

func testOutbox(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	// A rolled-back transaction leaves no event behind.
	boom := errors.New("boom")
	err := tx(t, s, func(tx store.Tx) error {
		if err := tx.AppendOutbox(ctx, []store.OutboxEvent{outboxEvent("lost")}); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, "rolled back append", err, boom)
	if got := pending(t, s); len(got) != 0 {
		t.Fatalf("outbox after rollback: %v", got)
	}
	evs := []store.OutboxEvent{outboxEvent("e1"), outboxEvent("e2")}
	mustTx(t, s, func(tx store.Tx) error { return tx.AppendOutbox(ctx, evs) })
	mustTx(t, s, func(tx store.Tx) error { return tx.AppendOutbox(ctx, []store.OutboxEvent{outboxEvent("e3")}) })
	if evs[0].Seq == 0 || evs[1].Seq <= evs[0].Seq {
		t.Fatalf("seqs not assigned in order: %d, %d", evs[0].Seq, evs[1].Seq)
	}
	got := pending(t, s)
	if len(got) != 3 || got[0].ID != "e1" || got[1].ID != "e2" || got[2].ID != "e3" {
		t.Fatalf("pending outbox: %+v", got)
	}
	if g := got[0]; g.Scope != acctScope || g.Type != "Test.Type" || g.Subject != "things/e1" || !g.Time.Equal(t0) || string(g.Body) != `{"id":"e1"}` {
		t.Fatalf("outbox event round trip: %+v", g)
	}
	// Invalid events are refused.
	bad := outboxEvent("bad")
	bad.Type = ""
	wantErr(t, "event without type", tx(t, s, func(tx store.Tx) error { return tx.AppendOutbox(ctx, []store.OutboxEvent{bad}) }), store.ErrInvalid)

	// Fan-out: deliveries appear, outbox rows go; a repeated fan-out of
	// the same event to the same subscription is ignored.
	mustTx(t, s, func(tx store.Tx) error {
		return tx.FanOut(ctx, []int64{got[0].Seq, got[1].Seq}, []store.Delivery{
			delivery("SubA", "e1", t0), delivery("SubB", "e1", t0), delivery("SubA", "e2", t0), delivery("suba", "e1", t0),
		})
	})
	if left := pending(t, s); len(left) != 1 || left[0].ID != "e3" {
		t.Fatalf("outbox after fan-out: %+v", left)
	}
	ds, err := s.LeaseDeliveries(ctx, "w1", t0, t0.Add(time.Minute), 10)
	if err != nil || len(ds) != 3 {
		t.Fatalf("lease after fan-out: %d deliveries, %v", len(ds), err)
	}
	for _, d := range ds {
		if d.Subscription != "suba" && d.Subscription != "subb" {
			t.Fatalf("subscription not stored as name key: %q", d.Subscription)
		}
		if d.LeaseOwner != "w1" || !d.LeaseUntil.Equal(t0.Add(time.Minute)) || !d.Published.Equal(t0) || d.Attempts != 0 {
			t.Fatalf("leased delivery: %+v", d)
		}
	}
}

func testDeliveryLeases(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	mustTx(t, s, func(tx store.Tx) error {
		return tx.FanOut(ctx, nil, []store.Delivery{delivery("s", "a", t0), delivery("s", "b", t0.Add(time.Hour))})
	})
	lease := func(owner string, now time.Time) []store.Delivery {
		t.Helper()
		ds, err := s.LeaseDeliveries(ctx, owner, now, now.Add(time.Minute), 10)
		if err != nil {
			t.Fatalf("lease: %v", err)
		}
		return ds
	}
	// Only due rows are leased; a leased row is nobody else's until its
	// lease ends.
	if ds := lease("w1", t0); len(ds) != 1 || ds[0].EventID != "a" {
		t.Fatalf("first lease: %+v", ds)
	}
	if ds := lease("w2", t0.Add(30*time.Second)); len(ds) != 0 {
		t.Fatalf("second worker leased a held row: %+v", ds)
	}
	ds := lease("w2", t0.Add(61*time.Second))
	if len(ds) != 1 || ds[0].EventID != "a" {
		t.Fatalf("lease after expiry: %+v", ds)
	}
	// The first worker lost its lease: its settlement does not apply.
	n, err := s.SettleDeliveries(ctx, "w1", []store.DeliveryResult{{Seq: ds[0].Seq, Settle: store.Delivered, Attempt: true, At: t0}})
	if err != nil || n != 0 {
		t.Fatalf("settle with a lost lease: %d, %v", n, err)
	}
	// Retry: attempts counted, due later, lease released.
	at := t0.Add(62 * time.Second)
	n, err = s.SettleDeliveries(ctx, "w2", []store.DeliveryResult{{Seq: ds[0].Seq, Settle: store.Retry, Attempt: true, At: at,
		Due: at.Add(10 * time.Second), Status: 500, Outcome: "GenericError"}})
	if err != nil || n != 1 {
		t.Fatalf("settle retry: %d, %v", n, err)
	}
	if ds := lease("w3", at.Add(5*time.Second)); len(ds) != 0 {
		t.Fatalf("leased before due: %+v", ds)
	}
	ds = lease("w3", at.Add(10*time.Second))
	if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].LastStatus != 500 || ds[0].LastOutcome != "GenericError" || !ds[0].LastAttempt.Equal(at) {
		t.Fatalf("after retry: %+v", ds)
	}
	// Dead-letter: kept, never leased again, counted; replay revives it.
	n, err = s.SettleDeliveries(ctx, "w3", []store.DeliveryResult{{Seq: ds[0].Seq, Settle: store.DeadLetter, Attempt: true, At: at.Add(10 * time.Second),
		Status: 503, Outcome: "Busy", Reason: "MaxDeliveryAttemptsExceeded"}})
	if err != nil || n != 1 {
		t.Fatalf("settle dead-letter: %d, %v", n, err)
	}
	if ds := lease("w4", t0.Add(2*time.Hour)); len(ds) != 1 || ds[0].EventID != "b" {
		t.Fatalf("dead-lettered row leased, or b missing: %+v", ds)
	} else if n, err := s.SettleDeliveries(ctx, "w4", []store.DeliveryResult{{Seq: ds[0].Seq, Settle: store.Delivered, Attempt: true, At: t0.Add(2 * time.Hour)}}); err != nil || n != 1 {
		t.Fatalf("settle delivered: %d, %v", n, err)
	}
	st, err := s.DeliveryStats(ctx, acctScope, "S")
	if err != nil {
		t.Fatal(err)
	}
	want := store.DeliveryStats{Pending: 0, DeadLettered: 1, Delivered: 1, FailedAttempts: 2, DeadLetteredTotal: 1,
		LastDelivered: t0.Add(2 * time.Hour), LastFailure: at.Add(10 * time.Second), LastFailureReason: "MaxDeliveryAttemptsExceeded"}
	if st != want {
		t.Fatalf("stats:\n got %+v\nwant %+v", st, want)
	}
	var replayed int64
	mustTx(t, s, func(tx store.Tx) error {
		var err error
		replayed, err = tx.ReplayDeliveries(ctx, acctScope, "s", t0.Add(3*time.Hour))
		return err
	})
	if replayed != 1 {
		t.Fatalf("replayed %d", replayed)
	}
	st, _ = s.DeliveryStats(ctx, acctScope, "s")
	if st.Pending != 1 || st.DeadLettered != 0 || !st.OldestPending.Equal(t0) {
		t.Fatalf("stats after replay: %+v", st)
	}
	if ds := lease("w5", t0.Add(3*time.Hour)); len(ds) != 1 || ds[0].Attempts != 0 || ds[0].Dead {
		t.Fatalf("replayed delivery: %+v", ds)
	}
	mustTx(t, s, func(tx store.Tx) error { return tx.DeleteDeliveries(ctx, acctScope, "S") })
	st, _ = s.DeliveryStats(ctx, acctScope, "s")
	if st != (store.DeliveryStats{}) {
		t.Fatalf("stats after delete: %+v", st)
	}
}

// testDeliveryLeaseLimit: one lease call never takes more than its limit,
// takes the earliest due rows, and leaves the rest to other workers.
// (PostgreSQL once re-ran a LIMIT … FOR UPDATE SKIP LOCKED subquery per
// updated row and leased every due row whatever the limit.)
func testDeliveryLeaseLimit(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	ds := make([]store.Delivery, 7)
	for i := range ds {
		// Due times out of insertion order: the lease takes by due time.
		ds[i] = delivery("s", fmt.Sprint("ev", i), t0.Add(time.Duration(len(ds)-i)*time.Second))
	}
	mustTx(t, s, func(tx store.Tx) error { return tx.FanOut(ctx, nil, ds) })
	now := t0.Add(time.Minute)
	var got []string
	for i, want := range []int{2, 2, 2, 1, 0} {
		owner := fmt.Sprint("w", i)
		leased, err := s.LeaseDeliveries(ctx, owner, now, now.Add(time.Hour), 2)
		if err != nil {
			t.Fatalf("lease %d: %v", i, err)
		}
		if len(leased) != want {
			t.Fatalf("lease %d with a limit of 2: got %d deliveries, want %d", i, len(leased), want)
		}
		// RETURNING has no order: sort each call's rows by due time.
		slices.SortFunc(leased, func(a, b store.Delivery) int { return a.Due.Compare(b.Due) })
		for _, d := range leased {
			if d.LeaseOwner != owner {
				t.Fatalf("lease %d: delivery %s owned by %q", i, d.EventID, d.LeaseOwner)
			}
			got = append(got, d.EventID)
		}
	}
	if want := []string{"ev6", "ev5", "ev4", "ev3", "ev2", "ev1", "ev0"}; !slices.Equal(got, want) {
		t.Fatalf("lease order: got %v, want %v", got, want)
	}
	// A limit of 1 on a fresh set, too (a one-row pick is the common
	// case of a worker with one free slot).
	mustTx(t, s, func(tx store.Tx) error {
		return tx.FanOut(ctx, nil, []store.Delivery{delivery("s", "x", t0), delivery("s", "y", t0), delivery("s", "z", t0)})
	})
	if leased, err := s.LeaseDeliveries(ctx, "one", now, now.Add(time.Hour), 1); err != nil || len(leased) != 1 {
		t.Fatalf("lease with a limit of 1: %d, %v", len(leased), err)
	}
	if leased, err := s.LeaseDeliveries(ctx, "rest", now, now.Add(time.Hour), 10); err != nil || len(leased) != 2 {
		t.Fatalf("the rest after a limit-1 lease: %d, %v", len(leased), err)
	}
}

func testConcurrentLeases(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	SharedDeliveries(t, s, s, 60)
}

// SharedDeliveries queues n deliveries and has workers on stores a and b
// (one store, or two stores on the same database standing for two nodes)
// lease them concurrently, and checks that every delivery was leased by
// exactly one worker and that no call took more than its limit.
func SharedDeliveries(t *testing.T, a, b store.Store, n int) {
	t.Helper()
	const sharedLimit = 3
	ctx := t.Context()
	ds := make([]store.Delivery, n)
	for i := range ds {
		ds[i] = delivery("shared", fmt.Sprint("ev", i), t0)
	}
	mustTx(t, a, func(tx store.Tx) error { return tx.FanOut(ctx, nil, ds) })
	var (
		mu   sync.Mutex
		seen = map[int64]string{}
		errs []error
		wg   sync.WaitGroup
	)
	start := make(chan struct{})
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := a
			if w%2 == 1 {
				st = b
			}
			owner := fmt.Sprint("worker", w)
			<-start
			for {
				got, err := st.LeaseDeliveries(ctx, owner, t0, t0.Add(time.Hour), sharedLimit)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				if len(got) > sharedLimit {
					errs = append(errs, fmt.Errorf("%s leased %d deliveries with a limit of %d", owner, len(got), sharedLimit))
				}
				for _, d := range got {
					if prev, dup := seen[d.Seq]; dup {
						errs = append(errs, fmt.Errorf("delivery %d leased by %s and %s", d.Seq, prev, owner))
					}
					seen[d.Seq] = owner
				}
				mu.Unlock()
				if err != nil || len(got) == 0 {
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
	if len(seen) != n {
		t.Fatalf("leased %d of %d deliveries", len(seen), n)
	}
}
