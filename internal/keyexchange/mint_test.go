package keyexchange_test

import (
	"crypto/rand"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/keyexchange"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/postgres"
	"github.com/lockstream/lockstream/internal/store/sqlite"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

func backends(t *testing.T) map[string]store.Store {
	sq, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	pg, err := postgres.Open(t.Context(), pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	return map[string]store.Store{"sqlite": sq, "postgres": pg}
}

// TestMinterConcurrent: parallel first requests for one (content, kid) or
// one (content, label) all get the same key, on both backends (SQLite
// serialises writers; PostgreSQL runs them SERIALIZABLE and retries).
func TestMinterConcurrent(t *testing.T) {
	for name, st := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Now().UTC()
			acctKey := store.Key{Kind: store.KindAccount, Scope: "/subscriptions/s/resourcegroups/rg", Name: "a"}
			if err := st.WithTx(ctx, func(tx store.Tx) error {
				return tx.Create(ctx, &store.Resource{Kind: acctKey.Kind, Scope: acctKey.Scope, Name: acctKey.Name, ID: "6b1d0c2e-0000-4000-8000-000000000001",
					Created: now, Modified: now, Doc: []byte(`{}`)}, nil)
			}); err != nil {
				t.Fatal(err)
			}
			kek, _ := keys.NewKEK(rand.Reader)
			ring, err := keys.NewKeyring(rand.Reader, kek)
			if err != nil {
				t.Fatal(err)
			}
			m := &keyexchange.Minter{Store: st, Sealer: ring}
			acct := keyexchange.Account{ID: "6b1d0c2e-0000-4000-8000-000000000001", Path: acctKey.Path()}
			kid, _ := keys.NewKID(rand.Reader)

			const n = 8
			var wg sync.WaitGroup
			byKID := make([]keyexchange.Minted, n)
			byLabel := make([]keyexchange.Minted, n)
			errs := make([]error, 2*n)
			for i := range n {
				wg.Add(2)
				go func() {
					defer wg.Done()
					ks, err := m.Keys(ctx, acct, "content", []keyexchange.Request{{KID: kid, Scheme: "cenc"}})
					if err == nil {
						byKID[i] = ks[0]
					}
					errs[i] = err
				}()
				go func() {
					defer wg.Done()
					byLabel[i], errs[n+i] = m.Labelled(ctx, acct, "content", "SD", "cenc")
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if byKID[i].KID != kid || byKID[i].Key != byKID[0].Key {
					t.Fatalf("request %d by kid got another key", i)
				}
				if byLabel[i].KID != byLabel[0].KID || byLabel[i].Key != byLabel[0].Key {
					t.Fatalf("request %d by label got another key", i)
				}
			}
			ks, err := st.CPIXKeysByContent(ctx, acct.Path, "content")
			if err != nil || len(ks) != 2 {
				t.Fatalf("stored %d keys for the content, want 2 (%v)", len(ks), err)
			}
			// Another content may not take the kid.
			if _, err := m.Keys(ctx, acct, "other", []keyexchange.Request{{KID: kid}}); !errors.Is(err, keyexchange.ErrKIDTaken) {
				t.Fatalf("kid of another content: %v", err)
			}
		})
	}
}
