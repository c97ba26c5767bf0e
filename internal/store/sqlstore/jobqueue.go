package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// The encoding job queue (table job_queue, migration 0003). Lease times
// are Unix microseconds of the callers' clocks; nodes sharing a store are
// expected to keep their clocks synchronised to well within a lease TTL.

// EnqueueJob implements store.Tx.
func (o *ops) EnqueueJob(ctx context.Context, j store.QueuedJob) error {
	_, err := o.exec(ctx, `INSERT INTO job_queue (kind, scope, name, name_key, priority, created) VALUES (?, ?, ?, ?, ?, ?)`,
		string(store.KindJob), j.Scope, j.Name, store.NameKey(j.Name), j.Priority, j.Created.UnixMicro())
	if err != nil {
		if o.d.IsUniqueViolation != nil && o.d.IsUniqueViolation(err) {
			return fmt.Errorf("sqlstore: enqueue job %s/%s: %w", j.Scope, j.Name, store.ErrConflict)
		}
		return fmt.Errorf("sqlstore: enqueue job %s/%s: %w", j.Scope, j.Name, err)
	}
	return nil
}

// SetJobPriority implements store.Tx.
func (o *ops) SetJobPriority(ctx context.Context, scope, name string, priority int) error {
	res, err := o.exec(ctx, `UPDATE job_queue SET priority = ? WHERE scope = ? AND name_key = ?`, priority, scope, store.NameKey(name))
	if err := affected(res, err, store.ErrNotFound); err != nil {
		return fmt.Errorf("sqlstore: set priority of job %s/%s: %w", scope, name, err)
	}
	return nil
}

// CancelQueuedJob implements store.Tx.
func (o *ops) CancelQueuedJob(ctx context.Context, scope, name string, now time.Time) (bool, error) {
	var owner string
	var expires int64
	err := o.queryRow(ctx, `SELECT owner, lease_expires FROM job_queue WHERE scope = ? AND name_key = ?`, scope, store.NameKey(name)).Scan(&owner, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("sqlstore: cancel job %s/%s: %w", scope, name, store.ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("sqlstore: cancel job %s/%s: %w", scope, name, err)
	}
	leased := owner != "" && expires > now.UnixMicro()
	if leased {
		_, err = o.exec(ctx, `UPDATE job_queue SET cancel = 1 WHERE scope = ? AND name_key = ?`, scope, store.NameKey(name))
	} else {
		_, err = o.exec(ctx, `DELETE FROM job_queue WHERE scope = ? AND name_key = ?`, scope, store.NameKey(name))
	}
	if err != nil {
		return false, fmt.Errorf("sqlstore: cancel job %s/%s: %w", scope, name, err)
	}
	return leased, nil
}

// HoldsLease implements store.Tx. It writes the row (a no-op update)
// rather than reading it: the write takes the row lock, so in PostgreSQL a
// concurrent re-lease either waits for this transaction or makes it fail
// with a serialization error (and WithTx's retry then sees the new token).
func (o *ops) HoldsLease(ctx context.Context, l store.Lease) error {
	res, err := o.exec(ctx, `UPDATE job_queue SET token = token WHERE id = ? AND token = ?`, l.Row, l.Token)
	if err := affected(res, err, store.ErrLeaseLost); err != nil {
		return fmt.Errorf("sqlstore: lease of job %s/%s: %w", l.Scope, l.Name, err)
	}
	return nil
}

// FinishJob implements store.Tx.
func (o *ops) FinishJob(ctx context.Context, l store.Lease) error {
	res, err := o.exec(ctx, `DELETE FROM job_queue WHERE id = ? AND token = ?`, l.Row, l.Token)
	if err := affected(res, err, store.ErrLeaseLost); err != nil {
		return fmt.Errorf("sqlstore: finish job %s/%s: %w", l.Scope, l.Name, err)
	}
	return nil
}

// affected maps an exec result touching no row to none.
func affected(res sql.Result, err error, none error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return none
	}
	return nil
}

// autocommit runs fn on the write pool outside a transaction, again when
// it fails with a retryable error (a busy SQLite file, a serialization
// failure where PostgreSQL defaults to SERIALIZABLE); fn is one statement,
// so a failed run had no effect.
func (s *DB) autocommit(ctx context.Context, fn func(q querier) error) error {
	for attempt := 1; ; attempt++ {
		err := fn(s.write)
		if err == nil || attempt >= s.d.MaxAttempts || s.d.IsRetryable == nil || !s.d.IsRetryable(err) {
			return err
		}
		if werr := waitRetry(ctx, attempt); werr != nil {
			return fmt.Errorf("%w (after %w)", werr, err)
		}
	}
}

// LeaseJob implements store.Store: one UPDATE of the next ready row. In
// PostgreSQL the row selection skips rows other leasers have locked, so
// concurrent nodes take different jobs without waiting; in SQLite the one
// write connection serialises leasers. The pick is a scalar subquery
// (WHERE id = (…)), which PostgreSQL runs once per statement as an
// InitPlan; unlike an IN (…) subquery it cannot be re-run by a join and
// lease more than the one row (see LeaseDeliveries).
func (s *DB) LeaseJob(ctx context.Context, owner string, now time.Time, ttl time.Duration) (*store.Lease, error) {
	q := s.d.rebind(`UPDATE job_queue SET owner = ?, lease_expires = ?, attempts = attempts + 1, token = token + 1
		WHERE id = (SELECT id FROM job_queue WHERE lease_expires <= ? ORDER BY priority DESC, created, id LIMIT 1` + s.d.SkipLocked + `)
		RETURNING id, scope, name, attempts, token, lease_expires, cancel`)
	exp := now.Add(ttl)
	l := &store.Lease{Owner: owner}
	err := s.autocommit(ctx, func(db querier) error {
		var expires int64
		var cancel int
		err := db.QueryRowContext(ctx, q, owner, exp.UnixMicro(), now.UnixMicro()).Scan(&l.Row, &l.Scope, &l.Name, &l.Attempts, &l.Token, &expires, &cancel)
		l.Expires, l.Cancel = time.UnixMicro(expires).UTC(), cancel != 0
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: lease job: %w", err)
	}
	return l, nil
}

// RenewLease implements store.Store.
func (s *DB) RenewLease(ctx context.Context, l *store.Lease, now time.Time, ttl time.Duration) error {
	q := s.d.rebind(`UPDATE job_queue SET lease_expires = ? WHERE id = ? AND token = ? RETURNING cancel`)
	exp := now.Add(ttl)
	var cancel int
	err := s.autocommit(ctx, func(db querier) error {
		return db.QueryRowContext(ctx, q, exp.UnixMicro(), l.Row, l.Token).Scan(&cancel)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: renew lease of job %s/%s: %w", l.Scope, l.Name, store.ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: renew lease of job %s/%s: %w", l.Scope, l.Name, err)
	}
	l.Expires, l.Cancel = time.UnixMicro(exp.UnixMicro()).UTC(), cancel != 0
	return nil
}

// ReleaseJob implements store.Store.
func (s *DB) ReleaseJob(ctx context.Context, l store.Lease) error {
	q := s.d.rebind(`UPDATE job_queue SET owner = '', lease_expires = 0, attempts = attempts - 1 WHERE id = ? AND token = ?`)
	err := s.autocommit(ctx, func(db querier) error {
		res, err := db.ExecContext(ctx, q, l.Row, l.Token)
		return affected(res, err, store.ErrLeaseLost)
	})
	if err != nil {
		return fmt.Errorf("sqlstore: release job %s/%s: %w", l.Scope, l.Name, err)
	}
	return nil
}
