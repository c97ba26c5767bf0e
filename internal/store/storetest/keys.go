package storetest

import (
	"bytes"
	"slices"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
)

func locator(name string) store.Key { return key(store.KindStreamingLocator, acctScope, name) }

func ck(loc store.Key, kid string) store.ContentKey {
	return store.ContentKey{
		Scope: loc.Scope, LocatorName: loc.Name, LocatorID: "id-" + store.NameKey(loc.Name), KID: kid,
		Type: "CommonEncryptionCenc", Label: "label-" + kid, PolicyName: "policy",
		Sealed: []byte("sealed-" + kid + "\x00\xff"),
	}
}

func put(t *testing.T, s store.Store, keys ...store.ContentKey) error {
	t.Helper()
	return tx(t, s, func(tx store.Tx) error { return tx.PutContentKeys(t.Context(), keys) })
}

func testContentKeys(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	l1, l2 := locator("Loc1"), locator("loc2")
	mustCreate(t, s, newRes(l1))
	mustCreate(t, s, newRes(l2))
	k3, k1, k2 := ck(l1, "k3"), ck(l1, "k1"), ck(l1, "k2")
	k1.Tracks = []byte(`[{"trackSelections":[{"property":"FourCC","operation":"Equal","value":"hev1"}]}]`)
	if err := put(t, s, k3, k1); err != nil {
		t.Fatal(err)
	}
	if err := put(t, s, k2); err != nil {
		t.Fatal(err)
	}
	other := ck(l2, "k1")
	if err := put(t, s, other); err != nil {
		t.Fatal(err)
	}
	if err := put(t, s); err != nil {
		t.Fatalf("putting no keys: %v", err)
	}

	tests := []struct {
		name string
		get  func(r store.Reader) ([]store.ContentKey, error)
		want []store.ContentKey
	}{
		{"insertion order", func(r store.Reader) ([]store.ContentKey, error) { return r.ContentKeys(ctx, l1.Scope, l1.Name) }, []store.ContentKey{k3, k1, k2}},
		{"locator name other case", func(r store.Reader) ([]store.ContentKey, error) { return r.ContentKeys(ctx, l1.Scope, "LOC1") }, []store.ContentKey{k3, k1, k2}},
		{"other locator", func(r store.Reader) ([]store.ContentKey, error) { return r.ContentKeys(ctx, l2.Scope, l2.Name) }, []store.ContentKey{other}},
		{"no keys", func(r store.Reader) ([]store.ContentKey, error) { return r.ContentKeys(ctx, l1.Scope, "none") }, nil},
		{"by kid across locators", func(r store.Reader) ([]store.ContentKey, error) { return r.ContentKeysByKID(ctx, "k1") }, []store.ContentKey{k1, other}},
		{"by kid", func(r store.Reader) ([]store.ContentKey, error) { return r.ContentKeysByKID(ctx, "k2") }, []store.ContentKey{k2}},
		{"by unknown kid", func(r store.Reader) ([]store.ContentKey, error) { return r.ContentKeysByKID(ctx, "k9") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(where string, got []store.ContentKey, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				if !slices.EqualFunc(got, tt.want, sameContentKey) {
					t.Fatalf("%s: got %+v\nwant %+v", where, got, tt.want)
				}
			}
			got, err := tt.get(s)
			check("store", got, err)
			mustTx(t, s, func(tx store.Tx) error {
				got, err := tt.get(tx)
				check("tx", got, err)
				return nil
			})
		})
	}

	errTests := []struct {
		name string
		keys []store.ContentKey
		err  error
	}{
		{"duplicate kid", []store.ContentKey{ck(l1, "k1")}, store.ErrConflict},
		{"duplicate kid in one call", []store.ContentKey{ck(l1, "k8"), ck(l1, "k8")}, store.ErrConflict},
		{"missing locator", []store.ContentKey{ck(locator("nope"), "k1")}, store.ErrNotFound},
		{"two locators", []store.ContentKey{ck(l1, "k5"), ck(l2, "k6")}, store.ErrInvalid},
		{"empty kid", []store.ContentKey{ck(l1, "")}, store.ErrInvalid},
		{"empty sealed", []store.ContentKey{{Scope: l1.Scope, LocatorName: l1.Name, KID: "k7"}}, store.ErrInvalid},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "put", put(t, s, tt.keys...), tt.err)
			got, err := s.ContentKeys(ctx, l1.Scope, l1.Name)
			if err != nil || len(got) != 3 {
				t.Fatalf("failed put changed keys: %d keys, %v", len(got), err)
			}
		})
	}
}

func sameContentKey(a, b store.ContentKey) bool {
	return a.Scope == b.Scope && a.LocatorName == b.LocatorName && a.LocatorID == b.LocatorID &&
		a.KID == b.KID && a.Type == b.Type && a.Label == b.Label && a.PolicyName == b.PolicyName &&
		bytes.Equal(a.Tracks, b.Tracks) && (a.Tracks == nil) == (len(b.Tracks) == 0) && bytes.Equal(a.Sealed, b.Sealed)
}

