package jsonstrict_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/jsonstrict"
)

func TestFirstDuplicate(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1,"b":2}`: "",
		`{"a":1,"a":2}`: "a",
		`{"properties":{"options":[],"options":[]}}`: "properties.options",
		`{"p":{"o":[{"n":1},{"n":1,"n":2}]}}`:        "p.o[1].n",
		`{"a":{"x":1},"b":{"x":1}}`:                  "",
		`[{"a":1},{"a":1}]`:                          "",
		`[{"a":1},{"a":1,"a":1}]`:                    "[1].a",
		`{"a":"a","b":"a"}`:                          "",
		`{"a":["a","a"],"a":0}`:                      "a",
		`{"a":1,"a":`:                                "a", // found before the syntax error
		`{"a":1`:                                     "",
		`"x"`:                                        "",
		`{"\u0061":1,"a":2}`:                         "a", // escapes decode to the same name
		`{"a":{"b":{"c":[[{"d":1,"e":{"d":1}}]]}},"f":{}}`: "",
	} {
		got, found := jsonstrict.FirstDuplicate([]byte(in))
		if got != want || found != (want != "") {
			t.Errorf("FirstDuplicate(%s) = %q, %v; want %q", in, got, found, want)
		}
	}
}

func FuzzFirstDuplicate(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"p":{"o":[{"n":1},{"n":1,"n":2}]}}`, `[[[[`, `{"a":[{"b":{}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if path, found := jsonstrict.FirstDuplicate(b); found && path == "" {
			t.Fatalf("duplicate reported without a path in %q", b)
		}
	})
}

func TestFirstDuplicateFold(t *testing.T) {
	for in, want := range map[string]string{
		`{"options":1,"Options":2}`: "options",
		`{"k":1,"\u212a":2}`:        "k", // the Kelvin sign folds to k
		`{"a":1,"b":2}`:             "",
	} {
		if got, _ := jsonstrict.FirstDuplicateFold([]byte(in)); got != want {
			t.Errorf("FirstDuplicateFold(%s) = %q, want %q", in, got, want)
		}
	}
	if _, found := jsonstrict.FirstDuplicate([]byte(`{"exp":1,"Exp":2}`)); found {
		t.Error("exact comparison folded case")
	}
}
