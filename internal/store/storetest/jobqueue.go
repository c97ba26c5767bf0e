package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// transformScope is the scope of the jobs of transform "T".
var transformScope = key(store.KindTransform, acctScope, "T").Path()

func enqueue(t *testing.T, s store.Store, name string, prio int, created time.Time) {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error {
		return tx.EnqueueJob(t.Context(), store.QueuedJob{Scope: transformScope, Name: name, Priority: prio, Created: created})
	})
}

func lease(t *testing.T, s store.Store, owner string, now time.Time) *store.Lease {
	t.Helper()
	l, err := s.LeaseJob(t.Context(), owner, now, time.Minute)
	if err != nil {
		t.Fatalf("lease at %v: %v", now, err)
	}
	return l
}

func noLease(t *testing.T, s store.Store, now time.Time) {
	t.Helper()
	if l, err := s.LeaseJob(t.Context(), "w", now, time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("lease at %v: got %+v, %v; want ErrNotFound", now, l, err)
	}
}

// testJobQueueOrder: priority first, then age; a leased job is not handed
// out again while its lease runs.
func testJobQueueOrder(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	enqueue(t, s, "low-old", store.PriorityLow, t0)
	enqueue(t, s, "normal-new", store.PriorityNormal, t0.Add(2*time.Second))
	enqueue(t, s, "normal-old", store.PriorityNormal, t0.Add(time.Second))
	enqueue(t, s, "High", store.PriorityHigh, t0.Add(3*time.Second))
	err := tx(t, s, func(tx store.Tx) error {
		return tx.EnqueueJob(t.Context(), store.QueuedJob{Scope: transformScope, Name: "HIGH", Created: t0})
	})
	wantErr(t, "enqueue twice (case-insensitive)", err, store.ErrConflict)
	var got []string
	for range 4 {
		l := lease(t, s, "w1", t0)
		if l.Attempts != 1 || l.Owner != "w1" || l.Cancel || !l.Expires.Equal(t0.Add(time.Minute)) {
			t.Fatalf("first lease of %s: %+v", l.Name, l)
		}
		got = append(got, l.Name)
	}
	if fmt.Sprint(got) != "[High normal-old normal-new low-old]" {
		t.Fatalf("lease order %v", got)
	}
	noLease(t, s, t0.Add(59*time.Second))
}

// testJobQueuePriority: SetJobPriority reorders waiting jobs.
func testJobQueuePriority(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	enqueue(t, s, "a", store.PriorityNormal, t0)
	enqueue(t, s, "b", store.PriorityNormal, t0.Add(time.Second))
	mustTx(t, s, func(tx store.Tx) error {
		return tx.SetJobPriority(t.Context(), transformScope, "B", store.PriorityHigh)
	})
	if l := lease(t, s, "w", t0); l.Name != "b" {
		t.Fatalf("after raising b: leased %s", l.Name)
	}
	err := tx(t, s, func(tx store.Tx) error {
		return tx.SetJobPriority(t.Context(), transformScope, "nope", store.PriorityHigh)
	})
	wantErr(t, "priority of an unknown job", err, store.ErrNotFound)
}

// testJobQueueExpiry: a lease that is not renewed expires and the job goes
// to the next worker with a new token; the old holder is fenced off.
func testJobQueueExpiry(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	job := key(store.KindJob, transformScope, "j")
	mustCreate(t, s, newRes(job))
	enqueue(t, s, "j", store.PriorityNormal, t0)
	old := lease(t, s, "dead", t0)
	// Renewal moves the expiry.
	if err := s.RenewLease(ctx, old, t0.Add(30*time.Second), time.Minute); err != nil {
		t.Fatal(err)
	}
	noLease(t, s, t0.Add(89*time.Second))
	cur := lease(t, s, "alive", t0.Add(90*time.Second))
	if cur.Name != "j" || cur.Attempts != 2 || cur.Token <= old.Token || cur.Owner != "alive" {
		t.Fatalf("re-lease: %+v (old %+v)", cur, old)
	}
	// Every write of the old holder is refused.
	if err := s.RenewLease(ctx, old, t0.Add(91*time.Second), time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renew old lease: %v", err)
	}
	if err := s.ReleaseJob(ctx, *old); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("release old lease: %v", err)
	}
	// A fenced transaction of the old holder rolls back its other writes.
	err := tx(t, s, func(tx store.Tx) error {
		r, err := tx.Get(ctx, job)
		if err != nil {
			return err
		}
		r.Doc = []byte(`{"state":"Finished"}`)
		if err := tx.Replace(ctx, r, nil); err != nil {
			return err
		}
		if err := tx.HoldsLease(ctx, *old); err != nil {
			return err
		}
		return tx.FinishJob(ctx, *old)
	})
	wantErr(t, "fenced write of the old holder", err, store.ErrLeaseLost)
	if r, err := s.Get(ctx, job); err != nil || string(r.Doc) != `{}` {
		t.Fatalf("job after fenced write: %s, %v", r.Doc, err)
	}
	// The current holder finishes; the job leaves the queue.
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.HoldsLease(ctx, *cur); err != nil {
			return err
		}
		return tx.FinishJob(ctx, *cur)
	})
	noLease(t, s, t0.Add(time.Hour))
	err = tx(t, s, func(tx store.Tx) error { return tx.HoldsLease(ctx, *cur) })
	wantErr(t, "lease after finish", err, store.ErrLeaseLost)
}