func testSealedItems(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	withSecret := func(k store.Key, secret string) *store.Resource {
		r := newRes(k)
		if secret != "" {
			r.Secret = []byte(secret)
		}
		return r
	}
	p1 := key(store.KindContentKeyPolicy, acctScope, "Policy1")
	mustCreate(t, s, withSecret(p1, "s1"))
	mustCreate(t, s, withSecret(asset("plain"), ""))
	ep := key(store.KindStreamingEndpoint, acctScope, "ep")
	mustCreate(t, s, withSecret(ep, "s2"))
	l := locator("Loc")
	mustCreate(t, s, newRes(l))
	if err := put(t, s, ck(l, "kid-a"), ck(l, "kid-b")); err != nil {
		t.Fatal(err)
	}
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, newUser("Alice", "u-alice", []byte("s3"))); err != nil {
			return err
		}
		return tx.CreateUser(ctx, newUser("bob", "u-bob", nil))
	})
	want := map[string]string{ // AAD -> blob
		store.ResourceAAD(p1.Kind, p1.Scope, p1.Name): "s1",
		store.ResourceAAD(ep.Kind, ep.Scope, ep.Name): "s2",
		store.UserAAD("alice"):                        "s3",
		store.ContentKeyAAD(l.Scope, l.Name, "kid-a"): string(ck(l, "kid-a").Sealed),
		store.ContentKeyAAD(l.Scope, l.Name, "kid-b"): string(ck(l, "kid-b").Sealed),
	}

	// all iterates the way store.Rewrap does: pages, each in a transaction.
	all := func(limit int, update func(tx store.Tx, it store.SealedItem) error) []store.SealedItem {
		t.Helper()
		var items []store.SealedItem
		var table, row string
		for range 100 {
			var page []store.SealedItem
			mustTx(t, s, func(tx store.Tx) error {
				var err error
				if page, err = tx.SealedItems(ctx, table, row, limit); err != nil {
					return err
				}
				for _, it := range page {
					if update != nil {
						if err := update(tx, it); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if len(page) == 0 {
				return items
			}
			if limit > 0 && len(page) > limit {
				t.Fatalf("page of %d, limit %d", len(page), limit)
			}
			items = append(items, page...)
			table, row = page[len(page)-1].Table, page[len(page)-1].RowID
		}
		t.Fatal("sealed item iteration does not terminate")
		return nil
	}
	check := func(t *testing.T, items []store.SealedItem, prefix string) {
		t.Helper()
		if len(items) != len(want) {
			t.Fatalf("%d items, want %d: %+v", len(items), len(want), items)
		}
		for i, it := range items {
			blob, ok := want[it.AAD]
			if !ok || string(it.Sealed) != prefix+blob {
				t.Errorf("item %s/%s: AAD %q blob %q unexpected", it.Table, it.RowID, it.AAD, it.Sealed)
			}
			if i > 0 {
				prev := items[i-1]
				if prev.Table > it.Table || prev.Table == it.Table && prev.RowID >= it.RowID {
					t.Errorf("items out of order: %s/%s then %s/%s", prev.Table, prev.RowID, it.Table, it.RowID)
				}
			}
		}
	}
	for _, limit := range []int{0, 1, 3} {
		check(t, all(limit, nil), "")
	}

	all(2, func(tx store.Tx, it store.SealedItem) error {
		it.Sealed = append([]byte("v2:"), it.Sealed...)
		return tx.UpdateSealed(ctx, it)
	})
	check(t, all(0, nil), "v2:")
	r, err := s.Get(ctx, p1)
	if err != nil || string(r.Secret) != "v2:s1" || r.Version != 2 {
		t.Fatalf("policy after update: %+v, %v", r, err)
	}
	keys, err := s.ContentKeys(ctx, l.Scope, l.Name)
	if err != nil || len(keys) != 2 || !bytes.HasPrefix(keys[0].Sealed, []byte("v2:sealed-kid-a")) {
		t.Fatalf("content keys after update: %+v, %v", keys, err)
	}
	if r, _ := s.Get(ctx, asset("plain")); r == nil || r.Secret != nil {
		t.Fatalf("resource without secret: %+v", r)
	}
	if u, err := s.GetUser(ctx, "ALICE"); err != nil || string(u.Secret) != "v2:s3" || u.Version != 2 {
		t.Fatalf("user after update: %+v, %v", u, err)
	}
	if u, err := s.GetUser(ctx, "bob"); err != nil || u.Secret != nil || u.Version != 1 {
		t.Fatalf("user without secret: %+v, %v", u, err)
	}

	items := all(0, nil)
	errTests := []struct {
		name string
		it   store.SealedItem
		err  error
	}{
		{"unknown row", store.SealedItem{Table: items[0].Table, RowID: "99999999", Sealed: []byte("x")}, store.ErrNotFound},
		{"unknown table", store.SealedItem{Table: "nope", RowID: items[0].RowID, Sealed: []byte("x")}, store.ErrInvalid},
		{"bad row id", store.SealedItem{Table: items[0].Table, RowID: "x", Sealed: []byte("x")}, store.ErrInvalid},
		{"empty blob", store.SealedItem{Table: items[0].Table, RowID: items[0].RowID}, store.ErrInvalid},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			err := tx(t, s, func(tx store.Tx) error { return tx.UpdateSealed(ctx, tt.it) })
			wantErr(t, "update", err, tt.err)
		})
	}
	check(t, all(0, nil), "v2:")
	var after []store.SealedItem
	mustTx(t, s, func(tx store.Tx) error {
		var err error
		last := items[len(items)-1]
		after, err = tx.SealedItems(ctx, last.Table, last.RowID, 10)
		return err
	})
	if len(after) != 0 {
		t.Fatalf("items after the last one: %+v", after)
	}
}
