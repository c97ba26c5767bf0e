package storetest

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

func tokenID(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func use(t *testing.T, s store.Store, id [32]byte, expires, now time.Time) int64 {
	t.Helper()
	n, err := s.UseToken(t.Context(), id, expires, now)
	if err != nil {
		t.Fatalf("use token: %v", err)
	}
	return n
}

func testTokenUses(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	a, b := tokenID("a"), tokenID("b")
	exp := t0.Add(time.Hour)
	for want := int64(1); want <= 3; want++ {
		if got := use(t, s, a, exp, t0); got != want {
			t.Fatalf("use %d of a: got %d", want, got)
		}
	}
	if got := use(t, s, b, exp, t0); got != 1 {
		t.Fatalf("first use of b: %d", got)
	}
	// A later expiry extends the counter; an earlier one does not shorten
	// it.
	if got := use(t, s, a, exp.Add(time.Hour), t0); got != 4 {
		t.Fatalf("use with later expiry: %d", got)
	}
	if got := use(t, s, a, t0.Add(time.Minute), t0.Add(90*time.Minute)); got != 5 {
		t.Fatalf("use with earlier expiry after the first expiry: %d", got)
	}
	// Once expired, a counter starts again.
	if got := use(t, s, a, exp, exp.Add(time.Hour)); got != 1 {
		t.Fatalf("use after expiry: %d", got)
	}

	// Sweeping removes exactly the expired counters.
	for i := range 5 {
		use(t, s, tokenID(fmt.Sprint("old", i)), t0.Add(time.Minute), t0)
	}
	n, err := s.SweepTokenUses(t.Context(), t0.Add(time.Minute), 2)
	if err != nil || n != 2 {
		t.Fatalf("sweep with limit 2: %d, %v", n, err)
	}
	n, err = s.SweepTokenUses(t.Context(), t0.Add(time.Minute), 0)
	if err != nil || n != 3 { // the other three old counters, not a or b
		t.Fatalf("sweep: %d, %v", n, err)
	}
	if got := use(t, s, b, exp, t0); got != 2 {
		t.Fatalf("b after sweep: %d", got)
	}
	n, err = s.SweepTokenUses(t.Context(), t0.Add(10*time.Hour), 0)
	if err != nil || n != 2 {
		t.Fatalf("final sweep: %d, %v", n, err)
	}
	if got := use(t, s, b, exp, t0); got != 1 {
		t.Fatalf("b after its sweep: %d", got)
	}
	// The adapter counts through the same store.
	c := store.UseCounter{Store: s, Now: func() time.Time { return t0 }}
	if got, err := c.Use(t.Context(), b, exp); err != nil || got != 2 {
		t.Fatalf("adapter: %d, %v", got, err)
	}
}

func testConcurrentTokenUses(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	SharedTokenUses(t, s, s, 40)
}

// SharedTokenUses counts n uses of one token concurrently, alternating
// between stores a and b (which may be one store, or two stores opened on
// the same database, standing for two processes), and checks that the
// returned counts are exactly 1..n: no use lost, none counted twice.
func SharedTokenUses(t *testing.T, a, b store.Store, n int) {
	t.Helper()
	var id [32]byte
	if _, err := rand.Read(id[:]); err != nil {
		t.Fatal(err)
	}
	exp, now := t0.Add(time.Hour), t0
	got := make([]int64, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			<-start
			got[i], errs[i] = s.UseToken(t.Context(), id, exp, now)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
	}
	slices.Sort(got)
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("counts %v, want exactly 1..%d", got, n)
		}
	}
	if v, err := b.UseToken(t.Context(), id, exp, now); err != nil || v != int64(n+1) {
		t.Fatalf("use after the race: %d, %v", v, err)
	}
}
