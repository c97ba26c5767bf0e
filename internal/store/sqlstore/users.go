package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lockstream/lockstream/internal/store"
)

// A user and its memberships are read in one statement (the user row
// left-joined to its groups), so a read never mixes two versions.
const userSelect = `SELECT u.seq, u.name, u.id, u.display_name, u.secret, u.claims, u.created, u.modified, u.version, m.group_name
	FROM %s u LEFT JOIN sts_memberships m ON m.user_seq = u.seq
	ORDER BY u.name_key, m.group_name`

// scanUsers reads userSelect rows, one or more per user, into users.
func scanUsers(rows *sql.Rows) ([]*store.User, error) {
	defer rows.Close()
	var (
		users   []*store.User
		lastSeq int64 = -1
	)
	for rows.Next() {
		var (
			u                 store.User
			seq               int64
			claims, group     sql.NullString
			created, modified string
		)
		if err := rows.Scan(&seq, &u.Name, &u.ID, &u.DisplayName, &u.Secret, &claims, &created, &modified, &u.Version, &group); err != nil {
			return nil, err
		}
		if seq != lastSeq {
			var err error
			if u.Created, err = parseTime(created); err != nil {
				return nil, err
			}
			if u.Modified, err = parseTime(modified); err != nil {
				return nil, err
			}
			if claims.Valid {
				u.Claims = []byte(claims.String)
			}
			u.Groups = []string{}
			users = append(users, &u)
			lastSeq = seq
		}
		if group.Valid {
			last := users[len(users)-1]
			last.Groups = append(last.Groups, group.String)
		}
	}
	return users, rows.Err()
}

// GetUser implements store.Reader.
func (o *ops) GetUser(ctx context.Context, name string) (*store.User, error) {
	if name == "" || !store.ValidText(name) {
		return nil, fmt.Errorf("sqlstore: get user %.64q: %w", name, store.ErrNotFound)
	}
	rows, err := o.query(ctx, fmt.Sprintf(userSelect, `(SELECT * FROM sts_users WHERE name_key = ?)`), store.NameKey(name))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: get user %.64q: %w", name, err)
	}
	users, err := scanUsers(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: get user %.64q: %w", name, err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("sqlstore: get user %.64q: %w", name, store.ErrNotFound)
	}
	return users[0], nil
}

// ListUsers implements store.Reader.
func (o *ops) ListUsers(ctx context.Context, after string, limit int) ([]*store.User, error) {
	if !store.ValidText(after) {
		return nil, fmt.Errorf("sqlstore: list users: %w: cursor is not valid text", store.ErrInvalid)
	}
	inner := `(SELECT * FROM sts_users WHERE name_key > ? ORDER BY name_key` + limitClause(limit) + `)`
	rows, err := o.query(ctx, fmt.Sprintf(userSelect, inner), store.NameKey(after))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list users: %w", err)
	}
	users, err := scanUsers(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list users: %w", err)
	}
	return users, nil
}

// userArgs returns the stored form of u's mutable columns: display_name,
// secret, claims, modified.
func userArgs(u *store.User) ([]any, error) {
	if err := store.ValidateUser(u); err != nil {
		return nil, err
	}
	modified, err := formatTime("modified", u.Modified)
	if err != nil {
		return nil, err
	}
	return []any{u.DisplayName, nullBytes(u.Secret), nullText(u.Claims), modified}, nil
}

