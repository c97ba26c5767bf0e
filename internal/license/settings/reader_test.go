package settings

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lockstream/lockstream/internal/keys/keystest"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlite"
)

// TestReaderInvalidate: the reader keeps an account's servers for its
// TTL; Invalidate (a change on any node) makes the next read see the
// store, and a read that began before the invalidation is not kept.
func TestReaderInvalidate(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ring := keystest.Keyring(t, keystest.KEK(t, keystest.Hex(7)))
	acct := "/subscriptions/s/resourceGroups/r/providers/Microsoft.Media/mediaServices/a"
	scope, err := Scope(acct)
	if err != nil {
		t.Fatal(err)
	}
	admin := &Admin{Store: st, Sealer: ring}
	put := func(url string) {
		t.Helper()
		p := wv()
		p.URL = url
		if _, err := admin.Put(ctx, acct, "wv", p); err != nil {
			t.Fatal(err)
		}
	}
	find := func(r *Reader) string {
		t.Helper()
		p, err := r.Find(ctx, scope, DRMWidevine)
		if err != nil || p == nil {
			t.Fatalf("find: %v %v", p, err)
		}
		return p.URL
	}
	put("https://one.example/l")
	r := &Reader{Store: st, Sealer: ring, TTL: 1 << 62}
	if got := find(r); got != "https://one.example/l" {
		t.Fatalf("first read: %s", got)
	}
	put("https://two.example/l")
	if got := find(r); got != "https://one.example/l" {
		t.Fatalf("cached read: %s", got)
	}
	r.Invalidate()
	if got := find(r); got != "https://two.example/l" {
		t.Fatalf("after Invalidate: %s", got)
	}

	// A read racing an invalidation: its result is answered, not kept.
	var racing *Reader
	racing = &Reader{Store: invalidatingStore{Store: st, during: func() { racing.Invalidate() }}, Sealer: ring, TTL: 1 << 62}
	find(racing)
	racing.mu.Lock()
	n := len(racing.cache)
	racing.mu.Unlock()
	if n != 0 {
		t.Fatal("a read begun before an invalidation was cached")
	}
}

// invalidatingStore runs during inside List: an invalidation that
// arrives while the reader is reading.
type invalidatingStore struct {
	store.Store
	during func()
}

func (s invalidatingStore) List(ctx context.Context, q store.ListQuery) ([]*store.Resource, error) {
	s.during()
	return s.Store.List(ctx, q)
}
