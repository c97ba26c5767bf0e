package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

const tableCPIXKeys = "cpix_keys"

const cpixKeyCols = `scope, content_id, kid, scheme, label, created, sealed`

// CPIXKey implements store.Reader.
func (s *DB) CPIXKey(ctx context.Context, scope, kid string) (*store.CPIXKey, error) {
	return s.reader().CPIXKey(ctx, scope, kid)
}

// CPIXKeysByContent implements store.Reader.
func (s *DB) CPIXKeysByContent(ctx context.Context, scope, contentID string) ([]store.CPIXKey, error) {
	return s.reader().CPIXKeysByContent(ctx, scope, contentID)
}

// CPIXKey implements store.Reader.
func (o *ops) CPIXKey(ctx context.Context, scope, kid string) (*store.CPIXKey, error) {
	if !store.ValidText(scope) || !store.ValidText(kid) {
		return nil, fmt.Errorf("sqlstore: cpix key %q: %w", kid, store.ErrNotFound)
	}
	ks, err := o.cpixKeys(ctx, `SELECT `+cpixKeyCols+` FROM cpix_keys WHERE scope = ? AND kid = ?`, scope, kid)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: cpix key %q: %w", kid, err)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("sqlstore: cpix key %q: %w", kid, store.ErrNotFound)
	}
	return &ks[0], nil
}

// CPIXKeysByContent implements store.Reader.
func (o *ops) CPIXKeysByContent(ctx context.Context, scope, contentID string) ([]store.CPIXKey, error) {
	if !store.ValidText(scope) || !store.ValidText(contentID) {
		return nil, nil
	}
	ks, err := o.cpixKeys(ctx, `SELECT `+cpixKeyCols+` FROM cpix_keys WHERE scope = ? AND content_id = ? ORDER BY seq`, scope, contentID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: cpix keys of content %q: %w", contentID, err)
	}
	return ks, nil
}

func (o *ops) cpixKeys(ctx context.Context, q string, args ...any) ([]store.CPIXKey, error) {
	rows, err := o.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CPIXKey
	for rows.Next() {
		var (
			k       store.CPIXKey
			created string
		)
		if err := rows.Scan(&k.Scope, &k.ContentID, &k.KID, &k.Scheme, &k.Label, &created, &k.Sealed); err != nil {
			return nil, err
		}
		t, err := time.Parse(store.TimeLayout, created)
		if err != nil {
			return nil, fmt.Errorf("created %q: %w", created, err)
		}
		k.Created = t
		out = append(out, k)
	}
	return out, rows.Err()
}

// accountOfScope returns the account key whose children live in scope.
func accountOfScope(scope string) (store.Key, bool) {
	const sep = "/providers/microsoft.media/mediaservices/"
	i := strings.LastIndex(scope, sep)
	if i <= 0 {
		return store.Key{}, false
	}
	name := scope[i+len(sep):]
	if name == "" || strings.Contains(name, "/") {
		return store.Key{}, false
	}
	return store.Key{Kind: store.KindAccount, Scope: scope[:i], Name: name}, true
}

// PutCPIXKey implements store.Tx.
func (o *ops) PutCPIXKey(ctx context.Context, k *store.CPIXKey) (*store.CPIXKey, error) {
	acct, ok := accountOfScope(k.Scope)
	if !ok || k.KID == "" || len(k.Sealed) == 0 || !store.ValidText(k.KID) || !store.ValidText(k.ContentID) ||
		!store.ValidText(k.Scheme) || !store.ValidText(k.Label) || !store.ValidText(k.Scope) {
		return nil, fmt.Errorf("sqlstore: put cpix key: %w: key needs an account scope, a kid, a sealed value and valid text", store.ErrInvalid)
	}
	var one int
	err := o.queryRow(ctx, `SELECT 1 FROM resources WHERE kind = ? AND scope = ? AND name_key = ?`,
		string(acct.Kind), acct.Scope, store.NameKey(acct.Name)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: put cpix key: account %s: %w", keyString(acct), store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: put cpix key: %w", err)
	}
	if _, err := o.exec(ctx,
		`INSERT INTO cpix_keys (scope, kid, content_id, scheme, label, created, sealed) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.Scope, k.KID, k.ContentID, k.Scheme, k.Label, store.FormatTime(k.Created), k.Sealed); err != nil {
		return nil, fmt.Errorf("sqlstore: put cpix key %s: %w", k.KID, o.classify(err))
	}
	return o.CPIXKey(ctx, k.Scope, k.KID)
}
