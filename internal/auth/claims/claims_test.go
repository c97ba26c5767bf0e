package claims_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/auth/claims"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"object", `{"a":1,"b":"x","c":[1,{"d":2}]}`, true},
		{"empty object", `{}`, true},
		{"duplicate member", `{"exp":1,"exp":99999999999}`, false},
		{"duplicate nested is fine", `{"a":{"x":1},"b":{"x":1}}`, true},
		{"array", `[1]`, false},
		{"string", `"x"`, false},
		{"trailing data", `{"a":1} {"a":2}`, false},
		{"invalid utf-8", "{\"a\":\"\xff\"}", false},
		{"truncated", `{"a":`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := claims.Parse([]byte(tt.in))
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, claims.ErrMalformed) {
				t.Fatalf("err %v does not wrap ErrMalformed", err)
			}
		})
	}
}

func TestNumericDate(t *testing.T) {
	o, err := claims.Parse([]byte(`{"int":1700000000,"str":"1700000000","float":1.7e9,"frac":1700000000.5,"neg":-1,"big":9007199254740993,"null":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := o.NumericDate("int"); err != nil || !ok || !got.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("int: %v %v %v", got, ok, err)
	}
	for _, name := range []string{"str", "float", "frac", "neg", "big"} {
		if _, _, err := o.NumericDate(name); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	for _, name := range []string{"missing", "null"} {
		if _, ok, err := o.NumericDate(name); ok || err != nil {
			t.Errorf("%s: ok=%v err=%v", name, ok, err)
		}
	}
}

func TestStringsAndHeader(t *testing.T) {
	o, _ := claims.Parse([]byte(`{"alg":"RS256","aud":"a","auds":["a","b"],"bad":[1],"n":1}`))
	if ss, ok, err := o.Strings("aud"); err != nil || !ok || len(ss) != 1 {
		t.Errorf("aud: %v %v %v", ss, ok, err)
	}
	if ss, _, err := o.Strings("auds"); err != nil || len(ss) != 2 {
		t.Errorf("auds: %v %v", ss, err)
	}
	if _, _, err := o.Strings("bad"); err == nil {
		t.Error("array of numbers accepted as strings")
	}
	if _, _, err := o.String("n"); err == nil {
		t.Error("number accepted as string")
	}
	if err := claims.CheckHeader(o, "alg", "aud", "auds", "bad", "n"); err != nil {
		t.Error(err)
	}
	if err := claims.CheckHeader(o, "alg"); err == nil {
		t.Error("unknown header members accepted")
	}
	noAlg, _ := claims.Parse([]byte(`{"kid":"x"}`))
	if err := claims.CheckHeader(noAlg, "alg", "kid"); err == nil {
		t.Error("header without alg accepted")
	}
}

func TestSplit(t *testing.T) {
	e := base64.RawURLEncoding.EncodeToString
	good := e([]byte(`{"alg":"RS256"}`)) + "." + e([]byte(`{}`)) + ".c2ln"
	if h, p, err := claims.Split(good, 100); err != nil || string(h) != `{"alg":"RS256"}` || string(p) != `{}` {
		t.Fatalf("%s %s %v", h, p, err)
	}
	for name, tok := range map[string]string{
		"too long":     good + strings.Repeat("A", 100),
		"two parts":    "a.b",
		"four parts":   good + ".x",
		"empty sig":    e([]byte(`{}`)) + "." + e([]byte(`{}`)) + ".",
		"padded":       e([]byte(`{}`)) + "==." + e([]byte(`{}`)) + ".c2ln",
		"std alphabet": "+/+/." + e([]byte(`{}`)) + ".c2ln",
	} {
		if _, _, err := claims.Split(tok, 100); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// FuzzParse checks that no input panics and that accepted objects never
// hold duplicate names (Parse's whole point).
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":1,"a":2}`, `{"exp":"1"}`, `{}`, `[`, "{\"\xff\":1}", `{"a":{"a":{"a":[]}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := claims.Parse(b)
		if err != nil {
			return
		}
		for k := range o {
			_, _, _ = o.String(k)
			_, _, _ = o.Strings(k)
			_, _, _ = o.NumericDate(k)
		}
	})
}

// FuzzSplit: no input panics; an accepted token has non-empty segments
// made only of base64url bytes and dots. testdata/fuzz/FuzzSplit holds
// "\r.\r.0", which Split accepted while Go's decoders skipped CR and LF.
func FuzzSplit(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
	f.Add(strings.Repeat(".", 100))
	f.Add("eyJhbGciOiJSUzI1NiJ9\r\n.e30.c2ln")
	f.Fuzz(func(t *testing.T, s string) {
		h, p, err := claims.Split(s, 8192)
		if err != nil {
			return
		}
		if len(h) == 0 || len(p) == 0 {
			t.Fatal("accepted empty segments")
		}
		if !claims.IsBase64URL(strings.ReplaceAll(s, ".", "")) {
			t.Fatalf("accepted a byte outside the base64url alphabet: %q", s)
		}
	})
}

// TestSplitLineBreaks: CR, LF, spaces and tabs anywhere in any segment of
// an otherwise valid token make it malformed.
func TestSplitLineBreaks(t *testing.T) {
	e := base64.RawURLEncoding.EncodeToString
	valid := e([]byte(`{"alg":"HS256"}`)) + "." + e([]byte(`{"sub":"x"}`)) + "." + e([]byte("signature-bytes"))
	if _, _, err := claims.Split(valid, 1000); err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= len(valid); i++ {
		for _, ins := range []string{"\r", "\n", "\r\n", " ", "\t"} {
			tok := valid[:i] + ins + valid[i:]
			if _, _, err := claims.Split(tok, 1000); !errors.Is(err, claims.ErrMalformed) {
				t.Fatalf("%q inserted at %d accepted", ins, i)
			}
		}
	}
	if _, err := claims.DecodeSegment("ab\r\ncd"); err == nil {
		t.Fatal("DecodeSegment accepted CR/LF")
	}
}

// TestCheckHeaderDeterministic: a header with several refused members
// always names the same one (map order must not leak into answers).
func TestCheckHeaderDeterministic(t *testing.T) {
	h, err := claims.Parse([]byte(`{"alg":"HS256","x5u":"https://a","crit":["x"],"jku":"https://b","x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		err := claims.CheckHeader(h, "alg", "kid", "typ")
		if !errors.Is(err, claims.ErrMalformed) || !strings.Contains(err.Error(), `"crit"`) {
			t.Fatalf("got %v; want the first refused member in order, crit", err)
		}
	}
}

// TestParseNestedDuplicates: duplicates inside nested objects of a claim
// set are refused too (one detector for tokens and request bodies).
func TestParseNestedDuplicates(t *testing.T) {
	for _, in := range []string{`{"a":1,"a":1}`, `{"cnf":{"jkt":"x","jkt":"y"}}`, `{"x":[{"k":1,"k":2}]}`} {
		if _, err := claims.Parse([]byte(in)); !errors.Is(err, claims.ErrMalformed) {
			t.Errorf("Parse(%s) = %v, want ErrMalformed", in, err)
		}
	}
}
