package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// testConcurrentPaging pages through listings while another goroutine
// keeps inserting and deleting items that sort between the stable ones.
// Every stable item must be returned exactly once, no item twice, and the
// listing must stay in order.
func testConcurrentPaging(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	const stable = 60
	stableAt := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	mustTx(t, s, func(tx store.Tx) error {
		for i := range stable {
			r := newRes(asset(fmt.Sprintf("item-%03d", i*10)))
			r.Created = stableAt(i)
			if err := tx.Create(t.Context(), r, nil); err != nil {
				return err
			}
		}
		return nil
	})
	orders := []struct {
		name string
		f    *store.Field
		desc bool
	}{
		{"name asc", nil, false},
		{"name desc", &fName, true},
		{"created asc", &fCreated, false},
		{"created desc", &fCreated, true},
	}
	for oi, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			// The churner commits one transaction per page the pager
			// reads, so every page boundary sees inserts and deletes.
			turn := make(chan struct{})
			var wg sync.WaitGroup
			var churnErr error
			churned := 0
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each churn item gets a fresh name (so it may legitimately
				// appear once) that sorts between two stable items, by
				// name and by creation time.
				var live []store.Key
				for n := 0; ; n++ {
					select {
					case <-ctx.Done():
						return
					case <-turn:
					}
					for j := range 3 {
						pos := (n*7 + j*23) % stable
						k := asset(fmt.Sprintf("item-%03d-o%d-%d-%d", pos*10, oi, n, j))
						r := newRes(k)
						r.Created = stableAt(pos).Add(500 * time.Millisecond)
						err := s.WithTx(ctx, func(tx store.Tx) error {
							if err := tx.Create(ctx, r, nil); err != nil {
								return err
							}
							if len(live) > 3 {
								return tx.Delete(ctx, live[0])
							}
							return nil
						})
						if ctx.Err() != nil {
							return
						}
						if err != nil {
							churnErr = err
							cancel()
							return
						}
						live = append(live, k)
						if len(live) > 4 {
							live = live[1:]
						}
						churned++
					}
				}
			}()
			q := store.ListQuery{Kind: store.KindAsset, Scope: acctScope, OrderBy: o.f, Desc: o.desc, Limit: 4}
			var seen []*store.Resource
			for range 1000 {
				page, err := s.List(t.Context(), q)
				if err != nil {
					cancel()
					wg.Wait()
					t.Fatal(err)
				}
				seen = append(seen, page...)
				if len(page) < q.Limit {
					break
				}
				c := store.CursorOf(page[len(page)-1], q.OrderBy)
				q.After = &c
				select {
				case turn <- struct{}{}:
				case <-ctx.Done():
				}
			}
			cancel()
			wg.Wait()
			if churnErr != nil {
				t.Fatalf("churn: %v", churnErr)
			}
			counts := map[string]int{}
			for i, r := range seen {
				counts[r.Name]++
				if i > 0 {
					c := store.CompareOrder(seen[i-1], r, q.OrderBy)
					if o.desc {
						c = -c
					}
					if c >= 0 {
						t.Fatalf("out of order: %q then %q", seen[i-1].Name, r.Name)
					}
				}
			}
			for name, n := range counts {
				if n > 1 {
					t.Errorf("%q returned %d times", name, n)
				}
			}
			for i := range stable {
				if name := fmt.Sprintf("item-%03d", i*10); counts[name] != 1 {
					t.Errorf("stable item %q returned %d times", name, counts[name])
				}
			}
			t.Logf("%d items seen, %d churn transactions", len(seen), churned)
		})
	}
}

// testConcurrentTx runs read-modify-write transactions on one counter from
// several goroutines; backends must serialise them (retrying where they
// detect conflicts) so that no increment is lost.
func testConcurrentTx(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	counter := newRes(asset("counter"))
	counter.Doc = []byte(`{"n":"0"}`)
	mustCreate(t, s, counter)
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				err := s.WithTx(ctx, func(tx store.Tx) error {
					r, err := tx.Get(ctx, counter.Key())
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(store.DocMember(r.Doc, "n"))
					if err != nil {
						return err
					}
					r.Doc, _ = json.Marshal(map[string]string{"n": strconv.Itoa(n + 1)})
					if err := tx.Replace(ctx, r, nil); err != nil {
						return err
					}
					return tx.Create(ctx, newRes(asset(fmt.Sprintf("w%d-%d", w, i))), nil)
				})
				if err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.Get(ctx, counter.Key())
	if err != nil {
		t.Fatal(err)
	}
	if n := store.DocMember(got.Doc, "n"); n != strconv.Itoa(workers*rounds) || got.Version != workers*rounds+1 {
		t.Fatalf("counter = %s at version %d, want %d at %d", n, got.Version, workers*rounds, workers*rounds+1)
	}
	all, err := s.List(ctx, store.ListQuery{Kind: store.KindAsset, Scope: acctScope})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != workers*rounds+1 {
		t.Fatalf("%d assets, want %d", len(all), workers*rounds+1)
	}
	if !slices.IsSortedFunc(all, func(a, b *store.Resource) int { return store.CompareOrder(a, b, nil) }) {
		t.Fatal("default listing not sorted by name")
	}
}
