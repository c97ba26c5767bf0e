package defs_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

// sample reads testdata/<name>.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decode decodes data into a new T with defs.Decode, failing the test on
// error.
func decode[T any](t testing.TB, data []byte) *T {
	t.Helper()
	v := new(T)
	if err := defs.Decode(data, v); err != nil {
		t.Fatalf("decode %T: %v", v, err)
	}
	return v
}

// requireSameJSON compares two JSON documents structurally.
func requireSameJSON(t testing.TB, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v\n%s", err, got)
	}
	if !reflect.DeepEqual(w, g) {
		t.Fatalf("JSON differs\nwant: %s\ngot:  %s", compact(want), compact(got))
	}
}

func compact(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// roundTrip decodes a sample into T, encodes it again and requires the
// same JSON structure; it returns the decoded value.
func roundTrip[T any](t *testing.T, data []byte) *T {
	t.Helper()
	v := decode[T](t, data)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	requireSameJSON(t, data, out)
	return v
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// requireFieldError requires err to be a *defs.FieldError for field whose
// message contains msg.
func requireFieldError(t testing.TB, err error, field, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error at %q (%s), got nil", field, msg)
	}
	var fe *defs.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("want *defs.FieldError, got %T: %v", err, err)
	}
	if fe.Field != field || !strings.Contains(fe.Msg, msg) {
		t.Fatalf("want error at %q containing %q, got %q: %q", field, msg, fe.Field, fe.Msg)
	}
	if fe.FieldPath() != fe.Field {
		t.Fatalf("FieldPath() = %q, want %q", fe.FieldPath(), fe.Field)
	}
}

func requireNoError(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}
