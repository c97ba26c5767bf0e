package pgtest

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

func TestStart(t *testing.T) {
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two Starts returned the same DSN %q", a)
	}
	dbA, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dbA.Close() })
	dbB, err := sql.Open("pgx", b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dbB.Close() })
	if _, err := dbA.ExecContext(t.Context(), `CREATE TABLE only_in_a (x int)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := dbB.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("databases are not separate: %d, %v", n, err)
	}
	var enc string
	if err := dbA.QueryRowContext(t.Context(), `SHOW server_encoding`).Scan(&enc); err != nil || enc != "UTF8" {
		t.Fatalf("encoding %q, %v", enc, err)
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ name, dsn, want string }{
		{"url", "postgres://u:p@h:5/old?sslmode=disable", "postgres://u:p@h:5/new?sslmode=disable"},
		{"url without database", "postgresql://h", "postgresql://h/new"},
		{"keyword/value", "host=h dbname=old ", "host=h dbname=old dbname=new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withDatabase(tt.dsn, "new"); got != tt.want {
				t.Fatalf("withDatabase = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFindBinDir(t *testing.T) {
	root := t.TempDir()
	mk := func(dir string, names ...string) string {
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(d, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	v9 := mk("9.6/bin", "initdb", "postgres")
	mk("16/bin", "initdb") // incomplete: skipped
	v15 := mk("15/bin", "initdb", "postgres")
	onPath := mk("path", "initdb", "postgres")
	notFound := func(string) (string, error) { return "", errors.New("not found") }
	glob := filepath.Join(root, "*", "bin")
	tests := []struct {
		name     string
		lookPath func(string) (string, error)
		glob     string
		want     string
	}{
		{"PATH first", func(n string) (string, error) { return filepath.Join(onPath, n), nil }, glob, onPath},
		{"newest complete version", notFound, glob, v15},
		{"numeric version order", notFound, filepath.Join(root, "9.6", "bin"), v9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findBinDir(tt.lookPath, tt.glob)
			if err != nil || got != tt.want {
				t.Fatalf("findBinDir = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	_, err := findBinDir(notFound, filepath.Join(root, "none", "*"))
	if !errors.Is(err, errMissing) {
		t.Fatalf("missing binaries: %v", err)
	}
	t.Log(err)
}
