package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
)

// testDocMembers checks that the backend extracts document members exactly
// as store.DocMember does, for documents chosen to trip up JSON functions,
// and refuses the documents store.ValidateDoc refuses.
func testDocMembers(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	docs := []string{
		``,
		`{}`,
		`null`,
		`[]`,
		`"p"`,
		`12`,
		`{"p":"plain"}`,
		`{"p":""}`,
		`{"p":"esc\u00e9\n\t\"q\" \\ \/"}`,
		`{"p":"\u003cb\u003e\u0026"}`,
		`{"p":"\ud83d\ude00 pair"}`,
		`{"p":"raw é 😀 日本"}`,
		`{"p":true}`,
		`{"p":false}`,
		`{"p":12}`,
		`{"p":-1.5e300}`,
		`{"n":1e999999,"p":"huge number elsewhere"}`,
		`{"p":null}`,
		`{"p":{"p":"nested"}}`,
		`{"p":["a"]}`,
		`{"P":"case"}`,
		`{"q":"other","r":{"p":"deeper"}}`,
		` { "p" : "spaced" } `,
		`{"x":"\u0001","p":"control before"}`,
		`{"p":"` + strings.Repeat("long", 2000) + `"}`,
		`{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"p":"deep"}`,
		`{"p":"x","q":{"p":"y","p":"z"}}`,
	}
	f := store.Field{Col: store.ColDoc, Path: "p"}
	for i, doc := range docs {
		name := fmt.Sprintf("doc%02d", i)
		t.Run(name, func(t *testing.T) {
			r := newRes(asset(name))
			r.Doc = []byte(doc)
			mustCreate(t, s, r)
			want := store.DocMember(r.Doc, "p")
			byName := cmp(fName, store.OpEq, name)
			for _, c := range []struct {
				filter *store.Cond
				n      int
			}{
				{and(byName, cmp(f, store.OpEq, want)), 1},
				{and(byName, cmp(f, store.OpNe, want)), 0},
				{and(byName, cmp(f, store.OpGe, want), cmp(f, store.OpLe, want)), 1},
				{and(byName, or(cmp(f, store.OpGt, want), cmp(f, store.OpLt, want))), 0},
			} {
				got, err := s.List(ctx, store.ListQuery{Kind: store.KindAsset, Scope: acctScope, Filter: c.filter})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != c.n {
					t.Fatalf("member p of %.60q: filter %v matched %d, want %d (store.DocMember = %.40q)", doc, c.filter.And[1], len(got), c.n, want)
				}
				if c.n == 1 && string(got[0].Doc) != doc {
					t.Fatalf("doc changed: %.60q", got[0].Doc)
				}
			}
		})
	}

	invalid := []struct{ name, doc string }{
		{"syntax", `{"p":`},
		{"trailing garbage", `{} x`},
		{"NUL escape", `{"p":"a\u0000b"}`},
		{"NUL escape nested", `{"x":["\u0000"]}`},
		{"lone high surrogate", `{"p":"\ud800"}`},
		{"lone high surrogate at end", `["\ud800"]`},
		{"lone low surrogate", `{"p":"\udc00x"}`},
		{"reversed pair", `{"p":"\ude00\ud83d"}`},
		{"invalid UTF-8", "{\"p\":\"\xff\"}"},
		{"duplicate member", `{"p":"a","p":"b"}`},
		{"escaped member name", `{"\u0070":"a"}`},
		{"too deep", strings.Repeat("[", store.MaxDocDepth+1) + strings.Repeat("]", store.MaxDocDepth+1)},
	}
	for _, tt := range invalid {
		t.Run("invalid "+tt.name, func(t *testing.T) {
			r := newRes(asset("bad"))
			r.Doc = []byte(tt.doc)
			wantErr(t, "create", create(ctx, s, r), store.ErrInvalid)
		})
	}
}
