package teste2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
)

// Step 7 of the SDK scenario: account and asset filters.

func filterProps() *armmediaservices.MediaFilterProperties {
	cond := func(p armmediaservices.FilterTrackPropertyType, op armmediaservices.FilterTrackPropertyCompareOperation, v string) *armmediaservices.FilterTrackPropertyCondition {
		return &armmediaservices.FilterTrackPropertyCondition{Property: to.Ptr(p), Operation: to.Ptr(op), Value: to.Ptr(v)}
	}
	return &armmediaservices.MediaFilterProperties{
		PresentationTimeRange: &armmediaservices.PresentationTimeRange{
			StartTimestamp: to.Ptr[int64](0), EndTimestamp: to.Ptr[int64](170_000_000), Timescale: to.Ptr[int64](10_000_000),
			PresentationWindowDuration: to.Ptr[int64](9_223_372_036_854_775_807), LiveBackoffDuration: to.Ptr[int64](0), ForceEndTimestamp: to.Ptr(false),
		},
		Tracks: []*armmediaservices.FilterTrackSelection{
			{TrackSelections: []*armmediaservices.FilterTrackPropertyCondition{
				cond(armmediaservices.FilterTrackPropertyTypeType, armmediaservices.FilterTrackPropertyCompareOperationEqual, "Video"),
				cond(armmediaservices.FilterTrackPropertyTypeBitrate, armmediaservices.FilterTrackPropertyCompareOperationEqual, "0-2427000"),
			}},
			{TrackSelections: []*armmediaservices.FilterTrackPropertyCondition{
				cond(armmediaservices.FilterTrackPropertyTypeType, armmediaservices.FilterTrackPropertyCompareOperationEqual, "Audio"),
				cond(armmediaservices.FilterTrackPropertyTypeLanguage, armmediaservices.FilterTrackPropertyCompareOperationNotEqual, "en"),
			}},
		},
	}
}

