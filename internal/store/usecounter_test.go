package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlite"
)

// The adapter is what key delivery hands to the policy evaluator.
var _ policy.UseCounter = store.UseCounter{}

func TestUseCounter(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := store.UseCounter{Store: st, Now: func() time.Time { return now }}
	id := [32]byte{1}
	for want := int64(1); want <= 3; want++ {
		if got, err := c.Use(t.Context(), id, now.Add(time.Minute)); err != nil || got != want {
			t.Fatalf("use: %d, %v; want %d", got, err, want)
		}
	}
	now = now.Add(2 * time.Minute)
	if n, err := c.Sweep(t.Context()); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	if got, err := c.Use(t.Context(), id, now.Add(time.Minute)); err != nil || got != 1 {
		t.Fatalf("use after sweep: %d, %v", got, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Use(ctx, id, now.Add(time.Minute)); !errors.Is(err, context.Canceled) {
		t.Fatalf("use with a cancelled context: %v", err)
	}
}
