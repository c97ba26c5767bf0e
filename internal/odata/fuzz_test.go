package odata_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

// fuzzSchema exercises every field type and operator.
var fuzzSchema = odata.Schema{
	"name":               {Field: store.Field{Col: store.ColName}, Ops: []store.Op{"eq", "ne", "gt", "ge", "lt", "le"}, Sortable: true},
	"properties/created": {Field: store.Field{Col: store.ColCreated, Type: store.TypeTime}, Ops: []store.Op{"eq", "gt", "lt"}, Sortable: true},
	"properties/endtime": {Field: store.Field{Col: store.ColDoc, Path: "endTime", Type: store.TypeTime}, Ops: []store.Op{"ge", "le"}},
	"properties/state":   {Field: store.Field{Col: store.ColDoc, Path: "state"}, Ops: []store.Op{"eq", "ne"}},
	"properties/assetid": {Field: store.Field{Col: store.ColDoc, Path: "assetId"}, Ops: []store.Op{"eq"}},
}

// FuzzParseFilter checks that ParseFilter never panics, that its errors are
// positioned *Errors with printable text, and that every accepted filter
// renders canonically, re-parses to the same tree, and compiles either to
// an *Error or to a condition the store accepts.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		// Filters from AMS documentation and SDK samples.
		"name eq 'asset1'",
		"properties/created lt 2018-05-11T17:39:08.387Z",
		"properties/created gt 2018-05-10T00:00:00Z and properties/created lt 2018-05-11T17:39:08.387Z",
		"properties/alternateId eq 'altId-1'",
		"properties/assetId eq '2a0c5b6e-0000-4e3a-9c1b-000000000001'",
		"properties/state eq Microsoft.Media.JobState'Scheduled'",
		"properties/state eq Microsoft.Media.JobState'Processing' or properties/state eq Microsoft.Media.JobState'Queued'",
		"properties/endTime ge datetime'2021-06-01T08:00:00'",
		"name gt 'a' and name lt 'z' or name eq 'zz'",
		"(name eq 'a' or name eq 'b') and properties/created gt 2021-06-01T08:00:00.000+02:00",
		"properties/policyId eq guid'DEADBEEF-0000-4e3a-9c1b-000000000001'",
		"properties/assetId eq 2a0c5b6e-0000-4e3a-9c1b-000000000001",
		"name eq 'O''Brien'",
		"NAME Eq'x'AND(name ne '')",
		"properties/n eq -42 or properties/b ne true",
		"properties/created eq 2021-06-01",
		"((((name eq 'a'))))",
		"name eq 'abc",
		"not name eq 'a'",
		"startswith(name,'a')",
		"properties/created gt 9999-12-31T23:00:00-05:00",
		strings.Repeat("(", 33) + "name eq 'a'" + strings.Repeat(")", 33),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := odata.ParseFilter(s)
		if err != nil {
			checkError(t, err, "$filter", len(s))
			return
		}
		if e == nil {
			if strings.TrimLeft(s, " \t\r\n") != "" {
				t.Fatalf("ParseFilter(%q) = nil, nil", s)
			}
			return
		}
		checkTree(t, e)
		checkRoundTrip(t, e)

		c, err := odata.Compile(e, fuzzSchema)
		if err != nil {
			checkError(t, err, "$filter", len(s))
			return
		}
		if err := store.ValidateCond(c); err != nil {
			t.Fatalf("Compile(%q) produced a condition the store rejects: %v", s, err)
		}
		checkTimes(t, c)
	})
}

// checkError asserts that err is an *Error for param whose position, if
// any, lies within the input, and whose text is valid UTF-8.
func checkError(t *testing.T, err error, param string, n int) {
	t.Helper()
	var oe *odata.Error
	if !errors.As(err, &oe) || oe.Param != param {
		t.Fatalf("error %v (%T) is not an *odata.Error for %s", err, err, param)
	}
	if oe.Pos < -1 || oe.Pos > n {
		t.Fatalf("error position %d outside input of %d bytes: %v", oe.Pos, n, err)
	}
	if !utf8.ValidString(err.Error()) {
		t.Fatalf("error text is not valid UTF-8: %q", err.Error())
	}
}

