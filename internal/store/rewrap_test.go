package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/keys/keystest"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlite"
)

const (
	testScope   = "/subscriptions/s/resourcegroups/rg/providers/microsoft.media/mediaservices/acct"
	testLocator = "Locator-One" // mixed case: AADs use the case-folded name
)

// faultStore wraps a real store to count transactions, fail the n-th
// UpdateSealed, and simulate a serialization retry of one transaction.
type faultStore struct {
	store.Store
	txs        int // WithTx calls
	updates    int // UpdateSealed calls, including rolled-back ones
	failUpdate int // fail the UpdateSealed call with this number (1-based); 0 never
	retryOnce  bool
}

type faultTx struct {
	store.Tx
	s *faultStore
}

var errInjected = errors.New("injected update failure")

func (s *faultStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	s.txs++
	if s.retryOnce {
		// Run fn fully, then roll its writes back, as a backend does
		// before retrying after a serialization failure.
		s.retryOnce = false
		errRetry := errors.New("simulated serialization failure")
		err := s.Store.WithTx(ctx, func(tx store.Tx) error {
			if err := fn(&faultTx{Tx: tx, s: s}); err != nil {
				return err
			}
			return errRetry
		})
		if !errors.Is(err, errRetry) {
			return err
		}
	}
	return s.Store.WithTx(ctx, func(tx store.Tx) error { return fn(&faultTx{Tx: tx, s: s}) })
}

func (tx *faultTx) UpdateSealed(ctx context.Context, it store.SealedItem) error {
	tx.s.updates++
	if tx.s.updates == tx.s.failUpdate {
		return errInjected
	}
	return tx.Tx.UpdateSealed(ctx, it)
}

// plainSealer hides Keyring.SealedByPrimary, so Rewrap sees only a Sealer.
type plainSealer struct{ store.Sealer }

// fixture is a SQLite store holding nKeys content keys of one locator and
// nSecrets resource secrets, all sealed by ring under the AADs the store
// reports, plus a resource without a secret.
type fixture struct {
	st    *faultStore
	plain map[string]string // plaintext by AAD
}

