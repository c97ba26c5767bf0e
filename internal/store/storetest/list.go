package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// Fields the list tests address.
var (
	fName      = store.Field{Col: store.ColName}
	fCreated   = store.Field{Col: store.ColCreated, Type: store.TypeTime}
	fModified  = store.Field{Col: store.ColModified, Type: store.TypeTime}
	fAltID     = store.Field{Col: store.ColDoc, Path: "alternateId"}
	fContainer = store.Field{Col: store.ColDoc, Path: "container"}
	fFlag      = store.Field{Col: store.ColDoc, Path: "flag"}
	fStart     = store.Field{Col: store.ColDoc, Path: "startTime", Type: store.TypeTime}
	fMissing   = store.Field{Col: store.ColDoc, Path: "nothere"}
)

var allOps = []store.Op{store.OpEq, store.OpNe, store.OpGt, store.OpGe, store.OpLt, store.OpLe}

// listData creates 40 assets under acctScope with mixed-case and non-ASCII
// names, tied times and documents whose members are missing, empty, null,
// numbers, booleans or strings of mixed case, plus noise in another scope
// and another kind. It returns the 40 assets.
func listData(t *testing.T, s store.Store) []*store.Resource {
	t.Helper()
	prefixes := []string{"alpha", "Beta", "GAMMA", "delta", "Ärger", "zed"}
	var out []*store.Resource
	mustTx(t, s, func(tx store.Tx) error {
		for i := range 40 {
			doc := map[string]any{"container": fmt.Sprintf("c%02d", i%10)}
			switch i % 8 {
			case 1:
				doc["alternateId"] = ""
			case 2:
				doc["alternateId"] = fmt.Sprintf("ID-%d", i)
			case 3:
				doc["alternateId"] = fmt.Sprintf("id-%d", i)
			case 4:
				doc["alternateId"] = 5
			case 5:
				doc["alternateId"] = "Zebra"
			case 6:
				doc["alternateId"] = "éclair"
			case 7:
				doc["alternateId"] = nil
			}
			if i%2 == 0 {
				doc["flag"] = true
			} else {
				doc["flag"] = "true"
			}
			if i%3 != 0 {
				doc["startTime"] = store.FormatTime(t0.Add(time.Duration(i%4) * 24 * time.Hour))
			}
			b, err := json.Marshal(doc)
			if err != nil {
				return err
			}
			r := &store.Resource{
				Kind: store.KindAsset, Scope: acctScope, Name: fmt.Sprintf("%s%02d", prefixes[i%len(prefixes)], i),
				Created:  t0.Add(time.Duration(i%7) * time.Hour),
				Modified: t0.Add(time.Duration((i*13)%11)*time.Minute + time.Duration(i%3)*100*time.Nanosecond),
				Doc:      b,
			}
			if err := tx.Create(t.Context(), r, nil); err != nil {
				return err
			}
			out = append(out, r)
			// Noise that no query below may return.
			for _, k := range []store.Key{
				key(store.KindAsset, acctScope+"2", r.Name),
				key(store.KindAsset, acctScope+"/assets/x", r.Name),
				key(store.KindTransform, acctScope, r.Name),
			} {
				n := newRes(k)
				n.Doc = b
				if err := tx.Create(t.Context(), n, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out
}

// expect is the reference result of q over data: Cond.Match, then
// CompareOrder in q's direction.
func expect(data []*store.Resource, q store.ListQuery) []string {
	var rs []*store.Resource
	for _, r := range data {
		if q.Filter.Match(r) {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b *store.Resource) int {
		c := store.CompareOrder(a, b, q.OrderBy)
		if q.Desc {
			c = -c
		}
		return c
	})
	return names(rs)
}

func cmp(f store.Field, op store.Op, v string) *store.Cond {
	return &store.Cond{Field: f, Op: op, Value: v}
}

func and(cs ...*store.Cond) *store.Cond { return &store.Cond{And: cs} }
func or(cs ...*store.Cond) *store.Cond  { return &store.Cond{Or: cs} }

func testListFilter(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	data := listData(t, s)
	type tc struct {
		name   string
		filter *store.Cond
		want   []string // nil: use the reference result only
	}
	tests := []tc{
		{"no filter", nil, nil},
		{"name in other case", cmp(fName, store.OpEq, "ALPHA00"), []string{"alpha00"}},
		{"non-ASCII name folded", cmp(fName, store.OpEq, "ärger04"), []string{"Ärger04"}},
		{"empty doc string matches missing, null, number", and(cmp(fAltID, store.OpEq, ""), cmp(fName, store.OpLt, "b")),
			[]string{"alpha00", "alpha12", "alpha24", "alpha36"}},
		{"boolean is not the string true", and(cmp(fFlag, store.OpEq, "true"), cmp(fName, store.OpLt, "c")),
			[]string{"Beta01", "Beta07", "Beta13", "Beta19", "Beta25", "Beta31", "Beta37"}},
		{"bytewise doc comparison", cmp(fAltID, store.OpGe, "Z"),
			nil},
		{"or of ands", or(and(cmp(fName, store.OpGe, "gamma"), cmp(fCreated, store.OpLt, store.FormatTime(t0.Add(2*time.Hour)))),
			and(cmp(fContainer, store.OpEq, "c03"), cmp(fFlag, store.OpNe, "true"))), nil},
		{"and of ors", and(or(cmp(fAltID, store.OpEq, "Zebra"), cmp(fAltID, store.OpEq, "éclair")),
			or(cmp(fModified, store.OpGt, store.FormatTime(t0.Add(5*time.Minute))), cmp(fStart, store.OpEq, ""))), nil},
		{"deep nesting", and(or(and(or(cmp(fName, store.OpLt, "d"), cmp(fName, store.OpGt, "z"))),
			cmp(fMissing, store.OpNe, "")), cmp(fContainer, store.OpLe, "c05")), nil},
		{"single-child and", and(cmp(fName, store.OpEq, "zed05")), []string{"zed05"}},
		{"time equality at 100ns", cmp(fModified, store.OpEq, store.FormatTime(t0.Add(2*time.Minute+100*time.Nanosecond))), nil},
	}
	values := []struct {
		f  store.Field
		vs []string
	}{
		{fName, []string{"beta07", "BETA07", "delta", "zzz", "ä"}},
		{fCreated, []string{store.FormatTime(t0), store.FormatTime(t0.Add(3 * time.Hour))}},
		{fModified, []string{store.FormatTime(t0.Add(5 * time.Minute))}},
		{fAltID, []string{"", "ID-10", "Zebra", "éclair", "5"}},
		{fFlag, []string{"true"}},
		{fStart, []string{store.FormatTime(t0.Add(24 * time.Hour))}},
		{fMissing, []string{"", "a"}},
	}
	for _, v := range values {
		for _, val := range v.vs {
			for _, op := range allOps {
				name := fmt.Sprintf("col%d %s %s %q", v.f.Col, v.f.Path, op, val)
				tests = append(tests, tc{name: name, filter: cmp(v.f, op, val)})
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := store.ListQuery{Kind: store.KindAsset, Scope: acctScope, Filter: tt.filter}
			want := expect(data, q)
			if tt.want != nil && !slices.Equal(want, tt.want) {
				t.Fatalf("reference semantics: %q, test expects %q", want, tt.want)
			}
			got, err := s.List(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names(got), want) {
				t.Fatalf("List = %q\nwant   %q", names(got), want)
			}
		})
	}

	invalid := []struct {
		name string
		q    store.ListQuery
	}{
		{"no kind", store.ListQuery{Scope: acctScope}},
		{"bad doc path", store.ListQuery{Kind: store.KindAsset, Filter: cmp(store.Field{Col: store.ColDoc, Path: "a')--"}, store.OpEq, "x")}},
		{"empty doc path", store.ListQuery{Kind: store.KindAsset, OrderBy: &store.Field{Col: store.ColDoc}}},
		{"unknown op", store.ListQuery{Kind: store.KindAsset, Filter: cmp(fName, "like", "x")}},
		{"unknown column", store.ListQuery{Kind: store.KindAsset, Filter: cmp(store.Field{Col: 99}, store.OpEq, "x")}},
		{"nil child", store.ListQuery{Kind: store.KindAsset, Filter: and(nil)}},
		{"and with or", store.ListQuery{Kind: store.KindAsset, Filter: &store.Cond{And: []*store.Cond{cmp(fName, store.OpEq, "a")}, Or: []*store.Cond{cmp(fName, store.OpEq, "b")}}}},
		{"NUL in value", store.ListQuery{Kind: store.KindAsset, Filter: cmp(fName, store.OpEq, "a\x00")}},
		{"invalid UTF-8 cursor", store.ListQuery{Kind: store.KindAsset, After: &store.Cursor{NameKey: "\xff"}}},
		{"too deep", store.ListQuery{Kind: store.KindAsset, Filter: deep(store.MaxCondDepth + 1)}},
	}
	for _, tt := range invalid {
		t.Run("invalid "+tt.name, func(t *testing.T) {
			_, err := s.List(t.Context(), tt.q)
			wantErr(t, "list", err, store.ErrInvalid)
		})
	}
}

func deep(n int) *store.Cond {
	c := cmp(fName, store.OpEq, "x")
	for range n - 1 {
		c = and(c)
	}
	return c
}

func testListOrder(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	data := listData(t, s)
	orders := []struct {
		name string
		f    *store.Field
	}{
		{"default", nil}, {"name", &fName}, {"created", &fCreated}, {"modified", &fModified},
		{"doc", &fAltID}, {"doc time", &fStart}, {"doc mixed types", &fFlag}, {"doc missing", &fMissing},
	}
	filters := []struct {
		name string
		c    *store.Cond
	}{
		{"all", nil},
		{"filtered", or(cmp(fContainer, store.OpLt, "c04"), cmp(fAltID, store.OpEq, "Zebra"))},
	}
	for _, o := range orders {
		for _, desc := range []bool{false, true} {
			for _, f := range filters {
				name := fmt.Sprintf("%s desc=%v %s", o.name, desc, f.name)
				t.Run(name, func(t *testing.T) {
					q := store.ListQuery{Kind: store.KindAsset, Scope: acctScope, OrderBy: o.f, Desc: desc, Filter: f.c}
					want := expect(data, q)
					got, err := s.List(t.Context(), q)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(names(got), want) {
						t.Fatalf("List = %q\nwant   %q", names(got), want)
					}
					for _, limit := range []int{1, 3, 7} {
						if paged := pageAll(t, s, q, limit); !slices.Equal(paged, want) {
							t.Fatalf("pages of %d = %q\nwant       %q", limit, paged, want)
						}
					}
				})
			}
		}
	}
}

// pageAll lists q page by page, resuming after each page's last item.
func pageAll(t *testing.T, r store.Reader, q store.ListQuery, limit int) []string {
	t.Helper()
	q.Limit = limit
	var out []string
	for range 10000 {
		page, err := r.List(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > limit {
			t.Fatalf("page of %d items, limit %d", len(page), limit)
		}
		out = append(out, names(page)...)
		if len(page) < limit {
			return out
		}
		c := store.CursorOf(page[len(page)-1], q.OrderBy)
		if q.After != nil && *q.After == c {
			t.Fatalf("paging does not advance: page after %+v ends at the cursor again", c)
		}
		q.After = &c
	}
	t.Fatal("paging does not terminate")
	return nil
}

func testScopePrefix(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	for _, k := range []store.Key{
		key(store.KindAccount, sub, "root"), // the scope itself
		key(store.KindAccount, rg1, "same"),
		key(store.KindAccount, rg2, "same"), // same name, other resource group
		key(store.KindAccount, rg1, "x1"),
		key(store.KindAccount, rg2, "Y"),
		key(store.KindAccount, "/subscriptions/s10/resourcegroups/rg1", "z"), // shares the text prefix only
		key(store.KindAccount, "/subscriptions/s1x", "z"),
		key(store.KindAsset, rg1, "asset"),
	} {
		mustCreate(t, s, newRes(k))
	}
	tests := []struct {
		name   string
		q      store.ListQuery
		want   []string
		scopes []string
	}{
		{"prefix", store.ListQuery{Kind: store.KindAccount, Scope: sub, ScopePrefix: true},
			[]string{"root", "same", "same", "x1", "Y"}, []string{sub, rg1, rg2, rg1, rg2}},
		{"prefix desc", store.ListQuery{Kind: store.KindAccount, Scope: sub, ScopePrefix: true, Desc: true},
			[]string{"Y", "x1", "same", "same", "root"}, []string{rg2, rg1, rg2, rg1, sub}},
		{"prefix filtered", store.ListQuery{Kind: store.KindAccount, Scope: sub, ScopePrefix: true, Filter: cmp(fName, store.OpEq, "SAME")},
			[]string{"same", "same"}, []string{rg1, rg2}},
		{"exact scope", store.ListQuery{Kind: store.KindAccount, Scope: sub}, []string{"root"}, []string{sub}},
		{"resource group", store.ListQuery{Kind: store.KindAccount, Scope: rg2, ScopePrefix: true}, []string{"same", "Y"}, []string{rg2, rg2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.List(t.Context(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var scopes []string
			for _, r := range got {
				scopes = append(scopes, r.Scope)
			}
			if !slices.Equal(names(got), tt.want) || !slices.Equal(scopes, tt.scopes) {
				t.Fatalf("List = %q in %q\nwant   %q in %q", names(got), scopes, tt.want, tt.scopes)
			}
			for _, limit := range []int{1, 2} {
				if paged := pageAll(t, s, tt.q, limit); !slices.Equal(paged, tt.want) {
					t.Fatalf("pages of %d = %q, want %q", limit, paged, tt.want)
				}
			}
		})
	}
}