// checkTree asserts the documented shape: chains hold two or more terms,
// none a chain of the same operator.
func checkTree(t *testing.T, e odata.Expr) {
	t.Helper()
	l, ok := e.(*odata.Logical)
	if !ok {
		return
	}
	if len(l.Terms) < 2 {
		t.Fatalf("%s chain with %d terms", l.Op, len(l.Terms))
	}
	for _, x := range l.Terms {
		if k, ok := x.(*odata.Logical); ok && k.Op == l.Op {
			t.Fatalf("unflattened %s chain in %s", l.Op, e)
		}
		checkTree(t, x)
	}
}

// checkTimes asserts that compiled time values are in store.TimeLayout.
func checkTimes(t *testing.T, c *store.Cond) {
	t.Helper()
	for _, k := range append(c.And, c.Or...) {
		checkTimes(t, k)
	}
	if c.Op != "" && c.Field.Type == store.TypeTime {
		if _, err := time.Parse(store.TimeLayout, c.Value); err != nil || len(c.Value) != len(store.TimeLayout) {
			t.Fatalf("time value %q is not in TimeLayout", c.Value)
		}
	}
}

// FuzzDecodeSkipToken checks that DecodeSkipToken never panics, fails only
// with *Errors, and accepts only canonical tokens: re-encoding a decoded
// cursor yields the same token.
func FuzzDecodeSkipToken(f *testing.F) {
	for _, h := range []string{"", odata.QueryHash("assets", "/s", "", "")} {
		for _, c := range []store.Cursor{
			{},
			{Value: "asset-1", NameKey: "asset-1"},
			{Value: "2021-06-01T08:00:00.0000000Z", NameKey: "loc", Scope: "/subscriptions/s/resourcegroups/rg"},
		} {
			f.Add(odata.EncodeSkipToken(c, h), h)
		}
	}
	f.Add("asset-1", "")
	f.Add("AQ", "")
	f.Fuzz(func(t *testing.T, tok, hash string) {
		c, err := odata.DecodeSkipToken(tok, hash)
		if err != nil {
			checkError(t, err, "$skiptoken", len(tok))
			return
		}
		if !store.ValidText(c.Value) || !store.ValidText(c.NameKey) || !store.ValidText(c.Scope) {
			t.Fatalf("DecodeSkipToken(%q) = %+v, not valid text", tok, c)
		}
		if again := odata.EncodeSkipToken(c, hash); again != tok {
			t.Fatalf("DecodeSkipToken(%q) = %+v, which encodes as %q", tok, c, again)
		}
	})
}

// FuzzSkipTokenRoundTrip checks that every storable cursor survives
// encoding and decoding, and that the token is bound to its hash.
func FuzzSkipTokenRoundTrip(f *testing.F) {
	f.Add("asset-1", "asset-1", "", "h")
	f.Add("2021-06-01T08:00:00.0000000Z", "loc", "/subscriptions/s/resourcegroups/rg", "")
	f.Fuzz(func(t *testing.T, value, nameKey, scope, hash string) {
		c := store.Cursor{Value: value, NameKey: nameKey, Scope: scope}
		if !store.ValidText(value) || !store.ValidText(nameKey) || !store.ValidText(scope) {
			return
		}
		tok := odata.EncodeSkipToken(c, hash)
		if len(tok) > odata.MaxSkipTokenLength {
			return
		}
		got, err := odata.DecodeSkipToken(tok, hash)
		if err != nil || got != c {
			t.Fatalf("round trip of %+v = %+v, %v", c, got, err)
		}
		if _, err := odata.DecodeSkipToken(tok, hash+"x"); err == nil {
			t.Fatalf("token for %q accepted for %q", hash, hash+"x")
		}
	})
}
