package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// releaser is the backends' shutdown hand-back of event delivery leases.
type releaser interface {
	ReleaseDeliveries(ctx context.Context, owner string) (int64, error)
}

// testReleaseDeliveries: a node's released leases are leasable by
// another node at once; other owners' leases stay.
func testReleaseDeliveries(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	rel, ok := s.(releaser)
	if !ok {
		t.Fatalf("%T has no ReleaseDeliveries", s)
	}
	ctx := t.Context()
	// Two rows due now for the stopping node, one due in an hour for the
	// staying node (no LIMIT: the leases are told apart by due time).
	t1 := t0.Add(time.Hour)
	mustTx(t, s, func(tx store.Tx) error {
		return tx.FanOut(ctx, nil, []store.Delivery{delivery("s", "a", t0), delivery("s", "b", t0), delivery("s", "c", t1)})
	})
	if ds, err := s.LeaseDeliveries(ctx, "stopping", t0, t0.Add(2*time.Hour), 10); err != nil || len(ds) != 2 {
		t.Fatalf("lease: %d, %v", len(ds), err)
	}
	if ds, err := s.LeaseDeliveries(ctx, "staying", t1, t1.Add(2*time.Hour), 10); err != nil || len(ds) != 1 {
		t.Fatalf("lease the rest: %d, %v", len(ds), err)
	}
	if ds, _ := s.LeaseDeliveries(ctx, "other", t1, t1.Add(time.Hour), 10); len(ds) != 0 {
		t.Fatalf("leased rows were leased again: %d", len(ds))
	}
	if n, err := rel.ReleaseDeliveries(ctx, "stopping"); err != nil || n != 2 {
		t.Fatalf("release: %d, %v", n, err)
	}
	ds, err := s.LeaseDeliveries(ctx, "other", t1, t1.Add(time.Hour), 10)
	if err != nil || len(ds) != 2 {
		t.Fatalf("after release, another node leases %d (%v), want the 2 released", len(ds), err)
	}
	if _, err := rel.ReleaseDeliveries(ctx, ""); err == nil {
		t.Fatal("release without an owner accepted")
	}
}

// testQueueStats: the queue summary counts the outbox and the pending
// deliveries and names the oldest of each.
func testQueueStats(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	qs, ok := s.(interface {
		QueueStats(ctx context.Context) (store.QueueStats, error)
	})
	if !ok {
		t.Fatalf("%T has no QueueStats", s)
	}
	ctx := t.Context()
	q, err := qs.QueueStats(ctx)
	if err != nil || q != (store.QueueStats{}) {
		t.Fatalf("empty store: %+v, %v", q, err)
	}
	mustTx(t, s, func(tx store.Tx) error {
		return tx.AppendOutbox(ctx, []store.OutboxEvent{outboxEvent("o1"), outboxEvent("o2")})
	})
	mustTx(t, s, func(tx store.Tx) error {
		return tx.FanOut(ctx, nil, []store.Delivery{delivery("s", "a", t0.Add(time.Minute)), delivery("s", "b", t0.Add(time.Hour))})
	})
	q, err = qs.QueueStats(ctx)
	if err != nil || q.OutboxPending != 2 || !q.OldestOutbox.Equal(t0) || q.DeliveriesPending != 2 || q.DeliveriesDead != 0 || !q.OldestDue.Equal(t0.Add(time.Minute)) {
		t.Fatalf("queue stats: %+v, %v", q, err)
	}
}
