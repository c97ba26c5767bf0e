package store

import (
	"testing"
	"time"
)

func TestDocMember(t *testing.T) {
	tests := []struct {
		name, doc, path, want string
	}{
		{"string", `{"a":"x"}`, "a", "x"},
		{"escapes", `{"a":"\u00e9\n\ud83d\ude00"}`, "a", "é\n😀"},
		{"missing", `{"a":"x"}`, "b", ""},
		{"case-sensitive", `{"A":"x"}`, "a", ""},
		{"number", `{"a":1}`, "a", ""},
		{"bool", `{"a":true}`, "a", ""},
		{"null", `{"a":null}`, "a", ""},
		{"object", `{"a":{"a":"x"}}`, "a", ""},
		{"array doc", `["a"]`, "a", ""},
		{"empty doc", ``, "a", ""},
		{"invalid doc", `{"a":"x"`, "a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DocMember([]byte(tt.doc), tt.path); got != tt.want {
				t.Fatalf("DocMember(%s, %q) = %q, want %q", tt.doc, tt.path, got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 600, time.UTC)
	r := &Resource{Name: "MyAsset", Created: t0, Modified: t0.Add(time.Hour), Doc: []byte(`{"alt":"Zed","n":5}`)}
	name := Field{Col: ColName}
	alt := Field{Col: ColDoc, Path: "alt"}
	c := func(f Field, op Op, v string) *Cond { return &Cond{Field: f, Op: op, Value: v} }
	tests := []struct {
		name string
		c    *Cond
		want bool
	}{
		{"nil", nil, true},
		{"name folded", c(name, OpEq, "MYASSET"), true},
		{"name ne", c(name, OpNe, "myasset"), false},
		{"name gt", c(name, OpGt, "MYAS"), true},
		{"created eq", c(Field{Col: ColCreated}, OpEq, FormatTime(t0)), true},
		{"modified lt", c(Field{Col: ColModified}, OpLt, FormatTime(t0)), false},
		{"doc bytewise", c(alt, OpLt, "a"), true}, // 'Z' < 'a'
		{"doc ge", c(alt, OpGe, "Zed"), true},
		{"number is empty", c(Field{Col: ColDoc, Path: "n"}, OpEq, ""), true},
		{"missing is empty", c(Field{Col: ColDoc, Path: "zz"}, OpLe, ""), true},
		{"and", &Cond{And: []*Cond{c(name, OpEq, "myasset"), c(alt, OpEq, "x")}}, false},
		{"or", &Cond{Or: []*Cond{c(name, OpEq, "x"), c(alt, OpEq, "Zed")}}, true},
		{"unknown op", c(name, "like", "x"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Match(r); got != tt.want {
				t.Fatalf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCursorAndOrder(t *testing.T) {
	a := &Resource{Name: "B", Scope: "/s1", Doc: []byte(`{"x":"1"}`)}
	b := &Resource{Name: "a", Scope: "/s2", Doc: []byte(`{"x":"1"}`)}
	c := &Resource{Name: "a", Scope: "/s3", Doc: []byte(`{"x":"0"}`)}
	x := &Field{Col: ColDoc, Path: "x"}
	tests := []struct {
		name    string
		a, b    *Resource
		orderBy *Field
		want    int
	}{
		{"name folded", a, b, nil, 1},
		{"doc then name", a, b, x, 1},
		{"doc first", c, a, x, -1},
		{"scope last", b, c, nil, -1},
		{"equal", a, a, x, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompareOrder(tt.a, tt.b, tt.orderBy); got != tt.want {
				t.Fatalf("CompareOrder = %d, want %d", got, tt.want)
			}
		})
	}
	if got, want := CursorOf(a, x), (Cursor{Value: "1", NameKey: "b", Scope: "/s1"}); got != want {
		t.Fatalf("CursorOf = %+v, want %+v", got, want)
	}
	if got := CursorOf(a, nil); got.Value != "b" {
		t.Fatalf("CursorOf by name: %+v", got)
	}
}

func TestAAD(t *testing.T) {
	if got := ResourceAAD(KindAsset, "/s", "MyAsset"); got != "res:assets:/s:myasset" {
		t.Fatal(got)
	}
	if got := ContentKeyAAD("/s", "Loc", "kid"); got != "ck:/s:loc:kid" {
		t.Fatal(got)
	}
}

func TestPath(t *testing.T) {
	acct := Key{Kind: KindAccount, Scope: "/subscriptions/s/resourcegroups/rg", Name: "Acct"}
	if got, want := acct.Path(), "/subscriptions/s/resourcegroups/rg/providers/microsoft.media/mediaservices/acct"; got != want {
		t.Fatalf("account Path = %q, want %q", got, want)
	}
	asset := Key{Kind: KindAssetFilter, Scope: acct.Path(), Name: "F"}
	if got, want := asset.Path(), acct.Path()+"/assetfilters/f"; got != want {
		t.Fatalf("Path = %q, want %q", got, want)
	}
}
