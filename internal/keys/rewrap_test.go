package keys_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// fakeStore is the smallest store.Store that Rewrap needs: sealed items in
// (table, rowID) order and transactions that commit or roll back. Other
// methods are not implemented (the embedded nil interfaces panic).
type fakeStore struct {
	store.Store
	mu    sync.Mutex
	items map[[2]string]store.SealedItem // committed state

	txs        int // WithTx calls
	updates    int // UpdateSealed calls, including rolled-back ones
	failUpdate int // fail the UpdateSealed call with this number (1-based); 0 never
	retryOnce  bool
}

type fakeTx struct {
	store.Tx
	s     *fakeStore
	items map[[2]string]store.SealedItem // working copy
}

func newFakeStore() *fakeStore { return &fakeStore{items: make(map[[2]string]store.SealedItem)} }

func (s *fakeStore) put(it store.SealedItem) { s.items[[2]string{it.Table, it.RowID}] = it }

func (s *fakeStore) get(table, rowID string) store.SealedItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.items[[2]string{table, rowID}]
}

func (s *fakeStore) all() []store.SealedItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.SortedFunc(maps.Values(s.items), func(a, b store.SealedItem) int {
		return strings.Compare(a.Table+"\x00"+a.RowID, b.Table+"\x00"+b.RowID)
	})
}

func (s *fakeStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txs++
	if s.retryOnce {
		// Simulate a serialization failure: run fn, discard its writes,
		// then run it again.
		s.retryOnce = false
		_ = fn(&fakeTx{s: s, items: maps.Clone(s.items)})
	}
	tx := &fakeTx{s: s, items: maps.Clone(s.items)}
	if err := fn(tx); err != nil {
		return err
	}
	s.items = tx.items
	return nil
}

func (tx *fakeTx) SealedItems(ctx context.Context, afterTable, afterRowID string, limit int) ([]store.SealedItem, error) {
	var out []store.SealedItem
	for _, k := range slices.SortedFunc(maps.Keys(tx.items), func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	}) {
		if k[0] < afterTable || k[0] == afterTable && k[1] <= afterRowID {
			continue
		}
		if len(out) == limit {
			break
		}
		it := tx.items[k]
		it.Sealed = slices.Clone(it.Sealed)
		out = append(out, it)
	}
	return out, nil
}

func (tx *fakeTx) UpdateSealed(ctx context.Context, it store.SealedItem) error {
	tx.s.updates++
	if tx.s.updates == tx.s.failUpdate {
		return errors.New("injected update failure")
	}
	k := [2]string{it.Table, it.RowID}
	old, ok := tx.items[k]
	if !ok {
		return store.ErrNotFound
	}
	old.Sealed = slices.Clone(it.Sealed)
	tx.items[k] = old
	return nil
}

// plainSealer hides Keyring.SealedByPrimary, so Rewrap sees only a Sealer.
type plainSealer struct{ keys.Sealer }

// rewrapFixture seeds n items (across two tables) sealed by ring and
// returns the store and the plaintext of each item by table/rowID.
func rewrapFixture(t *testing.T, ring *keys.Keyring, n int) (*fakeStore, map[string]string) {
	t.Helper()
	s := newFakeStore()
	plain := make(map[string]string)
	for i := range n {
		table := "content_keys"
		if i%3 == 0 {
			table = "resources"
		}
		rowID := fmt.Sprintf("%06d", i)
		aad := fmt.Sprintf("%s:%s:aad", table, rowID)
		pt := fmt.Sprintf("secret-%d", i)
		sealed, err := ring.Seal([]byte(pt), []byte(aad))
		if err != nil {
			t.Fatal(err)
		}
		s.put(store.SealedItem{Table: table, RowID: rowID, AAD: aad, Sealed: sealed})
		plain[table+"/"+rowID] = pt
	}
	return s, plain
}

