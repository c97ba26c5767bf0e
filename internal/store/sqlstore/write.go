package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lockstream/lockstream/internal/store"
)

// rowArgs returns the stored form of r's mutable columns: id, created,
// modified, doc, meta, secret.
func rowArgs(r *store.Resource) ([]any, error) {
	created, err := formatTime("created", r.Created)
	if err != nil {
		return nil, err
	}
	modified, err := formatTime("modified", r.Modified)
	if err != nil {
		return nil, err
	}
	return []any{r.ID, created, modified, nullText(r.Doc), nullBytes(r.Meta), nullBytes(r.Secret)}, nil
}

// Create implements store.Tx.
func (o *ops) Create(ctx context.Context, r *store.Resource, refs []store.Ref) error {
	if err := validateResource(r, refs); err != nil {
		return fmt.Errorf("sqlstore: create: %w", err)
	}
	k := r.Key()
	args, err := rowArgs(r)
	if err != nil {
		return fmt.Errorf("sqlstore: create %s: %w", keyString(k), err)
	}
	// ON CONFLICT DO NOTHING covers both unique constraints without
	// raising an error, which in PostgreSQL would abort the whole
	// transaction and leave the caller unable to carry on after
	// ErrConflict.
	res, err := o.exec(ctx,
		`INSERT INTO resources (kind, scope, name, name_key, id, created, modified, doc, meta, secret, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`,
		append([]any{string(r.Kind), r.Scope, r.Name, store.NameKey(r.Name)}, args...)...)
	if err != nil {
		return fmt.Errorf("sqlstore: create %s: %w", keyString(k), o.classify(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: create %s: %w", keyString(k), err)
	} else if n == 0 {
		return fmt.Errorf("sqlstore: create %s: name or id taken: %w", keyString(k), store.ErrConflict)
	}
	if err := o.insertRefs(ctx, k, refs); err != nil {
		return fmt.Errorf("sqlstore: create %s: %w", keyString(k), err)
	}
	r.Version = 1
	return nil
}

// classify maps a unique violation (possible in a race the pre-checks
// cannot see) to ErrConflict.
func (o *ops) classify(err error) error {
	if o.d.IsUniqueViolation != nil && o.d.IsUniqueViolation(err) {
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}

func (o *ops) insertRefs(ctx context.Context, from store.Key, refs []store.Ref) error {
	for _, to := range refs {
		if _, err := o.exec(ctx,
			`INSERT INTO refs (from_kind, from_scope, from_name_key, to_kind, to_scope, to_name_key)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			string(from.Kind), from.Scope, store.NameKey(from.Name),
			string(to.Kind), to.Scope, store.NameKey(to.Name)); err != nil {
			return fmt.Errorf("insert reference to %s: %w", keyString(to), err)
		}
	}
	return nil
}

// Replace implements store.Tx. The name's casing is overwritten too: Get
// afterwards returns exactly what was written, apart from Version.
func (o *ops) Replace(ctx context.Context, r *store.Resource, refs []store.Ref) error {
	if err := validateResource(r, refs); err != nil {
		return fmt.Errorf("sqlstore: replace: %w", err)
	}
	k := r.Key()
	nk := store.NameKey(r.Name)
	args, err := rowArgs(r)
	if err != nil {
		return fmt.Errorf("sqlstore: replace %s: %w", keyString(k), err)
	}
	var version int64
	err = o.queryRow(ctx, `SELECT version FROM resources WHERE kind = ? AND scope = ? AND name_key = ?`,
		string(r.Kind), r.Scope, nk).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: replace %s: %w", keyString(k), store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: replace %s: %w", keyString(k), err)
	}
	if r.Version != 0 && r.Version != version {
		return fmt.Errorf("sqlstore: replace %s: have version %d, stored %d: %w", keyString(k), r.Version, version, store.ErrStale)
	}
	if r.ID != "" {
		// Checked first so that the UPDATE does not fail on the unique
		// index, which would abort a PostgreSQL transaction.
		var one int
		err := o.queryRow(ctx, `SELECT 1 FROM resources WHERE kind = ? AND id = ? AND NOT (scope = ? AND name_key = ?)`,
			string(r.Kind), r.ID, r.Scope, nk).Scan(&one)
		if err == nil {
			return fmt.Errorf("sqlstore: replace %s: id %q taken: %w", keyString(k), r.ID, store.ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlstore: replace %s: %w", keyString(k), err)
		}
	}
	// The version condition makes the read-check-write atomic even where
	// the isolation level would allow a concurrent writer in between.
	res, err := o.exec(ctx,
		`UPDATE resources SET id = ?, created = ?, modified = ?, doc = ?, meta = ?, secret = ?, name = ?, version = version + 1
		WHERE kind = ? AND scope = ? AND name_key = ? AND version = ?`,
		append(args, r.Name, string(r.Kind), r.Scope, nk, version)...)
	if err != nil {
		return fmt.Errorf("sqlstore: replace %s: %w", keyString(k), o.classify(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: replace %s: %w", keyString(k), err)
	} else if n == 0 {
		return fmt.Errorf("sqlstore: replace %s: changed concurrently: %w", keyString(k), store.ErrStale)
	}
	if _, err := o.exec(ctx, `DELETE FROM refs WHERE from_kind = ? AND from_scope = ? AND from_name_key = ?`,
		string(r.Kind), r.Scope, nk); err != nil {
		return fmt.Errorf("sqlstore: replace %s: delete references: %w", keyString(k), err)
	}
	if err := o.insertRefs(ctx, k, refs); err != nil {
		return fmt.Errorf("sqlstore: replace %s: %w", keyString(k), err)
	}
	r.Version = version + 1
	return nil
}

// Delete implements store.Tx.
func (o *ops) Delete(ctx context.Context, k store.Key) error {
	if !validKey(k) {
		return fmt.Errorf("sqlstore: delete %s: %w", keyString(k), store.ErrNotFound)
	}
	var one int
	err := o.queryRow(ctx, `SELECT 1 FROM resources WHERE kind = ? AND scope = ? AND name_key = ?`,
		string(k.Kind), k.Scope, store.NameKey(k.Name)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: delete %s: %w", keyString(k), store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: delete %s: %w", keyString(k), err)
	}
	refs, err := o.referrers(ctx, k, 1)
	if err != nil {
		return fmt.Errorf("sqlstore: delete %s: check referrers: %w", keyString(k), err)
	}
	if len(refs) > 0 {
		return fmt.Errorf("sqlstore: delete %s: referenced by %s: %w", keyString(k), keyString(refs[0]), store.ErrReferenced)
	}

	// Content keys live under the account scope, keyed by locator name.
	ckWhere, ckArgs := "", []any(nil)
	if k.Kind == store.KindStreamingLocator {
		ckWhere, ckArgs = "(scope = ? AND locator_name_key = ?) OR ", []any{k.Scope, store.NameKey(k.Name)}
	}
	p := k.Path()
	ckArgs = append(ckArgs, p, p+"/", p+"0")
	fromSub, fromArgs := subtree("from_kind", "from_scope", "from_name_key", k)
	resSub, resArgs := subtree("kind", "scope", "name_key", k)
	queueSub, queueArgs := subtree("kind", "scope", "name_key", k)
	for _, st := range []struct {
		what, sql string
		args      []any
	}{
		{"content keys", `DELETE FROM content_keys WHERE ` + ckWhere + `scope = ? OR (scope >= ? AND scope < ?)`, ckArgs},
		{"key-exchange keys", `DELETE FROM cpix_keys WHERE scope = ? OR (scope >= ? AND scope < ?)`, []any{p, p + "/", p + "0"}},
		{"references", `DELETE FROM refs WHERE ` + fromSub, fromArgs},
		{"queued jobs", `DELETE FROM job_queue WHERE ` + queueSub, queueArgs},
		{"resources", `DELETE FROM resources WHERE ` + resSub, resArgs},
	} {
		if _, err := o.exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("sqlstore: delete %s: %s: %w", keyString(k), st.what, err)
		}
	}
	return nil
}
