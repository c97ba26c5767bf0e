package sqlstore

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// resourceCols is the column list scanResource reads.
const resourceCols = `kind, scope, name, id, created, modified, doc, meta, secret, version`

type scanner interface{ Scan(dest ...any) error }

func scanResource(sc scanner) (*store.Resource, error) {
	var (
		r                 store.Resource
		kind              string
		created, modified string
		doc               sql.NullString
	)
	if err := sc.Scan(&kind, &r.Scope, &r.Name, &r.ID, &created, &modified, &doc, &r.Meta, &r.Secret, &r.Version); err != nil {
		return nil, err
	}
	r.Kind = store.Kind(kind)
	var err error
	if r.Created, err = parseTime(created); err != nil {
		return nil, err
	}
	if r.Modified, err = parseTime(modified); err != nil {
		return nil, err
	}
	if doc.Valid {
		r.Doc = []byte(doc.String)
	}
	return &r, nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(store.TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// formatTime formats t for storage. Years outside 0..9999 would not keep
// text order equal to time order, so they are refused.
func formatTime(what string, t time.Time) (string, error) {
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return "", fmt.Errorf("%w: %s year %d outside 0..9999", store.ErrInvalid, what, y)
	}
	return store.FormatTime(t), nil
}

// nullText maps empty documents to NULL; doc is bound as text because
// SQLite's JSON functions read a BLOB as its binary JSONB format.
func nullText(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// nullBytes maps empty blobs to NULL so that "no secret" has one
// representation in every backend.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// validKey reports whether k can name a stored resource. Reads with an
// invalid key report ErrNotFound (nothing can be stored under it), writes
// report ErrInvalid.
func validKey(k store.Key) bool {
	return k.Kind != "" && k.Name != "" &&
		store.ValidText(string(k.Kind)) && store.ValidText(k.Scope) && store.ValidText(k.Name)
}

func validateResource(r *store.Resource, refs []store.Ref) error {
	if r == nil {
		return fmt.Errorf("%w: nil resource", store.ErrInvalid)
	}
	if !validKey(r.Key()) {
		return fmt.Errorf("%w: resource key must be non-empty valid text", store.ErrInvalid)
	}
	if !store.ValidText(r.ID) {
		return fmt.Errorf("%w: resource id is not valid text", store.ErrInvalid)
	}
	if err := store.ValidateDoc(r.Doc); err != nil {
		return err
	}
	for _, ref := range refs {
		if !validKey(ref) {
			return fmt.Errorf("%w: reference key must be non-empty valid text", store.ErrInvalid)
		}
	}
	return nil
}

// keyString names a key in error messages.
func keyString(k store.Key) string {
	return fmt.Sprintf("%s %s/%s", k.Kind, k.Scope, k.Name)
}