func newFixture(t *testing.T, ring *keys.Keyring, nKeys, nSecrets int) *fixture {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{st: &faultStore{Store: db}, plain: make(map[string]string)}
	seal := func(pt, aad string) []byte {
		b, err := ring.Seal([]byte(pt), []byte(aad))
		if err != nil {
			t.Fatal(err)
		}
		f.plain[aad] = pt
		return b
	}
	now := time.Now()
	err = db.WithTx(ctx, func(tx store.Tx) error {
		for _, r := range []*store.Resource{
			{Kind: store.KindStreamingLocator, Scope: testScope, Name: testLocator},
			{Kind: store.KindAsset, Scope: testScope, Name: "no-secret"},
		} {
			r.Created, r.Modified = now, now
			if err := tx.Create(ctx, r, nil); err != nil {
				return err
			}
		}
		for i := range nSecrets {
			name := fmt.Sprintf("Policy-%02d", i)
			r := &store.Resource{Kind: store.KindContentKeyPolicy, Scope: testScope, Name: name, Created: now, Modified: now}
			r.Secret = seal(fmt.Sprintf("policy-secret-%d", i), store.ResourceAAD(r.Kind, r.Scope, r.Name))
			if err := tx.Create(ctx, r, nil); err != nil {
				return err
			}
		}
		var cks []store.ContentKey
		for i := range nKeys {
			kid, err := keys.NewKID(nil)
			if err != nil {
				return err
			}
			key, err := keys.NewKey(nil)
			if err != nil {
				return err
			}
			ck := store.ContentKey{Scope: testScope, LocatorName: testLocator, LocatorID: "l1", KID: kid.String(), Type: "CommonEncryptionCenc", Label: fmt.Sprint(i)}
			ck.Sealed = seal(key.Base64(), store.ContentKeyAAD(testScope, testLocator, ck.KID))
			cks = append(cks, ck)
		}
		return tx.PutContentKeys(ctx, cks)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// items returns every sealed item in the store.
func (f *fixture) items(t *testing.T) []store.SealedItem {
	t.Helper()
	var items []store.SealedItem
	err := f.st.Store.WithTx(t.Context(), func(tx store.Tx) (err error) {
		items, err = tx.SealedItems(t.Context(), "", "", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// countPrimary counts the items sealed under ring's primary KEK.
func (f *fixture) countPrimary(t *testing.T, ring *keys.Keyring) int {
	n := 0
	for _, it := range f.items(t) {
		if ring.SealedByPrimary(it.Sealed) {
			n++
		}
	}
	return n
}

// checkAll asserts, through the store's ordinary read API, that every
// secret opens with only under the AAD the application computes, to its
// original plaintext, and is sealed under only's primary KEK.
func (f *fixture) checkAll(t *testing.T, only *keys.Keyring) {
	t.Helper()
	ctx := t.Context()
	check := func(sealed []byte, aad string) {
		t.Helper()
		pt, err := only.Open(sealed, []byte(aad))
		if err != nil {
			t.Fatalf("%s: %v", aad, err)
		}
		if want, ok := f.plain[aad]; !ok || string(pt) != want {
			t.Fatalf("%s opens to the wrong plaintext", aad)
		}
		if !only.SealedByPrimary(sealed) {
			t.Fatalf("%s is not sealed under %s", aad, only.PrimaryID())
		}
	}
	n := 0
	cks, err := f.st.ContentKeys(ctx, testScope, testLocator)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range cks {
		check(ck.Sealed, store.ContentKeyAAD(ck.Scope, ck.LocatorName, ck.KID))
		n++
	}
	rs, err := f.st.List(ctx, store.ListQuery{Kind: store.KindContentKeyPolicy, Scope: testScope, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		check(r.Secret, store.ResourceAAD(r.Kind, r.Scope, r.Name))
		n++
	}
	if n != len(f.plain) {
		t.Fatalf("checked %d secrets, want %d", n, len(f.plain))
	}
}

func TestRewrap(t *testing.T) {
	oldKEK, newKEK := mustKEK(t, kekHex(0x0a)), mustKEK(t, kekHex(0x0b))
	oldRing := mustKeyring(t, oldKEK)
	newOnly := mustKeyring(t, newKEK)
	rotated := mustKeyring(t, newKEK, oldKEK) // the running server's keyring

	// 16 content keys and 9 resource secrets: 25 blobs in two tables.
	tests := []struct {
		name     string
		from, to store.Sealer
		batch    int
		retry    bool
		wantTxs  int
	}{
		{name: "old to new", from: oldRing, to: newOnly, batch: 7, wantTxs: 5},
		{name: "rotated keyring both ways", from: rotated, to: rotated, batch: 7, wantTxs: 5},
		{name: "plain sealers", from: plainSealer{oldRing}, to: plainSealer{newOnly}, batch: 25, wantTxs: 2},
		{name: "batch ends at table boundary", from: oldRing, to: newOnly, batch: 16, wantTxs: 3},
		{name: "batch larger than store", from: oldRing, to: newOnly, batch: 1000, wantTxs: 2},
		{name: "batch of one", from: oldRing, to: newOnly, batch: 1, wantTxs: 26},
		{name: "default batch", from: oldRing, to: newOnly, batch: 0, wantTxs: 2},
		{name: "transaction retried", from: oldRing, to: newOnly, batch: 10, retry: true, wantTxs: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, oldRing, 16, 9)
			f.st.retryOnce = tt.retry
			n, err := store.Rewrap(t.Context(), f.st, tt.from, tt.to, tt.batch)
			if err != nil || n != 25 {
				t.Fatalf("Rewrap = %d, %v; want 25, nil", n, err)
			}
			if f.st.txs != tt.wantTxs {
				t.Errorf("ran %d transactions, want %d", f.st.txs, tt.wantTxs)
			}
			f.checkAll(t, newOnly)
			it := f.items(t)[0]
			if _, err := oldRing.Open(it.Sealed, []byte(it.AAD)); !errors.Is(err, keys.ErrUnknownKEK) {
				t.Errorf("old keyring still opens a rewrapped blob: %v", err)
			}
		})
	}
}

func TestRewrapRestart(t *testing.T) {
	oldKEK, newKEK := mustKEK(t, kekHex(0x0a)), mustKEK(t, kekHex(0x0b))
	oldRing := mustKeyring(t, oldKEK)
	newOnly := mustKeyring(t, newKEK)
	rotated := mustKeyring(t, newKEK, oldKEK)

	tests := []struct {
		name     string
		from, to store.Sealer
		// wantSecond and wantThird are what later runs rewrite: the second
		// skips the 8 blobs the first run committed (17) or re-seals them
		// (25); a third run after completion skips all or re-seals all.
		wantSecond, wantThird int
	}{
		{name: "skip by header", from: oldRing, to: newOnly, wantSecond: 17, wantThird: 0},
		{name: "skip because only to opens", from: plainSealer{oldRing}, to: plainSealer{newOnly}, wantSecond: 17, wantThird: 0},
		{name: "rotated keyring skips by header", from: rotated, to: rotated, wantSecond: 17, wantThird: 0},
		{name: "plain rotated keyring re-seals", from: plainSealer{rotated}, to: plainSealer{rotated}, wantSecond: 25, wantThird: 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, oldRing, 16, 9)
			f.st.failUpdate = 10 // in the third batch of 4
			n, err := store.Rewrap(t.Context(), f.st, tt.from, tt.to, 4)
			if !errors.Is(err, errInjected) {
				t.Fatalf("Rewrap error = %v, want the injected failure", err)
			}
			if !strings.HasPrefix(err.Error(), "store: rewrap: ") {
				t.Errorf("error %q lacks the store: rewrap prefix", err)
			}
			if n != 8 {
				t.Fatalf("first run rewrote %d, want the 8 of two committed batches", n)
			}
			if got := f.countPrimary(t, newOnly); got != 8 {
				t.Fatalf("store holds %d rewrapped blobs, want 8 (the failed batch rolled back)", got)
			}

			f.st.failUpdate = 0
			n, err = store.Rewrap(t.Context(), f.st, tt.from, tt.to, 4)
			if err != nil || n != tt.wantSecond {
				t.Fatalf("second run = %d, %v; want %d, nil", n, err, tt.wantSecond)
			}
			f.checkAll(t, newOnly)

			n, err = store.Rewrap(t.Context(), f.st, tt.from, tt.to, 4)
			if err != nil || n != tt.wantThird {
				t.Fatalf("third run = %d, %v; want %d, nil", n, err, tt.wantThird)
			}
			f.checkAll(t, newOnly)
		})
	}
}

func TestRewrapErrors(t *testing.T) {
	oldRing := mustKeyring(t, mustKEK(t, kekHex(0x0a)))
	newRing := mustKeyring(t, mustKEK(t, kekHex(0x0b)))
	strangerRing := mustKeyring(t, mustKEK(t, kekHex(0x0c)))

	// addKey stores one more content key of the fixture's locator, sealed
	// by ring under aad, and returns its sealed item.
	addKey := func(t *testing.T, f *fixture, ring *keys.Keyring, aad func(kid string) string) store.SealedItem {
		t.Helper()
		kid := must(keys.NewKID(nil)).String()
		sealed := must(ring.Seal([]byte("stranger-plaintext"), []byte(aad(kid))))
		err := f.st.Store.WithTx(t.Context(), func(tx store.Tx) error {
			return tx.PutContentKeys(t.Context(), []store.ContentKey{{
				Scope: testScope, LocatorName: testLocator, LocatorID: "l1", KID: kid, Type: "CommonEncryptionCbcs", Sealed: sealed,
			}})
		})
		if err != nil {
			t.Fatal(err)
		}
		items := f.items(t)
		for _, it := range items {
			if string(it.Sealed) == string(sealed) {
				return it
			}
		}
		t.Fatal("added content key not found")
		return store.SealedItem{}
	}
	rightAAD := func(kid string) string { return store.ContentKeyAAD(testScope, testLocator, kid) }

	t.Run("blob neither can open", func(t *testing.T) {
		f := newFixture(t, oldRing, 10, 3)
		bad := addKey(t, f, strangerRing, rightAAD) // the 11th content key
		n, err := store.Rewrap(t.Context(), f.st, oldRing, newRing, 3)
		if !errors.Is(err, keys.ErrUnknownKEK) {
			t.Fatalf("Rewrap error = %v, want ErrUnknownKEK", err)
		}
		msg := err.Error()
		if !strings.Contains(msg, bad.Table+" "+bad.RowID) || strings.Contains(msg, "stranger-plaintext") {
			t.Errorf("error %q should name %s %s and nothing of its value", msg, bad.Table, bad.RowID)
		}
		if n != 9 || f.countPrimary(t, newRing) != 9 {
			t.Errorf("rewrote %d (%d in store) before the failure, want the 9 of three committed batches", n, f.countPrimary(t, newRing))
		}
		for _, it := range f.items(t) {
			if it.RowID == bad.RowID && it.Table == bad.Table && string(it.Sealed) != string(bad.Sealed) {
				t.Error("the unreadable blob was changed")
			}
		}
	})

	t.Run("blob moved from another row", func(t *testing.T) {
		f := newFixture(t, oldRing, 2, 1)
		addKey(t, f, oldRing, func(string) string { return store.ContentKeyAAD(testScope, "other-locator", "kid") })
		_, err := store.Rewrap(t.Context(), f.st, oldRing, newRing, 10)
		if !errors.Is(err, keys.ErrCorrupt) {
			t.Fatalf("Rewrap error = %v, want ErrCorrupt", err)
		}
		if f.st.txs != 1 || f.countPrimary(t, newRing) != 0 {
			t.Fatal("the failing batch was committed")
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		f := newFixture(t, oldRing, 2, 1)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		n, err := store.Rewrap(ctx, f.st, oldRing, newRing, 2)
		if !errors.Is(err, context.Canceled) || n != 0 || f.st.txs != 0 {
			t.Fatalf("Rewrap = %d, %v after %d transactions; want context.Canceled before any", n, err, f.st.txs)
		}
	})

	t.Run("nil arguments", func(t *testing.T) {
		f := newFixture(t, oldRing, 1, 0)
		if _, err := store.Rewrap(t.Context(), nil, oldRing, newRing, 1); err == nil {
			t.Error("nil store accepted")
		}
		if _, err := store.Rewrap(t.Context(), f.st, nil, newRing, 1); err == nil {
			t.Error("nil from accepted")
		}
		if _, err := store.Rewrap(t.Context(), f.st, oldRing, nil, 1); err == nil {
			t.Error("nil to accepted")
		}
	})
}

var (
	mustKEK     = keystest.KEK
	kekHex      = keystest.Hex
	mustKeyring = keystest.Keyring
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
