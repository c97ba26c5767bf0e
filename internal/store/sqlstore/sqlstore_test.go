package sqlstore

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		name     string
		numbered bool
		in, want string
	}{
		{"question marks kept", false, "a = ? AND b = ?", "a = ? AND b = ?"},
		{"numbered", true, "a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"quoted literal untouched", true, "json_extract(doc, '$.\"a?\"') = ?", "json_extract(doc, '$.\"a?\"') = $1"},
		{"no placeholders", true, "SELECT 1", "SELECT 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Dialect{Numbered: tt.numbered}
			if got := d.rebind(tt.in); got != tt.want {
				t.Fatalf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitStatements(t *testing.T) {
	src := "-- comment\nCREATE TABLE a (\n\tx int -- trailing\n);\n\nCREATE INDEX i ON a (x);\nSELECT 1"
	want := []string{"CREATE TABLE a (\n\tx int -- trailing\n);", "CREATE INDEX i ON a (x);", "SELECT 1"}
	if got := splitStatements(src); !slices.Equal(got, want) {
		t.Fatalf("splitStatements = %q, want %q", got, want)
	}
}

func TestLoadMigrations(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []int
		ok    bool
	}{
		{"ordered numerically", fstest.MapFS{
			"0010_c.sql": {Data: []byte("SELECT 3;")},
			"0002_b.sql": {Data: []byte("SELECT 2;")},
			"0001_a.sql": {Data: []byte("SELECT 1;")},
			"README.md":  {Data: []byte("ignored")},
		}, []int{1, 2, 10}, true},
		{"duplicate version", fstest.MapFS{"0001_a.sql": {}, "1_b.sql": {}}, nil, false},
		{"no version", fstest.MapFS{"init.sql": {}}, nil, false},
		{"zero version", fstest.MapFS{"0000_x.sql": {}}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.files)
			if (err == nil) != tt.ok {
				t.Fatalf("loadMigrations: %v, want ok=%v", err, tt.ok)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("versions %v, want %v", got, tt.want)
			}
		})
	}
}
