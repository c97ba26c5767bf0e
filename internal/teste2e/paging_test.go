package teste2e

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
)

// Step 8 of the SDK scenario: paging, $filter, $orderby.

// listedAsset is what the paging checks keep of a listed asset.
type listedAsset struct {
	name    string
	created time.Time
}

// walkAssets runs the SDK pager to the end and returns the assets in list
// order and the number of pages.
func (s *scenario) walkAssets(t *testing.T, ctx context.Context, opts *armmediaservices.AssetsClientListOptions, maxPage int) ([]listedAsset, int) {
	t.Helper()
	var out []listedAsset
	pages := 0
	pager := s.h.Assets.NewListPager(s.rg, s.acct, opts)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list assets (page %d, %+v): %v", pages+1, opts, err)
		}
		pages++
		if maxPage > 0 && len(page.Value) > maxPage {
			t.Errorf("page %d has %d assets; want at most %d", pages, len(page.Value), maxPage)
		}
		for _, a := range page.Value {
			var c time.Time
			if a.Properties != nil && a.Properties.Created != nil {
				c = *a.Properties.Created
			}
			out = append(out, listedAsset{name: deref(a.Name), created: c})
		}
	}
	return out, pages
}

func countNames(items []listedAsset) map[string]int {
	m := map[string]int{}
	for _, it := range items {
		m[it.name]++
	}
	return m
}

// forEachConcurrently runs fn for every name with n workers and returns
// the first error.
func forEachConcurrently(names []string, n int, fn func(string) error) error {
	ch := make(chan string)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range ch {
				if err := fn(name); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%s: %w", name, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, name := range names {
		ch <- name
	}
	close(ch)
	wg.Wait()
	return first
}

// odataTime formats t as an OData date-time literal (7 fractional digits).
func odataTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

