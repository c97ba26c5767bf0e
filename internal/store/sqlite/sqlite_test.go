package sqlite

import (
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name string
		path func(t *testing.T) string
		ok   bool
	}{
		{"file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "a.db") }, true},
		{"special characters", func(t *testing.T) string { return filepath.Join(t.TempDir(), "a?b#c%d e.db") }, true},
		{"memory", func(t *testing.T) string { return ":memory:" }, false},
		{"empty", func(t *testing.T) string { return "" }, false},
		{"missing directory", func(t *testing.T) string { return filepath.Join(t.TempDir(), "no", "a.db") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.Context(), tt.path(t))
			if (err == nil) != tt.ok {
				t.Fatalf("Open: err %v, want ok=%v", err, tt.ok)
			}
			if s != nil {
				if err := s.Ping(t.Context()); err != nil {
					t.Error(err)
				}
				s.Close()
			}
		})
	}
}

// TestReopen checks that migrations are idempotent and data persists, also
// when several stores open the same file at once.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	ctx := t.Context()
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, path)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
	}
	r := &store.Resource{Kind: store.KindAsset, Scope: "/s", Name: "a", Doc: []byte(`{}`)}
	if err := stores[0].WithTx(ctx, func(tx store.Tx) error { return tx.Create(ctx, r, nil) }); err != nil {
		t.Fatal(err)
	}
	for _, s := range stores {
		if _, err := s.Get(ctx, r.Key()); err != nil {
			t.Errorf("get through another store: %v", err)
		}
		s.Close()
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Get(ctx, r.Key()); err != nil {
		t.Fatal(err)
	}
}

// TestNewerSchemaRefused checks that a binary does not run on a schema a
// newer binary migrated.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO schema_migrations (version) VALUES (9999)`); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(t.Context(), path); err == nil || !strings.Contains(err.Error(), "newer") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open on a newer schema: %v", err)
	}
}

// TestSharedTokenUses counts uses of one token from two stores on one
// file, as two processes would.
func TestSharedTokenUses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	a, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	storetest.SharedTokenUses(t, a, b, 40)
}

// TestSharedDeliveries leases event deliveries from two stores on one
// file, as two processes would.
func TestSharedDeliveries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	a, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	storetest.SharedDeliveries(t, a, b, 100)
}
