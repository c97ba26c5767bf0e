package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
)

// FuzzDocMember checks that SQLite's extraction of a document member (the
// SQL every ColDoc filter and ordering runs) agrees with store.DocMember
// for every document store.ValidateDoc accepts. Documents come from API
// clients, so this is where untrusted JSON meets two JSON parsers.
func FuzzDocMember(f *testing.F) {
	for _, s := range []struct{ doc, path string }{
		{`{"p":"x"}`, "p"},
		{`{"p":"\u00e9\ud83d\ude00\n\"\\\/"}`, "p"},
		{`{"p":true}`, "p"},
		{`{"p":1e999999}`, "p"},
		{`{"p":null}`, "p"},
		{`{"p":["x"]}`, "p"},
		{`{"P":"x"}`, "p"},
		{`{"q":{"p":"x"},"p":"y"}`, "p"},
		{`["p"]`, "p"},
		{`"p"`, "p"},
		{` { "p9" : "\u0001" } `, "p9"},
		{`{"1":"digits"}`, "1"},
	} {
		f.Add([]byte(s.doc), s.path)
	}
	db, err := sql.Open("sqlite", filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	f.Fuzz(func(t *testing.T, doc []byte, path string) {
		if !store.ValidPath(path) || store.ValidateDoc(doc) != nil {
			return
		}
		var arg any // an empty document is stored as NULL
		if len(doc) > 0 {
			arg = string(doc)
		}
		var got string
		if err := db.QueryRowContext(context.Background(),
			`SELECT `+docString(path)+` FROM (SELECT ? AS doc)`, arg).Scan(&got); err != nil {
			t.Fatalf("doc %q: %v", doc, err)
		}
		if want := store.DocMember(doc, path); got != want {
			t.Fatalf("member %q of %q: sqlite %q, store.DocMember %q", path, doc, got, want)
		}
	})
}