// checkAll asserts every item opens with only, under the right AAD, to its
// original plaintext, and is sealed under only's primary KEK.
func checkAll(t *testing.T, s *fakeStore, plain map[string]string, only *keys.Keyring) {
	t.Helper()
	items := s.all()
	if len(items) != len(plain) {
		t.Fatalf("store holds %d items, want %d", len(items), len(plain))
	}
	for _, it := range items {
		pt, err := only.Open(it.Sealed, []byte(it.AAD))
		if err != nil {
			t.Fatalf("%s/%s: %v", it.Table, it.RowID, err)
		}
		if want := plain[it.Table+"/"+it.RowID]; string(pt) != want {
			t.Fatalf("%s/%s opens to %q, want %q", it.Table, it.RowID, pt, want)
		}
		if !only.SealedByPrimary(it.Sealed) {
			t.Fatalf("%s/%s is not sealed under %s", it.Table, it.RowID, only.PrimaryID())
		}
	}
}

func TestRewrap(t *testing.T) {
	oldKEK, newKEK := mustKEK(t, kekHex(0x0a)), mustKEK(t, kekHex(0x0b))
	oldRing := mustKeyring(t, oldKEK)
	newOnly := mustKeyring(t, newKEK)
	rotated := mustKeyring(t, newKEK, oldKEK) // the running server's keyring

	tests := []struct {
		name     string
		from, to keys.Sealer
		batch    int
		retry    bool
		wantTxs  int
	}{
		{name: "old to new", from: oldRing, to: newOnly, batch: 7, wantTxs: 5},
		{name: "rotated keyring both ways", from: rotated, to: rotated, batch: 7, wantTxs: 5},
		{name: "plain sealers", from: plainSealer{oldRing}, to: plainSealer{newOnly}, batch: 25, wantTxs: 2},
		{name: "batch larger than store", from: oldRing, to: newOnly, batch: 1000, wantTxs: 2},
		{name: "batch of one", from: oldRing, to: newOnly, batch: 1, wantTxs: 26},
		{name: "default batch", from: oldRing, to: newOnly, batch: 0, wantTxs: 2},
		{name: "transaction retried", from: oldRing, to: newOnly, batch: 10, retry: true, wantTxs: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, plain := rewrapFixture(t, oldRing, 25)
			s.retryOnce = tt.retry
			n, err := keys.Rewrap(t.Context(), s, tt.from, tt.to, tt.batch)
			if err != nil || n != 25 {
				t.Fatalf("Rewrap = %d, %v; want 25, nil", n, err)
			}
			if s.txs != tt.wantTxs {
				t.Errorf("ran %d transactions, want %d", s.txs, tt.wantTxs)
			}
			checkAll(t, s, plain, newOnly)
			if _, err := oldRing.Open(s.all()[0].Sealed, []byte(s.all()[0].AAD)); !errors.Is(err, keys.ErrUnknownKEK) {
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
		from, to keys.Sealer
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
			s, plain := rewrapFixture(t, oldRing, 25)
			s.failUpdate = 10 // in the third batch of 4
			n, err := keys.Rewrap(t.Context(), s, tt.from, tt.to, 4)
			if err == nil || !strings.Contains(err.Error(), "injected update failure") {
				t.Fatalf("Rewrap error = %v, want the injected failure", err)
			}
			if !strings.HasPrefix(err.Error(), "keys: rewrap: ") {
				t.Errorf("error %q lacks the keys: rewrap prefix", err)
			}
			if n != 8 {
				t.Fatalf("first run rewrote %d, want the 8 of two committed batches", n)
			}
			rewrapped := 0
			for _, it := range s.all() {
				if newOnly.SealedByPrimary(it.Sealed) {
					rewrapped++
				}
			}
			if rewrapped != 8 {
				t.Fatalf("store holds %d rewrapped blobs, want 8 (the failed batch rolled back)", rewrapped)
			}

			s.failUpdate = 0
			n, err = keys.Rewrap(t.Context(), s, tt.from, tt.to, 4)
			if err != nil || n != tt.wantSecond {
				t.Fatalf("second run = %d, %v; want %d, nil", n, err, tt.wantSecond)
			}
			checkAll(t, s, plain, newOnly)

			n, err = keys.Rewrap(t.Context(), s, tt.from, tt.to, 4)
			if err != nil || n != tt.wantThird {
				t.Fatalf("third run = %d, %v; want %d, nil", n, err, tt.wantThird)
			}
			checkAll(t, s, plain, newOnly)
		})
	}
}

