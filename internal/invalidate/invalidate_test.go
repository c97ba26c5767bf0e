package invalidate_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/invalidate"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlite"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func res(kind store.Kind, name string) *store.Resource {
	now := time.Unix(1_700_000_000, 0).UTC()
	return &store.Resource{Kind: kind, Scope: "/subscriptions/s/resourcegroups/r/providers/microsoft.media/mediaservices/a", Name: name,
		Created: now, Modified: now, Doc: []byte(`{}`)}
}

// TestWatchedKinds: committed writes of cached kinds publish once per
// transaction; other kinds and rolled-back transactions publish nothing.
func TestWatchedKinds(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bus := invalidate.NewLocal()
	var n atomic.Int64
	bus.Subscribe(func() { n.Add(1) })
	ws := invalidate.WrapStore(st, bus)
	write := func(r *store.Resource, fail bool) {
		t.Helper()
		err := ws.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.Create(ctx, r, nil); err != nil {
				return err
			}
			if fail {
				return errors.New("roll back")
			}
			return nil
		})
		if (err != nil) != fail {
			t.Fatalf("create %s: %v", r.Name, err)
		}
	}
	write(res(store.KindJob, "job1"), false)
	if n.Load() != 0 {
		t.Fatalf("a job write published")
	}
	write(res(store.KindStreamingLocator, "loc1"), true)
	if n.Load() != 0 {
		t.Fatalf("a rolled-back locator write published")
	}
	write(res(store.KindStreamingLocator, "loc2"), false)
	if n.Load() != 1 {
		t.Fatalf("locator create: %d publications, want 1", n.Load())
	}
	if err := ws.WithTx(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, store.Key{Kind: store.KindStreamingLocator, Scope: res(store.KindStreamingLocator, "").Scope, Name: "loc2"})
	}); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Fatalf("locator delete: %d publications, want 2", n.Load())
	}
}

// TestPostgresBus: a publication on one bus reaches the subscribers of
// another bus on the same database (another node).
func TestPostgresBus(t *testing.T) {
	dsn := pgtest.Start(t)
	ctx := context.Background()
	a, b := invalidate.NewPostgres(dsn, nil), invalidate.NewPostgres(dsn, nil)
	for _, p := range []*invalidate.Postgres{a, b} {
		if err := p.Initialize(ctx); err != nil {
			t.Fatal(err)
		}
		defer p.Close()
	}
	gotA, gotB := make(chan struct{}, 4), make(chan struct{}, 4)
	a.Subscribe(func() { gotA <- struct{}{} })
	b.Subscribe(func() { gotB <- struct{}{} })
	a.Publish(ctx)
	select {
	case <-gotA: // at once, locally
	default:
		t.Fatal("the publisher's own subscribers did not run before Publish returned")
	}
	select {
	case <-gotB: // through PostgreSQL
	case <-time.After(30 * time.Second): // a generous bound, not a timing claim
		t.Fatal("the other node never heard the change")
	}
	// A publish-only bus (an offline admin command) reaches the nodes too.
	cmd := invalidate.NewPostgres(dsn, nil)
	defer cmd.Close()
	cmd.Publish(ctx)
	select {
	case <-gotB:
	case <-time.After(30 * time.Second):
		t.Fatal("the node never heard the command's change")
	}
}