func (s *scenario) paging(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 60*time.Second)
	const n = 250
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("page-%03d", i))
	}
	create := func(name string) error {
		_, err := h.Assets.CreateOrUpdate(ctx, s.rg, s.acct, name, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil)
		return err
	}
	if err := forEachConcurrently(names, 8, create); err != nil {
		t.Fatalf("create %d assets: %v", n, err)
	}

	before, _ := s.walkAssets(t, ctx, nil, 0)
	t.Run("top10_once_each", func(t *testing.T) {
		items, pages := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Top: to.Ptr[int32](10)}, 10)
		seen := countNames(items)
		for _, name := range names {
			if seen[name] != 1 {
				t.Errorf("asset %s seen %d times; want once", name, seen[name])
			}
		}
		for name, c := range seen {
			if c != 1 {
				t.Errorf("asset %s seen %d times", name, c)
			}
		}
		if len(items) != len(before) {
			t.Errorf("$top=10 walk saw %d assets; a plain walk saw %d", len(items), len(before))
		}
		if want := (len(before) + 9) / 10; pages < 25 || pages < want {
			t.Errorf("$top=10 walk took %d pages; want at least %d", pages, max(25, want))
		}
	})

	t.Run("top10_under_churn", func(t *testing.T) {
		stop := make(chan struct{})
		done := make(chan error, 1)
		var ops atomic.Int64
		go func() {
			// Insert and delete other assets, spread over the whole name
			// range, until the walk is over; then remove what is left.
			var live []string
			var err error
			for i := 0; err == nil; i++ {
				select {
				case <-stop:
					for _, name := range live {
						if _, e := h.Assets.Delete(ctx, s.rg, s.acct, name, nil); e != nil && err == nil {
							err = e
						}
					}
					done <- err
					return
				default:
				}
				name := fmt.Sprintf("page-%03d-churn-%d", mrand.IntN(n), i)
				if err = create(name); err != nil {
					break
				}
				ops.Add(1)
				live = append(live, name)
				if len(live) > 5 {
					victim := live[mrand.IntN(len(live))]
					live = slices.DeleteFunc(live, func(s string) bool { return s == victim })
					if _, err = h.Assets.Delete(ctx, s.rg, s.acct, victim, nil); err != nil {
						break
					}
					ops.Add(1)
				}
			}
			<-stop
			done <- err
		}()
		var items []listedAsset
		pages := 0
		pager := h.Assets.NewListPager(s.rg, s.acct, &armmediaservices.AssetsClientListOptions{Top: to.Ptr[int32](10)})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				close(stop)
				<-done //nolint:errcheck // the listing failure is what is reported
				t.Fatalf("list assets under churn (page %d): %v", pages+1, err)
			}
			pages++
			for _, a := range page.Value {
				items = append(items, listedAsset{name: deref(a.Name)})
			}
			time.Sleep(5 * time.Millisecond) // let the writer interleave
		}
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("concurrent writer: %v", err)
		}
		t.Logf("walk: %d pages, %d items, %d concurrent writes", pages, len(items), ops.Load())
		if ops.Load() == 0 {
			t.Error("no concurrent write happened during the walk")
		}
		seen := countNames(items)
		for _, it := range before {
			if seen[it.name] != 1 {
				t.Errorf("asset %s existed throughout but was seen %d times", it.name, seen[it.name])
			}
		}
		for name, c := range seen {
			if c > 1 {
				t.Errorf("asset %s seen %d times", name, c)
			}
		}
	})

	// After the churn the set is back to `before`.
	all, _ := s.walkAssets(t, ctx, nil, 0)
	var allNames []string
	for _, it := range all {
		allNames = append(allNames, it.name)
	}
	if len(all) != len(before) {
		t.Fatalf("after churn %d assets; want %d", len(all), len(before))
	}

	t.Run("filter_name_gt", func(t *testing.T) {
		items, _ := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Filter: to.Ptr("name gt 'page-200'")}, 0)
		var got, want []string
		for _, it := range items {
			got = append(got, it.name)
		}
		for _, name := range allNames {
			if strings.ToLower(name) > "page-200" {
				want = append(want, name)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("name gt 'page-200' = %d assets %v…; want %d %v…", len(got), head(got), len(want), head(want))
		}
	})

	t.Run("filter_range_orderby_name_desc", func(t *testing.T) {
		items, _ := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{
			Filter: to.Ptr("name ge 'page-100' and name lt 'page-110'"), Orderby: to.Ptr("name desc"), Top: to.Ptr[int32](3),
		}, 3)
		var got []string
		for _, it := range items {
			got = append(got, it.name)
		}
		var want []string
		for i := 109; i >= 100; i-- {
			want = append(want, fmt.Sprintf("page-%03d", i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("range desc = %v; want %v", got, want)
		}
	})

	t.Run("filter_created_gt", func(t *testing.T) {
		time.Sleep(5 * time.Millisecond)
		cutoff := time.Now()
		time.Sleep(5 * time.Millisecond)
		late := []string{"late-0", "late-1", "late-2"}
		for _, name := range late {
			if err := create(name); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			for _, name := range late {
				_, _ = h.Assets.Delete(context.Background(), s.rg, s.acct, name, nil)
			}
		})
		items, _ := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{
			Filter: to.Ptr("properties/created gt " + odataTime(cutoff)), Orderby: to.Ptr("properties/created"),
		}, 0)
		var got []string
		for _, it := range items {
			got = append(got, it.name)
			if !it.created.After(cutoff) {
				t.Errorf("%s created %v is not after %v", it.name, it.created, cutoff)
			}
		}
		if !slices.Equal(got, late) {
			t.Errorf("properties/created gt cutoff = %v; want %v in creation order", got, late)
		}
		// A cutoff in the middle of the bulk creation splits it exactly.
		mid := all[len(all)/2].created
		items, _ = s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Filter: to.Ptr("properties/created gt " + odataTime(mid))}, 0)
		want := 0
		for _, it := range all {
			if it.created.After(mid) {
				want++
			}
		}
		if len(items) != want+len(late) {
			t.Errorf("properties/created gt %s = %d assets; want %d", odataTime(mid), len(items), want+len(late))
		}
	})

	t.Run("orderby_created_desc", func(t *testing.T) {
		items, pages := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Orderby: to.Ptr("properties/created desc"), Top: to.Ptr[int32](40)}, 40)
		if len(items) != len(all) {
			t.Errorf("created desc listed %d assets in %d pages; want %d", len(items), pages, len(all))
		}
		for i := 1; i < len(items); i++ {
			if items[i].created.After(items[i-1].created) {
				t.Errorf("created desc: %s (%v) after %s (%v)", items[i].name, items[i].created, items[i-1].name, items[i-1].created)
				break
			}
		}
		for name, c := range countNames(items) {
			if c != 1 {
				t.Errorf("created desc: %s seen %d times", name, c)
			}
		}
	})

	t.Run("orderby_name_desc", func(t *testing.T) {
		items, _ := s.walkAssets(t, ctx, &armmediaservices.AssetsClientListOptions{Orderby: to.Ptr("name desc"), Top: to.Ptr[int32](33)}, 33)
		if len(items) != len(all) {
			t.Errorf("name desc listed %d assets; want %d", len(items), len(all))
		}
		for i := 1; i < len(items); i++ {
			if strings.ToLower(items[i].name) >= strings.ToLower(items[i-1].name) {
				t.Errorf("name desc: %s after %s", items[i].name, items[i-1].name)
				break
			}
		}
	})

	t.Run("bad_filter", func(t *testing.T) {
		pager := h.Assets.NewListPager(s.rg, s.acct, &armmediaservices.AssetsClientListOptions{Filter: to.Ptr("properties/description eq 'x'")})
		_, err := pager.NextPage(ctx)
		wantResponseError(t, "$filter on an unsupported property", err, http.StatusBadRequest, "")
	})
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
