package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
)

func testCPIXKeys(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	mustCreate(t, s, newRes(acct))
	put := func(k store.CPIXKey) (*store.CPIXKey, error) {
		var got *store.CPIXKey
		err := tx(t, s, func(tx store.Tx) error {
			var err error
			got, err = tx.PutCPIXKey(ctx, &k)
			return err
		})
		return got, err
	}
	a := store.CPIXKey{Scope: acctScope, ContentID: "c1", KID: "k1", Scheme: "cenc", Label: "SD", Created: t0, Sealed: []byte("sealed-1\x00")}
	got, err := put(a)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentID != "c1" || got.KID != "k1" || got.Label != "SD" || !got.Created.Equal(t0) || !bytes.Equal(got.Sealed, a.Sealed) {
		t.Fatalf("stored %+v", got)
	}
	// The same kid again, even for another content: the first row wins
	// and comes back, so the caller can tell.
	b := a
	b.ContentID, b.Sealed = "c2", []byte("sealed-2")
	got, err = put(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentID != "c1" || !bytes.Equal(got.Sealed, a.Sealed) {
		t.Fatalf("second put of k1 returned %+v", got)
	}
	c := store.CPIXKey{Scope: acctScope, ContentID: "c1", KID: "k2", Scheme: "cbcs", Created: t0, Sealed: []byte("sealed-3")}
	if _, err := put(c); err != nil {
		t.Fatal(err)
	}
	ks, err := s.CPIXKeysByContent(ctx, acctScope, "c1")
	if err != nil || len(ks) != 2 || ks[0].KID != "k1" || ks[1].KID != "k2" {
		t.Fatalf("by content: %+v, %v", ks, err)
	}
	if _, err := s.CPIXKey(ctx, acctScope, "k9"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown kid: %v", err)
	}
	if _, err := s.CPIXKey(ctx, rg2+"/providers/microsoft.media/mediaservices/acct", "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("kid of another account: %v", err)
	}
	// No account, no key.
	orphan := a
	orphan.Scope = rg2 + "/providers/microsoft.media/mediaservices/none"
	if _, err := put(orphan); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("put under a missing account: %v", err)
	}
	if _, err := put(store.CPIXKey{Scope: acctScope, KID: "k3"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("put without a sealed value: %v", err)
	}
	// Re-wrapping sees the keys with their AAD.
	var items []store.SealedItem
	mustTx(t, s, func(tx store.Tx) error {
		var err error
		items, err = tx.SealedItems(ctx, "", "", 0)
		return err
	})
	var found int
	for _, it := range items {
		if it.AAD == store.CPIXKeyAAD(acctScope, "k1") || it.AAD == store.CPIXKeyAAD(acctScope, "k2") {
			found++
			it.Sealed = []byte("rewrapped-" + it.AAD)
			mustTx(t, s, func(tx store.Tx) error { return tx.UpdateSealed(ctx, it) })
		}
	}
	if found != 2 {
		t.Fatalf("sealed items list %d cpix keys, want 2: %+v", found, items)
	}
	if k, err := s.CPIXKey(ctx, acctScope, "k2"); err != nil || string(k.Sealed) != "rewrapped-"+store.CPIXKeyAAD(acctScope, "k2") {
		t.Fatalf("after UpdateSealed: %+v, %v", k, err)
	}
	// Deleting the account deletes its keys.
	mustTx(t, s, func(tx store.Tx) error { return tx.Delete(ctx, acct) })
	if _, err := s.CPIXKey(ctx, acctScope, "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("key survived its account: %v", err)
	}
}
