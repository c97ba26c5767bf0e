package odata_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/odata"
)

// tree renders e fully bracketed, with literal kinds, so tests see grouping.
func tree(e odata.Expr) string {
	switch e := e.(type) {
	case nil:
		return "<nil>"
	case *odata.Logical:
		parts := make([]string, len(e.Terms))
		for i, t := range e.Terms {
			parts[i] = tree(t)
		}
		return "(" + string(e.Op) + " " + strings.Join(parts, " ") + ")"
	case *odata.Comparison:
		v := e.Value
		lit := fmt.Sprintf("%s:%q", v.Kind, v.Value)
		if v.Kind == odata.LitEnum {
			lit = fmt.Sprintf("%s:%s:%q", v.Kind, v.Type, v.Value)
		}
		return "(" + string(e.Op) + " " + e.Property + " " + lit + ")"
	}
	return fmt.Sprintf("<%T>", e)
}

// repeatJoin returns n copies of s joined by sep.
func repeatJoin(s, sep string, n int) string {
	return strings.TrimSuffix(strings.Repeat(s+sep, n), sep)
}

// checkRoundTrip asserts that the canonical rendering of e parses back to
// the same tree and renders identically.
func checkRoundTrip(t *testing.T, e odata.Expr) {
	t.Helper()
	if e == nil {
		return
	}
	s := e.String()
	if len(s) > odata.MaxFilterLength {
		return // canonical spacing can exceed the input limit
	}
	e2, err := odata.ParseFilter(s)
	if err != nil {
		t.Fatalf("reparse of %q: %v", s, err)
	}
	if tree(e2) != tree(e) || e2.String() != s {
		t.Fatalf("round trip changed the filter:\n first %s\nsecond %s\n  text %q", tree(e), tree(e2), s)
	}
}
