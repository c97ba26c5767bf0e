package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
)

// tree creates:
//
//	account Acct (rg1)                 account Acct2 (rg1, name extends Acct)
//	  asset a1 <- locator l1 (refs a1)   asset b1 <- locator l2 (refs b1, a2)
//	    assetFilter f1 (under a1)
//	  asset a2
//	account a_c (rg1)                  account abc (rg1; matches a_c as LIKE)
//	  asset x                            asset y
//
// with content keys on l1 and l2.
type tree struct {
	acct, acct2, a1, a2, f1, l1, b1, l2, ac, abc, x, y store.Key
}

func newTree(t *testing.T, s store.Store) tree {
	t.Helper()
	var tr tree
	tr.acct = acct
	tr.acct2 = key(store.KindAccount, rg1, "Acct2")
	tr.ac = key(store.KindAccount, rg1, "a_c")
	tr.abc = key(store.KindAccount, rg1, "abc")
	tr.a1 = key(store.KindAsset, tr.acct.Path(), "A1")
	tr.a2 = key(store.KindAsset, tr.acct.Path(), "a2")
	tr.f1 = key(store.KindAssetFilter, tr.a1.Path(), "f1")
	tr.l1 = key(store.KindStreamingLocator, tr.acct.Path(), "L1")
	tr.b1 = key(store.KindAsset, tr.acct2.Path(), "b1")
	tr.l2 = key(store.KindStreamingLocator, tr.acct2.Path(), "l2")
	tr.x = key(store.KindAsset, tr.ac.Path(), "x")
	tr.y = key(store.KindAsset, tr.abc.Path(), "y")
	for _, k := range []store.Key{tr.acct, tr.acct2, tr.ac, tr.abc, tr.a1, tr.a2, tr.f1, tr.b1, tr.x, tr.y} {
		mustCreate(t, s, newRes(k))
	}
	mustCreate(t, s, newRes(tr.l1), tr.a1)
	mustCreate(t, s, newRes(tr.l2), tr.b1, tr.a2)
	mustTx(t, s, func(tx store.Tx) error {
		for _, l := range []store.Key{tr.l1, tr.l2} {
			if err := tx.PutContentKeys(t.Context(), []store.ContentKey{
				{Scope: l.Scope, LocatorName: l.Name, KID: "kid-" + l.Name, Type: "EnvelopeEncryption", Sealed: []byte("s")},
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return tr
}

func (tr tree) all() []store.Key {
	return []store.Key{tr.acct, tr.acct2, tr.a1, tr.a2, tr.f1, tr.l1, tr.b1, tr.l2, tr.ac, tr.abc, tr.x, tr.y}
}

func testDelete(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		// steps are deleted in order; all but the last must succeed.
		steps    []func(tr tree) store.Key
		err      error
		referrer func(tr tree) store.Key // named in the ErrReferenced message
		gone     func(tr tree) []store.Key
	}{
		{
			name:  "missing",
			steps: []func(tree) store.Key{func(tr tree) store.Key { return asset("nope") }},
			err:   store.ErrNotFound,
		},
		{
			name:  "leaf",
			steps: []func(tree) store.Key{func(tr tree) store.Key { return tr.f1 }},
			gone:  func(tr tree) []store.Key { return []store.Key{tr.f1} },
		},
		{
			name:  "name in other case",
			steps: []func(tree) store.Key{func(tr tree) store.Key { return key(store.KindAssetFilter, tr.a1.Path(), "F1") }},
			gone:  func(tr tree) []store.Key { return []store.Key{tr.f1} },
		},
		{
			name:     "referenced",
			steps:    []func(tree) store.Key{func(tr tree) store.Key { return tr.a1 }},
			err:      store.ErrReferenced,
			referrer: func(tr tree) store.Key { return tr.l1 },
		},
		{
			name:     "descendant referenced from outside",
			steps:    []func(tree) store.Key{func(tr tree) store.Key { return tr.acct }},
			err:      store.ErrReferenced,
			referrer: func(tr tree) store.Key { return tr.l2 },
		},
		{
			name: "subtree with inner refs",
			steps: []func(tree) store.Key{
				func(tr tree) store.Key { return tr.l2 },
				func(tr tree) store.Key { return tr.acct },
			},
			gone: func(tr tree) []store.Key { return []store.Key{tr.l2, tr.acct, tr.a1, tr.a2, tr.f1, tr.l1} },
		},
		{
			name:  "referrer then target",
			steps: []func(tree) store.Key{func(tr tree) store.Key { return tr.l1 }, func(tr tree) store.Key { return tr.a1 }},
			gone:  func(tr tree) []store.Key { return []store.Key{tr.l1, tr.a1, tr.f1} },
		},
		{
			name:  "LIKE wildcards in name",
			steps: []func(tree) store.Key{func(tr tree) store.Key { return tr.ac }},
			gone:  func(tr tree) []store.Key { return []store.Key{tr.ac, tr.x} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			tr := newTree(t, s)
			var err error
			for i, step := range tt.steps {
				err = del(t, s, step(tr))
				if i < len(tt.steps)-1 && err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			wantErr(t, "delete", err, tt.err)
			if tt.referrer != nil && !strings.Contains(strings.ToLower(err.Error()), store.NameKey(tt.referrer(tr).Name)) {
				t.Errorf("error %q does not name referrer %v", err, tt.referrer(tr))
			}
			var gone []store.Key
			if tt.gone != nil {
				gone = tt.gone(tr)
			}
			for _, k := range tr.all() {
				if want := !slices.Contains(gone, k); exists(t, s, k) != want {
					t.Errorf("%v exists = %v, want %v", k, !want, want)
				}
			}
			// Content keys go with their locator; refs with their source.
			for _, l := range []store.Key{tr.l1, tr.l2} {
				keys, err := s.ContentKeys(t.Context(), l.Scope, l.Name)
				if err != nil {
					t.Fatal(err)
				}
				if want := !slices.Contains(gone, l); (len(keys) == 1) != want {
					t.Errorf("content keys of %s: %d, locator kept %v", l.Name, len(keys), want)
				}
				if byKID, _ := s.ContentKeysByKID(t.Context(), "kid-"+l.Name); len(byKID) != len(keys) {
					t.Errorf("content keys by kid of %s: %d, want %d", l.Name, len(byKID), len(keys))
				}
			}
			for _, k := range gone {
				if refs, err := s.Referrers(t.Context(), k, 0); err != nil || len(refs) != 0 {
					t.Errorf("referrers of deleted %v: %v, %v", k, refs, err)
				}
			}
		})
	}

	t.Run("recreated target is not referenced", func(t *testing.T) {
		s := open(t)
		tr := newTree(t, s)
		for _, k := range []store.Key{tr.l1, tr.a1} {
			if err := del(t, s, k); err != nil {
				t.Fatal(err)
			}
		}
		mustCreate(t, s, newRes(tr.a1))
		mustCreate(t, s, newRes(tr.l1)) // a locator without refs this time
		wantErr(t, "delete recreated", del(t, s, tr.a1), nil)
	})
}

func testReferrers(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	tr := newTree(t, s)
	// A second referrer of a2 and a duplicate ref to a descendant.
	l3 := key(store.KindStreamingLocator, tr.acct.Path(), "L3")
	mustCreate(t, s, newRes(l3), tr.a2, tr.f1, tr.a2)
	tests := []struct {
		name  string
		k     store.Key
		limit int
		want  []store.Key
	}{
		{"none", tr.y, 0, nil},
		{"descendant only", tr.f1, 0, []store.Key{l3}},
		{"direct and descendant", tr.a1, 10, []store.Key{tr.l1, l3}},
		{"across scopes", tr.a2, 0, []store.Key{l3, tr.l2}},
		{"limit", tr.a2, 1, []store.Key{l3}},
		{"inner refs excluded", tr.acct, 0, []store.Key{tr.l2}},
		{"missing resource", asset("nope"), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Referrers(t.Context(), tt.k, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !sameKeys(got, tt.want) {
				t.Fatalf("Referrers(%v, %d) = %v, want %v", tt.k, tt.limit, got, tt.want)
			}
		})
	}
}

// sameKeys compares keys in order, names case-insensitively.
func sameKeys(a, b []store.Key) bool {
	return slices.EqualFunc(a, b, func(x, y store.Key) bool {
		return x.Kind == y.Kind && x.Scope == y.Scope && store.NameKey(x.Name) == store.NameKey(y.Name)
	})
}
