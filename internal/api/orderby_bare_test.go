package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestOrderByBareDirection: "$orderby=asc", as Microsoft's Node sample
// list-assets-filtered.ts sends it, lists by name ascending (AMS's
// default order) instead of failing; "desc" reverses it, across pages.
func TestOrderByBareDirection(t *testing.T) {
	ts := newTestServer(t)
	names := []string{"b-asset", "d-asset", "a-asset", "e-asset", "c-asset"}
	for _, n := range names {
		ts.mustDo(http.MethodPut, a("/assets/"+n), assetBody, http.StatusOK, http.StatusCreated)
	}
	list := func(orderby string) []string {
		var got []string
		q := av + "&$orderby=" + url.QueryEscape(orderby)
		path := a("/assets")
		for {
			r := ts.do(http.MethodGet, path, q, nil, "")
			if r.Status != http.StatusOK {
				t.Fatalf("$orderby=%s: %d %s", orderby, r.Status, r.Body)
			}
			var page struct {
				Value []struct{ Name string } `json:"value"`
				Next  string                  `json:"@odata.nextLink"`
			}
			if err := json.Unmarshal(r.Body, &page); err != nil {
				t.Fatal(err)
			}
			for _, v := range page.Value {
				got = append(got, v.Name)
			}
			if page.Next == "" {
				return got
			}
			u, err := url.Parse(page.Next)
			if err != nil {
				t.Fatal(err)
			}
			path, q = u.Path, u.RawQuery
		}
	}
	want := slices.Clone(names)
	slices.Sort(want)
	if got := list("asc"); !slices.Equal(got, want) {
		t.Errorf("$orderby=asc: %v, want %v", got, want)
	}
	slices.Reverse(want)
	if got := list("desc"); !slices.Equal(got, want) {
		t.Errorf("$orderby=desc: %v, want %v", got, want)
	}
}
