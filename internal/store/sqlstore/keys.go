package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/lockstream/lockstream/internal/store"
)

// PutContentKeys implements store.Tx. All keys must belong to one locator,
// which must exist (so that deleting it, or its account, removes them);
// a KID already stored for that locator is ErrConflict.
func (o *ops) PutContentKeys(ctx context.Context, keys []store.ContentKey) error {
	if len(keys) == 0 {
		return nil
	}
	scope, locator := keys[0].Scope, keys[0].LocatorName
	loc := store.Key{Kind: store.KindStreamingLocator, Scope: scope, Name: locator}
	for _, ck := range keys {
		if ck.Scope != scope || store.NameKey(ck.LocatorName) != store.NameKey(locator) {
			return fmt.Errorf("sqlstore: put content keys: %w: keys of more than one locator", store.ErrInvalid)
		}
		if ck.KID == "" || len(ck.Sealed) == 0 || !validKey(loc) ||
			!store.ValidText(ck.KID) || !store.ValidText(ck.LocatorID) || !store.ValidText(ck.Type) ||
			!store.ValidText(ck.Label) || !store.ValidText(ck.PolicyName) {
			return fmt.Errorf("sqlstore: put content keys of %s: %w: key needs a kid, a sealed value and valid text", keyString(loc), store.ErrInvalid)
		}
	}
	var one int
	err := o.queryRow(ctx, `SELECT 1 FROM resources WHERE kind = ? AND scope = ? AND name_key = ?`,
		string(loc.Kind), scope, store.NameKey(locator)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: put content keys: locator %s: %w", keyString(loc), store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: put content keys of %s: %w", keyString(loc), err)
	}
	for _, ck := range keys {
		res, err := o.exec(ctx,
			`INSERT INTO content_keys (scope, locator_name_key, locator_name, locator_id, kid, type, label, policy_name, tracks, sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			ck.Scope, store.NameKey(ck.LocatorName), ck.LocatorName, ck.LocatorID, ck.KID,
			ck.Type, ck.Label, ck.PolicyName, nullBytes(ck.Tracks), ck.Sealed)
		if err != nil {
			return fmt.Errorf("sqlstore: put content key %s of %s: %w", ck.KID, keyString(loc), o.classify(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlstore: put content key %s of %s: %w", ck.KID, keyString(loc), err)
		} else if n == 0 {
			return fmt.Errorf("sqlstore: put content key %s of %s: %w", ck.KID, keyString(loc), store.ErrConflict)
		}
	}
	return nil
}

// Sealed blobs live in four tables, visited in this (bytewise) order.
// The RowID is the row's seq, zero-padded so that RowID text order is seq
// order; seqs are never reused, so a RowID names one row for good.
const (
	tableContentKeys = "content_keys"
	tableResources   = "resources"
	tableUsers       = "sts_users"
)

var sealedTables = []string{tableContentKeys, tableCPIXKeys, tableResources, tableUsers}

func formatRowID(seq int64) string { return fmt.Sprintf("%020d", seq) }

// SealedItems implements store.Tx: content keys, then key-exchange keys, then resource secrets,
// then user secrets, each in seq order; at most limit items (all when
// limit <= 0).
func (o *ops) SealedItems(ctx context.Context, afterTable, afterRowID string, limit int) ([]store.SealedItem, error) {
	var items []store.SealedItem
	for _, table := range sealedTables {
		if table < afterTable {
			continue
		}
		var after int64
		if table == afterTable && afterRowID != "" {
			n, err := strconv.ParseInt(afterRowID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("sqlstore: sealed items: %w: row id %q", store.ErrInvalid, afterRowID)
			}
			after = n
		}
		remaining := 0
		if limit > 0 {
			if remaining = limit - len(items); remaining <= 0 {
				break
			}
		}
		var err error
		if items, err = o.sealedItems(ctx, items, table, after, remaining); err != nil {
			return nil, fmt.Errorf("sqlstore: sealed items in %s: %w", table, err)
		}
	}
	return items, nil
}

func (o *ops) sealedItems(ctx context.Context, items []store.SealedItem, table string, after int64, limit int) ([]store.SealedItem, error) {
	q := `SELECT seq, scope, locator_name_key, kid, sealed FROM content_keys WHERE seq > ? ORDER BY seq`
	switch table {
	case tableResources:
		q = `SELECT seq, kind, scope, name_key, secret FROM resources WHERE secret IS NOT NULL AND seq > ? ORDER BY seq`
	case tableUsers:
		q = `SELECT seq, name_key, name_key, name_key, secret FROM sts_users WHERE secret IS NOT NULL AND seq > ? ORDER BY seq`
	case tableCPIXKeys:
		q = `SELECT seq, scope, kid, kid, sealed FROM cpix_keys WHERE seq > ? ORDER BY seq`
	}
	rows, err := o.query(ctx, q+limitClause(limit), after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq     int64
			a, b, c string
			blob    []byte
		)
		if err := rows.Scan(&seq, &a, &b, &c, &blob); err != nil {
			return nil, err
		}
		it := store.SealedItem{Table: table, RowID: formatRowID(seq), Sealed: blob}
		switch table {
		case tableResources:
			it.AAD = store.ResourceAAD(store.Kind(a), b, c)
		case tableUsers:
			it.AAD = store.UserAAD(a)
		case tableCPIXKeys:
			it.AAD = store.CPIXKeyAAD(a, b)
		default:
			it.AAD = store.ContentKeyAAD(a, b, c)
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// UpdateSealed implements store.Tx. Updating a resource's secret bumps its
// Version, so a concurrent read-modify-write holding the old blob fails
// with ErrStale instead of writing back a blob sealed under a retired key.
func (o *ops) UpdateSealed(ctx context.Context, it store.SealedItem) error {
	seq, err := strconv.ParseInt(it.RowID, 10, 64)
	if err != nil || len(it.Sealed) == 0 {
		return fmt.Errorf("sqlstore: update sealed %s %s: %w: bad row id or empty blob", it.Table, it.RowID, store.ErrInvalid)
	}
	var q string
	switch it.Table {
	case tableResources:
		q = `UPDATE resources SET secret = ?, version = version + 1 WHERE seq = ? AND secret IS NOT NULL`
	case tableContentKeys:
		q = `UPDATE content_keys SET sealed = ? WHERE seq = ?`
	case tableCPIXKeys:
		q = `UPDATE cpix_keys SET sealed = ? WHERE seq = ?`
	case tableUsers:
		q = `UPDATE sts_users SET secret = ?, version = version + 1 WHERE seq = ? AND secret IS NOT NULL`
	default:
		return fmt.Errorf("sqlstore: update sealed: %w: unknown table %q", store.ErrInvalid, it.Table)
	}
	res, err := o.exec(ctx, q, it.Sealed, seq)
	if err != nil {
		return fmt.Errorf("sqlstore: update sealed %s %s: %w", it.Table, it.RowID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: update sealed %s %s: %w", it.Table, it.RowID, err)
	} else if n == 0 {
		return fmt.Errorf("sqlstore: update sealed %s %s: %w", it.Table, it.RowID, store.ErrNotFound)
	}
	return nil
}