// checkFilter compares a returned filter with filterProps (plus firstQuality
// when fq > 0).
func checkFilter(t *testing.T, what string, got *armmediaservices.MediaFilterProperties, fq int32) {
	t.Helper()
	want := filterProps()
	if fq > 0 {
		want.FirstQuality = &armmediaservices.FirstQuality{Bitrate: to.Ptr(fq)}
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if !jsonEqual(string(gb), string(wb)) {
		t.Errorf("%s:\n got %s\nwant %s", what, gb, wb)
	}
}

func (s *scenario) filters(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)

	t.Run("account", func(t *testing.T) {
		cctx, status := capture(ctx)
		f, err := h.AccountFilters.CreateOrUpdate(cctx, s.rg, s.acct, "hd-video", armmediaservices.AccountFilter{Properties: filterProps()}, nil)
		if err != nil {
			t.Fatalf("create account filter: %v", err)
		}
		if st := status(); st != http.StatusCreated {
			t.Errorf("create account filter status = %d; want 201", st)
		}
		checkFilter(t, "PUT account filter", f.Properties, 0)
		g, err := h.AccountFilters.Get(ctx, s.rg, s.acct, "hd-video", nil)
		if err != nil {
			t.Fatalf("get account filter: %v", err)
		}
		checkFilter(t, "Get account filter", g.Properties, 0)
		if !strings.HasSuffix(deref(g.ID), "/accountFilters/hd-video") {
			t.Errorf("account filter id = %q", deref(g.ID))
		}
		cctx, status = capture(ctx)
		if _, err = h.AccountFilters.CreateOrUpdate(cctx, s.rg, s.acct, "hd-video", armmediaservices.AccountFilter{Properties: filterProps()}, nil); err != nil || status() != http.StatusOK {
			t.Errorf("re-PUT account filter: status %d err %v; want 200", status(), err)
		}
		u, err := h.AccountFilters.Update(ctx, s.rg, s.acct, "hd-video", armmediaservices.AccountFilter{Properties: &armmediaservices.MediaFilterProperties{
			FirstQuality: &armmediaservices.FirstQuality{Bitrate: to.Ptr[int32](128000)},
		}}, nil)
		if err != nil {
			t.Fatalf("PATCH account filter: %v", err)
		}
		checkFilter(t, "PATCH account filter", u.Properties, 128000)
		var names []string
		pager := h.AccountFilters.NewListPager(s.rg, s.acct, nil)
		for pager.More() {
			page, perr := pager.NextPage(ctx)
			if perr != nil {
				t.Fatalf("list account filters: %v", perr)
			}
			for _, f := range page.Value {
				names = append(names, deref(f.Name))
				checkFilter(t, "listed account filter", f.Properties, 128000)
			}
		}
		if !slices.Equal(names, []string{"hd-video"}) {
			t.Errorf("account filters = %v", names)
		}
		if _, err = h.AccountFilters.Delete(ctx, s.rg, s.acct, "hd-video", nil); err != nil {
			t.Fatalf("delete account filter: %v", err)
		}
		_, err = h.AccountFilters.Get(ctx, s.rg, s.acct, "hd-video", nil)
		wantResponseError(t, "get deleted account filter", err, http.StatusNotFound, "ResourceNotFound")
	})

	t.Run("asset", func(t *testing.T) {
		const asset = "filtered-asset"
		if _, err := h.Assets.CreateOrUpdate(ctx, s.rg, s.acct, asset, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil); err != nil {
			t.Fatalf("create asset: %v", err)
		}
		cctx, status := capture(ctx)
		f, err := h.AssetFilters.CreateOrUpdate(cctx, s.rg, s.acct, asset, "first-17s", armmediaservices.AssetFilter{Properties: filterProps()}, nil)
		if err != nil {
			t.Fatalf("create asset filter: %v", err)
		}
		if st := status(); st != http.StatusCreated {
			t.Errorf("create asset filter status = %d; want 201", st)
		}
		checkFilter(t, "PUT asset filter", f.Properties, 0)
		if !strings.HasSuffix(deref(f.ID), "/assets/"+asset+"/assetFilters/first-17s") {
			t.Errorf("asset filter id = %q", deref(f.ID))
		}
		u, err := h.AssetFilters.Update(ctx, s.rg, s.acct, asset, "first-17s", armmediaservices.AssetFilter{Properties: &armmediaservices.MediaFilterProperties{
			FirstQuality: &armmediaservices.FirstQuality{Bitrate: to.Ptr[int32](400000)},
		}}, nil)
		if err != nil {
			t.Fatalf("PATCH asset filter: %v", err)
		}
		checkFilter(t, "PATCH asset filter", u.Properties, 400000)
		g, err := h.AssetFilters.Get(ctx, s.rg, s.acct, asset, "first-17s", nil)
		if err != nil {
			t.Fatalf("get asset filter: %v", err)
		}
		checkFilter(t, "Get asset filter", g.Properties, 400000)
		var names []string
		pager := h.AssetFilters.NewListPager(s.rg, s.acct, asset, nil)
		for pager.More() {
			page, perr := pager.NextPage(ctx)
			if perr != nil {
				t.Fatalf("list asset filters: %v", perr)
			}
			for _, f := range page.Value {
				names = append(names, deref(f.Name))
			}
		}
		if !slices.Equal(names, []string{"first-17s"}) {
			t.Errorf("asset filters = %v", names)
		}
		_, err = h.AssetFilters.Get(ctx, s.rg, s.acct, "no-such-asset", "first-17s", nil)
		wantResponseError(t, "asset filter of a missing asset", err, http.StatusNotFound, "ResourceNotFound")
		if _, err = h.AssetFilters.Delete(ctx, s.rg, s.acct, asset, "first-17s", nil); err != nil {
			t.Fatalf("delete asset filter: %v", err)
		}
		_, err = h.AssetFilters.Get(ctx, s.rg, s.acct, asset, "first-17s", nil)
		wantResponseError(t, "get deleted asset filter", err, http.StatusNotFound, "ResourceNotFound")
	})
}
