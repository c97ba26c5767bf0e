package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
)

func testRollback(t *testing.T, open func(t *testing.T) store.Store) {
	errBoom := errors.New("boom")
	setup := func(t *testing.T) store.Store {
		s := open(t)
		mustCreate(t, s, newRes(asset("keep")))
		mustCreate(t, s, newRes(asset("victim")))
		mustCreate(t, s, newRes(locator("loc")))
		return s
	}
	// work writes through every Tx method, checking that the transaction
	// sees its writes and the store outside does not.
	work := func(t *testing.T, s store.Store, tx store.Tx) {
		ctx := t.Context()
		steps := []struct {
			name string
			fn   func() error
		}{
			{"create", func() error { return tx.Create(ctx, newRes(asset("new")), []store.Ref{asset("keep")}) }},
			{"replace", func() error {
				r := newRes(asset("keep"))
				r.Doc, r.Version = []byte(`{"v":"2"}`), 1
				return tx.Replace(ctx, r, nil)
			}},
			{"delete", func() error { return tx.Delete(ctx, asset("victim")) }},
			{"put keys", func() error { return tx.PutContentKeys(ctx, []store.ContentKey{ck(locator("loc"), "k")}) }},
		}
		for _, st := range steps {
			if err := st.fn(); err != nil {
				t.Errorf("%s: %v", st.name, err)
			}
		}
		if !exists(t, tx, asset("new")) || exists(t, tx, asset("victim")) {
			t.Error("transaction does not see its own writes")
		}
		if exists(t, s, asset("new")) || !exists(t, s, asset("victim")) {
			t.Error("uncommitted writes visible outside the transaction")
		}
	}
	unchanged := func(t *testing.T, s store.Store) {
		t.Helper()
		ctx := t.Context()
		if exists(t, s, asset("new")) || !exists(t, s, asset("victim")) {
			t.Error("rolled-back create or delete persisted")
		}
		if r, err := s.Get(ctx, asset("keep")); err != nil || r.Version != 1 || string(r.Doc) != `{}` {
			t.Errorf("rolled-back replace persisted: %+v, %v", r, err)
		}
		if keys, err := s.ContentKeys(ctx, acctScope, "loc"); err != nil || len(keys) != 0 {
			t.Errorf("rolled-back content keys persisted: %d, %v", len(keys), err)
		}
		if refs, err := s.Referrers(ctx, asset("keep"), 0); err != nil || len(refs) != 0 {
			t.Errorf("rolled-back refs persisted: %v, %v", refs, err)
		}
		// The store stays usable.
		mustCreate(t, s, newRes(asset("later")))
	}
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store) error
		err  error
	}{
		{"fn error", func(t *testing.T, s store.Store) error {
			return s.WithTx(t.Context(), func(tx store.Tx) error {
				work(t, s, tx)
				return errBoom
			})
		}, errBoom},
		{"panic", func(t *testing.T, s store.Store) (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = errBoom
				}
			}()
			return s.WithTx(t.Context(), func(tx store.Tx) error {
				work(t, s, tx)
				panic("boom")
			})
		}, errBoom},
		{"context canceled", func(t *testing.T, s store.Store) error {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			return s.WithTx(ctx, func(tx store.Tx) error {
				work(t, s, tx)
				cancel()
				return nil
			})
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setup(t)
			wantErr(t, "WithTx", tt.run(t, s), tt.err)
			unchanged(t, s)
		})
	}
}