// testJobQueueRelease: a released job is leased again at once and the
// released attempt is not counted.
func testJobQueueRelease(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	enqueue(t, s, "j", store.PriorityNormal, t0)
	l := lease(t, s, "w1", t0)
	if err := s.ReleaseJob(t.Context(), *l); err != nil {
		t.Fatal(err)
	}
	l2 := lease(t, s, "w2", t0)
	if l2.Attempts != 1 || l2.Token <= l.Token {
		t.Fatalf("after release: %+v", l2)
	}
}

// testJobQueueCancel: a waiting job leaves the queue when canceled; a
// leased one stays and its holder sees the cancel on renewal, as does the
// next holder when the first one died.
func testJobQueueCancel(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	enqueue(t, s, "waiting", store.PriorityNormal, t0)
	enqueue(t, s, "running", store.PriorityHigh, t0)
	l := lease(t, s, "w", t0)
	var leased bool
	mustTx(t, s, func(tx store.Tx) (err error) {
		leased, err = tx.CancelQueuedJob(ctx, transformScope, "waiting", t0)
		return err
	})
	if leased {
		t.Fatal("waiting job reported leased")
	}
	mustTx(t, s, func(tx store.Tx) (err error) {
		leased, err = tx.CancelQueuedJob(ctx, transformScope, "running", t0.Add(time.Second))
		return err
	})
	if !leased {
		t.Fatal("running job reported not leased")
	}
	if err := s.RenewLease(ctx, l, t0.Add(time.Second), time.Minute); err != nil || !l.Cancel {
		t.Fatalf("renew after cancel: cancel=%v, %v", l.Cancel, err)
	}
	// The holder dies; the next one learns of the cancel when leasing.
	l2 := lease(t, s, "w2", t0.Add(time.Hour))
	if l2.Name != "running" || !l2.Cancel {
		t.Fatalf("re-lease of a canceled job: %+v", l2)
	}
	noLease(t, s, t0.Add(time.Hour+30*time.Second)) // "waiting" is gone, "running" held by w2
	err := tx(t, s, func(tx store.Tx) error {
		_, err := tx.CancelQueuedJob(ctx, transformScope, "waiting", t0)
		return err
	})
	wantErr(t, "cancel a job no longer queued", err, store.ErrNotFound)
	// w2 dies too; a cancel after its lease expired ends the job at once
	// instead of waiting for a node to lease it.
	mustTx(t, s, func(tx store.Tx) (err error) {
		leased, err = tx.CancelQueuedJob(ctx, transformScope, "running", t0.Add(3*time.Hour))
		return err
	})
	if leased {
		t.Fatal("job of a dead worker reported leased")
	}
	noLease(t, s, t0.Add(4*time.Hour))
}

// testJobQueueDelete: deleting a job, or its transform, removes its queue
// entry, and the holder's lease is lost.
func testJobQueueDelete(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	tr := key(store.KindTransform, acctScope, "T")
	mustCreate(t, s, newRes(tr))
	for _, n := range []string{"a", "b"} {
		mustCreate(t, s, newRes(key(store.KindJob, transformScope, n)))
		enqueue(t, s, n, store.PriorityNormal, t0)
	}
	l := lease(t, s, "w", t0)
	if err := del(t, s, l.Key()); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewLease(ctx, l, t0, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renew the lease of a deleted job: %v", err)
	}
	if err := del(t, s, tr); err != nil {
		t.Fatal(err)
	}
	noLease(t, s, t0.Add(time.Hour))
}