func TestRewrapErrors(t *testing.T) {
	oldRing := mustKeyring(t, mustKEK(t, kekHex(0x0a)))
	newRing := mustKeyring(t, mustKEK(t, kekHex(0x0b)))
	strangerRing := mustKeyring(t, mustKEK(t, kekHex(0x0c)))

	t.Run("blob neither can open", func(t *testing.T) {
		s, _ := rewrapFixture(t, oldRing, 10)
		stranger, err := strangerRing.Seal([]byte("stranger-plaintext"), []byte("aad"))
		if err != nil {
			t.Fatal(err)
		}
		s.put(store.SealedItem{Table: "resources", RowID: "000500", AAD: "aad", Sealed: stranger})
		n, err := keys.Rewrap(t.Context(), s, oldRing, newRing, 3)
		if !errors.Is(err, keys.ErrUnknownKEK) {
			t.Fatalf("Rewrap error = %v, want ErrUnknownKEK", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "resources 000500") || strings.Contains(msg, "stranger-plaintext") {
			t.Errorf("error %q should name the row and nothing of its value", msg)
		}
		if n == 0 || n >= 10 {
			t.Errorf("rewrote %d before the failure, want the committed batches", n)
		}
		if got := s.get("resources", "000500"); string(got.Sealed) != string(stranger) {
			t.Error("the unreadable blob was changed")
		}
	})

	t.Run("wrong aad", func(t *testing.T) {
		s, _ := rewrapFixture(t, oldRing, 3)
		it := s.get("content_keys", "000001")
		it.AAD = "moved"
		s.put(it)
		if _, err := keys.Rewrap(t.Context(), s, oldRing, newRing, 10); !errors.Is(err, keys.ErrCorrupt) {
			t.Fatalf("Rewrap error = %v, want ErrCorrupt", err)
		}
		if s.txs != 1 || newRing.SealedByPrimary(s.get("resources", "000000").Sealed) {
			t.Fatal("the failing batch was committed")
		}
	})

	t.Run("empty blobs skipped", func(t *testing.T) {
		s, _ := rewrapFixture(t, oldRing, 3)
		s.put(store.SealedItem{Table: "resources", RowID: "000100", AAD: "x"})
		n, err := keys.Rewrap(t.Context(), s, oldRing, newRing, 2)
		if err != nil || n != 3 {
			t.Fatalf("Rewrap = %d, %v; want 3, nil", n, err)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		s, _ := rewrapFixture(t, oldRing, 3)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		n, err := keys.Rewrap(ctx, s, oldRing, newRing, 2)
		if !errors.Is(err, context.Canceled) || n != 0 || s.txs != 0 {
			t.Fatalf("Rewrap = %d, %v after %d transactions; want context.Canceled before any", n, err, s.txs)
		}
	})

	t.Run("nil arguments", func(t *testing.T) {
		if _, err := keys.Rewrap(t.Context(), nil, oldRing, newRing, 1); err == nil {
			t.Error("nil store accepted")
		}
		if _, err := keys.Rewrap(t.Context(), newFakeStore(), nil, newRing, 1); err == nil {
			t.Error("nil from accepted")
		}
		if _, err := keys.Rewrap(t.Context(), newFakeStore(), oldRing, nil, 1); err == nil {
			t.Error("nil to accepted")
		}
	})
}