// CreateUser implements store.Tx.
func (o *ops) CreateUser(ctx context.Context, u *store.User) error {
	args, err := userArgs(u)
	if err != nil {
		return fmt.Errorf("sqlstore: create user: %w", err)
	}
	created, err := formatTime("created", u.Created)
	if err != nil {
		return fmt.Errorf("sqlstore: create user %.64q: %w", u.Name, err)
	}
	// DO NOTHING rather than an error: in PostgreSQL a unique violation
	// would abort the caller's whole transaction.
	res, err := o.exec(ctx,
		`INSERT INTO sts_users (name, name_key, id, display_name, secret, claims, modified, created, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`,
		append(append([]any{u.Name, store.NameKey(u.Name), u.ID}, args...), created)...)
	if err != nil {
		return fmt.Errorf("sqlstore: create user %.64q: %w", u.Name, o.classify(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: create user %.64q: %w", u.Name, err)
	} else if n == 0 {
		return fmt.Errorf("sqlstore: create user %.64q: name or id taken: %w", u.Name, store.ErrConflict)
	}
	u.Version = 1
	return nil
}

// ReplaceUser implements store.Tx. The name's casing is overwritten too.
func (o *ops) ReplaceUser(ctx context.Context, u *store.User) error {
	args, err := userArgs(u)
	if err != nil {
		return fmt.Errorf("sqlstore: replace user: %w", err)
	}
	nk := store.NameKey(u.Name)
	var version int64
	err = o.queryRow(ctx, `SELECT version FROM sts_users WHERE name_key = ?`, nk).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: replace user %.64q: %w", u.Name, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: replace user %.64q: %w", u.Name, err)
	}
	if u.Version != 0 && u.Version != version {
		return fmt.Errorf("sqlstore: replace user %.64q: have version %d, stored %d: %w", u.Name, u.Version, version, store.ErrStale)
	}
	// The version condition makes the read-check-write atomic.
	res, err := o.exec(ctx,
		`UPDATE sts_users SET display_name = ?, secret = ?, claims = ?, modified = ?, name = ?, version = version + 1
		WHERE name_key = ? AND version = ?`,
		append(args, u.Name, nk, version)...)
	if err != nil {
		return fmt.Errorf("sqlstore: replace user %.64q: %w", u.Name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: replace user %.64q: %w", u.Name, err)
	} else if n == 0 {
		return fmt.Errorf("sqlstore: replace user %.64q: changed concurrently: %w", u.Name, store.ErrStale)
	}
	u.Version = version + 1
	return nil
}

// userSeq returns the row number of a user; ErrNotFound when absent.
func (o *ops) userSeq(ctx context.Context, name string) (int64, error) {
	if name == "" || !store.ValidText(name) {
		return 0, store.ErrNotFound
	}
	var seq int64
	err := o.queryRow(ctx, `SELECT seq FROM sts_users WHERE name_key = ?`, store.NameKey(name)).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.ErrNotFound
	}
	return seq, err
}

// DeleteUser implements store.Tx.
func (o *ops) DeleteUser(ctx context.Context, name string) error {
	seq, err := o.userSeq(ctx, name)
	if err != nil {
		return fmt.Errorf("sqlstore: delete user %.64q: %w", name, err)
	}
	// Memberships go first and explicitly: the foreign key's cascade is a
	// safety net, not something to rely on in every deployment.
	if _, err := o.exec(ctx, `DELETE FROM sts_memberships WHERE user_seq = ?`, seq); err != nil {
		return fmt.Errorf("sqlstore: delete user %.64q: memberships: %w", name, err)
	}
	if _, err := o.exec(ctx, `DELETE FROM sts_users WHERE seq = ?`, seq); err != nil {
		return fmt.Errorf("sqlstore: delete user %.64q: %w", name, err)
	}
	return nil
}

// AddGroup implements store.Tx.
func (o *ops) AddGroup(ctx context.Context, name, group string) error {
	if !store.ValidGroup(group) {
		return fmt.Errorf("sqlstore: add group: %w: group must be 1 to %d bytes of text", store.ErrInvalid, store.MaxGroupNameLen)
	}
	seq, err := o.userSeq(ctx, name)
	if err != nil {
		return fmt.Errorf("sqlstore: add group to user %.64q: %w", name, err)
	}
	if _, err := o.exec(ctx, `INSERT INTO sts_memberships (user_seq, group_name) VALUES (?, ?) ON CONFLICT DO NOTHING`, seq, group); err != nil {
		return fmt.Errorf("sqlstore: add group to user %.64q: %w", name, err)
	}
	return nil
}

// RemoveGroup implements store.Tx.
func (o *ops) RemoveGroup(ctx context.Context, name, group string) error {
	seq, err := o.userSeq(ctx, name)
	if err != nil {
		return fmt.Errorf("sqlstore: remove group of user %.64q: %w", name, err)
	}
	res, err := o.exec(ctx, `DELETE FROM sts_memberships WHERE user_seq = ? AND group_name = ?`, seq, group)
	if err != nil {
		return fmt.Errorf("sqlstore: remove group of user %.64q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: remove group of user %.64q: %w", name, err)
	} else if n == 0 {
		return fmt.Errorf("sqlstore: remove group %.64q of user %.64q: not a member: %w", group, name, store.ErrNotFound)
	}
	return nil
}
