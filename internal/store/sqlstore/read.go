package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/lockstream/lockstream/internal/store"
)

// Get implements store.Reader.
func (o *ops) Get(ctx context.Context, k store.Key) (*store.Resource, error) {
	if !validKey(k) {
		return nil, fmt.Errorf("sqlstore: get %s: %w", keyString(k), store.ErrNotFound)
	}
	r, err := scanResource(o.queryRow(ctx,
		`SELECT `+resourceCols+` FROM resources WHERE kind = ? AND scope = ? AND name_key = ?`,
		string(k.Kind), k.Scope, store.NameKey(k.Name)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: get %s: %w", keyString(k), store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: get %s: %w", keyString(k), err)
	}
	return r, nil
}

// GetByID implements store.Reader.
func (o *ops) GetByID(ctx context.Context, kind store.Kind, id string) (*store.Resource, error) {
	if id == "" || !store.ValidText(id) || !store.ValidText(string(kind)) {
		return nil, fmt.Errorf("sqlstore: get %s by id: %w", kind, store.ErrNotFound)
	}
	r, err := scanResource(o.queryRow(ctx,
		`SELECT `+resourceCols+` FROM resources WHERE kind = ? AND id = ?`, string(kind), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: get %s by id %q: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: get %s by id %q: %w", kind, id, err)
	}
	return r, nil
}

// subtree returns a predicate matching k and its descendants on the given
// kind, scope and name-key columns, with its arguments.
func subtree(kindCol, scopeCol, nameCol string, k store.Key) (string, []any) {
	p := k.Path()
	return "((" + kindCol + " = ? AND " + scopeCol + " = ? AND " + nameCol + " = ?) OR " +
			scopeCol + " = ? OR (" + scopeCol + " >= ? AND " + scopeCol + " < ?))",
		[]any{string(k.Kind), k.Scope, store.NameKey(k.Name), p, p + "/", p + "0"}
}

// limitClause returns " LIMIT n", or "" when limit <= 0 (no limit).
func limitClause(limit int) string {
	if limit <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(limit)
}

// Referrers implements store.Reader: resources outside k's subtree with a
// reference into it, ordered by kind, scope and name, at most limit (no
// limit when limit <= 0).
func (o *ops) Referrers(ctx context.Context, k store.Key, limit int) ([]store.Key, error) {
	if !validKey(k) {
		return nil, nil
	}
	keys, err := o.referrers(ctx, k, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: referrers of %s: %w", keyString(k), err)
	}
	return keys, nil
}

func (o *ops) referrers(ctx context.Context, k store.Key, limit int) ([]store.Key, error) {
	into, intoArgs := subtree("f.to_kind", "f.to_scope", "f.to_name_key", k)
	from, fromArgs := subtree("f.from_kind", "f.from_scope", "f.from_name_key", k)
	rows, err := o.query(ctx,
		`SELECT DISTINCT f.from_kind, f.from_scope, f.from_name_key, COALESCE(r.name, f.from_name_key)
		FROM refs f LEFT JOIN resources r
			ON r.kind = f.from_kind AND r.scope = f.from_scope AND r.name_key = f.from_name_key
		WHERE `+into+` AND NOT `+from+`
		ORDER BY f.from_kind, f.from_scope, f.from_name_key`+limitClause(limit),
		append(intoArgs, fromArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []store.Key
	for rows.Next() {
		var kind, scope, nameKey, name string
		if err := rows.Scan(&kind, &scope, &nameKey, &name); err != nil {
			return nil, err
		}
		keys = append(keys, store.Key{Kind: store.Kind(kind), Scope: scope, Name: name})
	}
	return keys, rows.Err()
}

const contentKeyCols = `scope, locator_name, locator_id, kid, type, label, policy_name, tracks, sealed`

// ContentKeys implements store.Reader.
func (o *ops) ContentKeys(ctx context.Context, scope, locatorName string) ([]store.ContentKey, error) {
	if !store.ValidText(scope) || !store.ValidText(locatorName) {
		return nil, nil
	}
	keys, err := o.contentKeys(ctx,
		`SELECT `+contentKeyCols+` FROM content_keys WHERE scope = ? AND locator_name_key = ? ORDER BY seq`,
		scope, store.NameKey(locatorName))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: content keys of locator %s/%s: %w", scope, locatorName, err)
	}
	return keys, nil
}

// ContentKeysByKID implements store.Reader.
func (o *ops) ContentKeysByKID(ctx context.Context, kid string) ([]store.ContentKey, error) {
	if !store.ValidText(kid) {
		return nil, nil
	}
	keys, err := o.contentKeys(ctx,
		`SELECT `+contentKeyCols+` FROM content_keys WHERE kid = ? ORDER BY seq`, kid)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: content keys with kid %q: %w", kid, err)
	}
	return keys, nil
}

func (o *ops) contentKeys(ctx context.Context, query string, args ...any) ([]store.ContentKey, error) {
	rows, err := o.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []store.ContentKey
	for rows.Next() {
		var ck store.ContentKey
		if err := rows.Scan(&ck.Scope, &ck.LocatorName, &ck.LocatorID, &ck.KID, &ck.Type,
			&ck.Label, &ck.PolicyName, &ck.Tracks, &ck.Sealed); err != nil {
			return nil, err
		}
		keys = append(keys, ck)
	}
	return keys, rows.Err()
}
