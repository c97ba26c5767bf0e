package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateDoc(t *testing.T) {
	tests := []struct {
		name, doc string
		ok        bool
	}{
		{"empty", ``, true},
		{"object", `{"a":"b","c":[1,{"a":2,"a":3}]}`, true}, // nested duplicates are harmless
		{"scalar", `"x"`, true},
		{"array", `[{"a":1},{"a":2}]`, true},
		{"surrogate pair", `{"a":"\ud83d\ude00"}`, true},
		{"escaped nested key", `{"a":{"\u0062":1}}`, true},
		{"escaped value", `{"a":"\"\\\/\b\f\n\r\t\u0001"}`, true},
		{"spaces", " \n{ \"a\" : 1 , \"b\" : 2 }\t", true},
		{"max depth", strings.Repeat("[", MaxDocDepth) + strings.Repeat("]", MaxDocDepth), true},
		{"too deep", strings.Repeat("[", MaxDocDepth+1) + strings.Repeat("]", MaxDocDepth+1), false},
		{"invalid", `{"a":}`, false},
		{"invalid UTF-8", "\"\xc3\"", false},
		{"NUL", `"\u0000"`, false},
		{"lone high", `"\ud83d"`, false},
		{"high then other escape", `"\ud83d\n"`, false},
		{"high then high", `"\ud83d\ud83d"`, false},
		{"lone low", `"\ude00"`, false},
		{"duplicate key", `{"a":1,"a":1}`, false},
		{"duplicate after nested", `{"a":{"b":1},"b":2,"a":3}`, false},
		{"escaped key", `{"a\"b":1}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateDoc([]byte(tt.doc))
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateDoc(%.60q) = %v, want ok=%v", tt.doc, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

// FuzzValidateDoc checks that ValidateDoc never panics and that what it
// accepts is valid JSON whose top-level members decode unambiguously, so
// DocMember and the backends' JSON functions agree on it.
func FuzzValidateDoc(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":"b"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\u0000"}`, `{"a":1,"a":2}`, `[1,[2,[3]]]`,
		`{"\u0061":1}`, `"\ud800"`, `{"a":{"a":1},"b":"\\u0000"}`, "{\"a\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if ValidateDoc(doc) != nil || len(doc) == 0 {
			return
		}
		if !json.Valid(doc) || !utf8.Valid(doc) {
			t.Fatalf("accepted invalid JSON %q", doc)
		}
		if bytes.Contains(doc, []byte(`\u0000`)) && !bytes.Contains(doc, []byte(`\\u0000`)) {
			t.Fatalf("accepted \\u0000 in %q", doc)
		}
		if bytes.TrimSpace(doc)[0] != '{' {
			return
		}
		// Count top-level members with a token decoder: no duplicates.
		dec := json.NewDecoder(bytes.NewReader(doc))
		_, _ = dec.Token() // {
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			k := tok.(string)
			if seen[k] {
				t.Fatalf("accepted duplicate member %q in %q", k, doc)
			}
			seen[k] = true
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			var s string
			if json.Unmarshal(v, &s) == nil && bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) && DocMember(doc, k) != s {
				t.Fatalf("DocMember(%q) = %q, want %q", k, DocMember(doc, k), s)
			}
		}
	})
}

func TestValidateQuery(t *testing.T) {
	eq := func(f Field) *Cond { return &Cond{Field: f, Op: OpEq, Value: "x"} }
	tests := []struct {
		name string
		q    ListQuery
		ok   bool
	}{
		{"minimal", ListQuery{Kind: KindAsset}, true},
		{"doc field", ListQuery{Kind: KindAsset, Filter: eq(Field{Col: ColDoc, Path: "abc123"}), OrderBy: &Field{Col: ColDoc, Path: "Z"}}, true},
		{"path with dot", ListQuery{Kind: KindAsset, Filter: eq(Field{Col: ColDoc, Path: "a.b"})}, false},
		{"path with quote", ListQuery{Kind: KindAsset, OrderBy: &Field{Col: ColDoc, Path: "a'"}}, false},
		{"long path", ListQuery{Kind: KindAsset, OrderBy: &Field{Col: ColDoc, Path: strings.Repeat("a", MaxPathLen+1)}}, false},
		{"non-ASCII path", ListQuery{Kind: KindAsset, OrderBy: &Field{Col: ColDoc, Path: "é"}}, false},
		{"too many nodes", ListQuery{Kind: KindAsset, Filter: &Cond{Or: func() []*Cond {
			cs := make([]*Cond, MaxCondNodes)
			for i := range cs {
				cs[i] = eq(Field{})
			}
			return cs
		}()}}, false},
		{"children and comparison", ListQuery{Kind: KindAsset, Filter: &Cond{And: []*Cond{eq(Field{})}, Op: OpEq}}, false},
		{"NUL scope", ListQuery{Kind: KindAsset, Scope: "\x00"}, false},
		{"NUL cursor scope", ListQuery{Kind: KindAsset, After: &Cursor{Scope: "\x00"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}