// testJobQueueConcurrent: workers leasing at once (one store each, as
// separate processes would have) never get the same job.
func testJobQueueConcurrent(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	const jobs, workers = 40, 6
	for i := range jobs {
		enqueue(t, s, fmt.Sprintf("j%02d", i), i%3, t0.Add(time.Duration(i)*time.Millisecond))
	}
	var (
		mu    sync.Mutex
		seen  = map[string]string{}
		wg    sync.WaitGroup
		fails []error
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("w%d", w)
			for {
				l, err := s.LeaseJob(t.Context(), owner, t0, time.Hour)
				if errors.Is(err, store.ErrNotFound) {
					return
				}
				mu.Lock()
				if err != nil {
					fails = append(fails, err)
				} else if prev, dup := seen[l.Name]; dup {
					fails = append(fails, fmt.Errorf("%s leased by %s and %s", l.Name, prev, owner))
				} else {
					seen[l.Name] = owner
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(fails) > 0 {
		t.Fatal(errors.Join(fails...))
	}
	if len(seen) != jobs {
		t.Fatalf("leased %d of %d jobs", len(seen), jobs)
	}
}

// testJobQueueResubmit: a job deleted and submitted again under the same
// name is a new queue entry; the old entry's lease, with the same token
// number, does not fence the new one.
func testJobQueueResubmit(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	job := key(store.KindJob, transformScope, "j")
	mustCreate(t, s, newRes(job))
	enqueue(t, s, "j", store.PriorityNormal, t0)
	old := lease(t, s, "w1", t0)
	if err := del(t, s, job); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, newRes(job))
	enqueue(t, s, "j", store.PriorityNormal, t0)
	cur := lease(t, s, "w2", t0)
	if cur.Token != old.Token || cur.Row == old.Row {
		t.Fatalf("setup: old %+v, new %+v", old, cur)
	}
	err := tx(t, s, func(tx store.Tx) error { return tx.HoldsLease(ctx, *old) })
	wantErr(t, "old lease on the resubmitted job", err, store.ErrLeaseLost)
	if err := s.RenewLease(ctx, old, t0, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renew old lease: %v", err)
	}
	err = tx(t, s, func(tx store.Tx) error { return tx.FinishJob(ctx, *old) })
	wantErr(t, "finish with the old lease", err, store.ErrLeaseLost)
	mustTx(t, s, func(tx store.Tx) error { return tx.HoldsLease(ctx, *cur) })
}

// testJobQueueStats: the queue summary counts waiting, leased and
// canceling jobs as of the time asked, and one LeaseJob takes exactly one
// job off the waiting count.
func testJobQueueStats(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	qs, ok := s.(interface {
		JobQueueStats(ctx context.Context, now time.Time) (store.JobQueueStats, error)
	})
	if !ok {
		t.Fatalf("%T has no JobQueueStats", s)
	}
	ctx := t.Context()
	check := func(what string, now time.Time, want store.JobQueueStats) {
		t.Helper()
		got, err := qs.JobQueueStats(ctx, now)
		if err != nil || got != want {
			t.Fatalf("%s: got %+v, %v; want %+v", what, got, err, want)
		}
	}
	check("empty queue", t0, store.JobQueueStats{})
	for i, name := range []string{"a", "b", "c"} {
		enqueue(t, s, name, store.PriorityNormal, t0.Add(time.Duration(i)*time.Second))
	}
	at := t0.Add(10 * time.Second)
	check("three queued", at, store.JobQueueStats{Queued: 3, OldestQueued: t0})
	if l := lease(t, s, "w1", t0); l.Name != "a" {
		t.Fatalf("leased %s, want a", l.Name)
	}
	check("one leased", at, store.JobQueueStats{Queued: 2, Leased: 1, OldestQueued: t0.Add(time.Second)})
	cancel := func(name string) bool {
		var leased bool
		mustTx(t, s, func(tx store.Tx) error {
			var err error
			leased, err = tx.CancelQueuedJob(ctx, transformScope, name, at)
			return err
		})
		return leased
	}
	if !cancel("a") {
		t.Fatal("cancel of the leased job removed it")
	}
	check("leased job canceling", at, store.JobQueueStats{Queued: 2, Canceling: 1, OldestQueued: t0.Add(time.Second)})
	if cancel("b") {
		t.Fatal("cancel of a waiting job kept it")
	}
	check("waiting job canceled", at, store.JobQueueStats{Queued: 1, Canceling: 1, OldestQueued: t0.Add(2 * time.Second)})
	// Leases are judged at the time asked: after the lease of a ran out
	// it stays canceling; a lease of c that ran out counts as queued.
	lease(t, s, "w2", t0)
	check("c leased", at, store.JobQueueStats{Canceling: 1, Leased: 1})
	check("leases run out", t0.Add(time.Hour), store.JobQueueStats{Queued: 1, Canceling: 1, OldestQueued: t0.Add(2 * time.Second)})
}
