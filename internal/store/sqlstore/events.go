package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

func micro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicro(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// AppendOutbox implements store.EventTx.
func (o *ops) AppendOutbox(ctx context.Context, evs []store.OutboxEvent) error {
	for i := range evs {
		e := &evs[i]
		if e.ID == "" || e.Scope == "" || e.Type == "" || len(e.Body) == 0 {
			return fmt.Errorf("sqlstore: append outbox: event %d lacks id, scope, type or body: %w", i, store.ErrInvalid)
		}
		for _, s := range []string{e.ID, e.Scope, e.Type, e.Subject} {
			if !store.ValidText(s) {
				return fmt.Errorf("sqlstore: append outbox: event %q: %w", e.ID, store.ErrInvalid)
			}
		}
		err := o.queryRow(ctx, `INSERT INTO event_outbox (id, scope, type, subject, time, body) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`,
			e.ID, e.Scope, e.Type, e.Subject, micro(e.Time), e.Body).Scan(&e.Seq)
		if err != nil {
			return fmt.Errorf("sqlstore: append outbox: %w", err)
		}
	}
	return nil
}

// PendingOutbox implements store.EventTx.
func (o *ops) PendingOutbox(ctx context.Context, limit int) ([]store.OutboxEvent, error) {
	rows, err := o.query(ctx, `SELECT seq, id, scope, type, subject, time, body FROM event_outbox ORDER BY seq`+limitClause(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: pending outbox: %w", err)
	}
	defer rows.Close()
	var out []store.OutboxEvent
	for rows.Next() {
		var e store.OutboxEvent
		var t int64
		if err := rows.Scan(&e.Seq, &e.ID, &e.Scope, &e.Type, &e.Subject, &t, &e.Body); err != nil {
			return nil, fmt.Errorf("sqlstore: pending outbox: %w", err)
		}
		e.Time = fromMicro(t)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: pending outbox: %w", err)
	}
	return out, nil
}

// FanOut implements store.EventTx.
func (o *ops) FanOut(ctx context.Context, done []int64, ds []store.Delivery) error {
	for _, d := range ds {
		_, err := o.exec(ctx, `INSERT INTO event_deliveries (scope, subscription, event_id, event_type, body, published, due)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, subscription, event_id) DO NOTHING`,
			d.Scope, store.NameKey(d.Subscription), d.EventID, d.EventType, d.Body, micro(d.Published), micro(d.Due))
		if err != nil {
			return fmt.Errorf("sqlstore: fan out event %s: %w", d.EventID, err)
		}
	}
	for _, seq := range done {
		if _, err := o.exec(ctx, `DELETE FROM event_outbox WHERE seq = ?`, seq); err != nil {
			return fmt.Errorf("sqlstore: fan out: remove outbox event %d: %w", seq, err)
		}
	}
	return nil
}

// ReplayDeliveries implements store.EventTx.
func (o *ops) ReplayDeliveries(ctx context.Context, scope, subscription string, due time.Time) (int64, error) {
	res, err := o.exec(ctx, `UPDATE event_deliveries SET state = 0, attempts = 0, due = ?, lease_owner = '', lease_until = 0, dead_reason = ''
		WHERE scope = ? AND subscription = ? AND state = 1`, micro(due), scope, store.NameKey(subscription))
	if err != nil {
		return 0, fmt.Errorf("sqlstore: replay deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: replay deliveries: %w", err)
	}
	return n, nil
}

// DeleteDeliveries implements store.EventTx.
func (o *ops) DeleteDeliveries(ctx context.Context, scope, subscription string) error {
	k := store.NameKey(subscription)
	if _, err := o.exec(ctx, `DELETE FROM event_deliveries WHERE scope = ? AND subscription = ?`, scope, k); err != nil {
		return fmt.Errorf("sqlstore: delete deliveries: %w", err)
	}
	if _, err := o.exec(ctx, `DELETE FROM event_subscription_stats WHERE scope = ? AND subscription = ?`, scope, k); err != nil {
		return fmt.Errorf("sqlstore: delete delivery counters: %w", err)
	}
	return nil
}

const deliveryColumns = `seq, scope, subscription, event_id, event_type, body, published, due, attempts, state,
	lease_owner, lease_until, last_attempt, last_status, last_outcome, dead_reason`

func scanDelivery(rows *sql.Rows) (store.Delivery, error) {
	var (
		d                                       store.Delivery
		published, due, leaseUntil, lastAttempt int64
		state                                   int
	)
	err := rows.Scan(&d.Seq, &d.Scope, &d.Subscription, &d.EventID, &d.EventType, &d.Body, &published, &due, &d.Attempts, &state,
		&d.LeaseOwner, &leaseUntil, &lastAttempt, &d.LastStatus, &d.LastOutcome, &d.DeadReason)
	d.Published, d.Due, d.LeaseUntil, d.LastAttempt = fromMicro(published), fromMicro(due), fromMicro(leaseUntil), fromMicro(lastAttempt)
	d.Dead = state == 1
	return d, err
}

// LeaseDeliveries implements store.DeliveryQueue. It is one statement in
// autocommit mode: a materialized CTE picks at most limit due rows whose
// lease has ended (skipping rows another worker is claiming right now in
// PostgreSQL), and the update stamps them with the new owner.
//
// The pick must be a MATERIALIZED CTE, evaluated once: in the earlier
// form "UPDATE … WHERE seq IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)"
// PostgreSQL planned a nested-loop semi-join that re-ran the subquery for
// every outer row; each re-run skipped the rows this statement had just
// updated and picked the next ones, so one call leased every due row
// whatever the limit. In READ COMMITTED a row claimed and committed by
// another worker meanwhile is re-checked against the pick's WHERE clause
// and dropped, so no row is leased twice; the update re-checks state and
// lease as well.
func (s *DB) LeaseDeliveries(ctx context.Context, owner string, now, until time.Time, limit int) ([]store.Delivery, error) {
	if owner == "" || limit <= 0 {
		return nil, fmt.Errorf("sqlstore: lease deliveries: need an owner and a positive limit: %w", store.ErrInvalid)
	}
	q := s.d.rebind(`WITH picked (pick) AS MATERIALIZED (
			SELECT seq FROM event_deliveries WHERE state = 0 AND due <= ? AND lease_until <= ?
			ORDER BY due, seq` + limitClause(limit) + s.d.SkipLocked + `)
		UPDATE event_deliveries SET lease_owner = ?, lease_until = ?
		FROM picked WHERE seq = pick AND state = 0 AND lease_until <= ?
		RETURNING ` + deliveryColumns)
	cur := now.UnixMicro()
	for attempt := 1; ; attempt++ {
		out, err := s.leaseOnce(ctx, q, owner, until.UnixMicro(), cur)
		if err == nil {
			return out, nil
		}
		if attempt >= s.d.MaxAttempts || s.d.IsRetryable == nil || !s.d.IsRetryable(err) {
			return nil, fmt.Errorf("sqlstore: lease deliveries: %w", err)
		}
		if werr := waitRetry(ctx, attempt); werr != nil {
			return nil, fmt.Errorf("sqlstore: lease deliveries: %w (after %w)", werr, err)
		}
	}
}

func (s *DB) leaseOnce(ctx context.Context, q, owner string, until, now int64) ([]store.Delivery, error) {
	rows, err := s.write.QueryContext(ctx, q, now, now, owner, until, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// SettleDeliveries implements store.DeliveryQueue. One transaction at the
// pool's default isolation: each row is changed only while owner still
// holds its lease, and the subscription counters move with it.
func (s *DB) SettleDeliveries(ctx context.Context, owner string, rs []store.DeliveryResult) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	for attempt := 1; ; attempt++ {
		n, err := s.settleOnce(ctx, owner, rs)
		if err == nil {
			return n, nil
		}
		if attempt >= s.d.MaxAttempts || s.d.IsRetryable == nil || !s.d.IsRetryable(err) {
			return 0, fmt.Errorf("sqlstore: settle deliveries: %w", err)
		}
		if werr := waitRetry(ctx, attempt); werr != nil {
			return 0, fmt.Errorf("sqlstore: settle deliveries: %w (after %w)", werr, err)
		}
	}
}

func (s *DB) settleOnce(ctx context.Context, owner string, rs []store.DeliveryResult) (n int, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	o := &ops{d: &s.d, q: tx}
	for _, r := range rs {
		var scope, sub string
		err := o.queryRow(ctx, `SELECT scope, subscription FROM event_deliveries WHERE seq = ? AND lease_owner = ? AND state = 0`, r.Seq, owner).Scan(&scope, &sub)
		if errors.Is(err, sql.ErrNoRows) {
			continue // lease lost: another worker owns the row now
		}
		if err != nil {
			return 0, err
		}
		attempts := 0
		if r.Attempt {
			attempts = 1
		}
		var stat string
		switch r.Settle {
		case store.Delivered, store.Drop:
			_, err = o.exec(ctx, `DELETE FROM event_deliveries WHERE seq = ?`, r.Seq)
			if r.Settle == store.Delivered {
				stat = `delivered = event_subscription_stats.delivered + 1, last_delivered = ?`
			}
		case store.Retry:
			_, err = o.exec(ctx, `UPDATE event_deliveries SET due = ?, attempts = attempts + ?, lease_owner = '', lease_until = 0,
				last_attempt = ?, last_status = ?, last_outcome = ? WHERE seq = ?`,
				micro(r.Due), attempts, micro(r.At), r.Status, r.Outcome, r.Seq)
			stat = `failed_attempts = event_subscription_stats.failed_attempts + 1, last_failure = ?, last_failure_reason = ?`
		case store.DeadLetter:
			_, err = o.exec(ctx, `UPDATE event_deliveries SET state = 1, attempts = attempts + ?, lease_owner = '', lease_until = 0,
				last_attempt = ?, last_status = ?, last_outcome = ?, dead_reason = ? WHERE seq = ?`,
				attempts, micro(r.At), r.Status, r.Outcome, r.Reason, r.Seq)
			stat = `dead_lettered = event_subscription_stats.dead_lettered + 1, failed_attempts = event_subscription_stats.failed_attempts + ?, last_failure = ?, last_failure_reason = ?`
		default:
			return 0, fmt.Errorf("unknown settlement %d: %w", r.Settle, store.ErrInvalid)
		}
		if err != nil {
			return 0, err
		}
		if stat != "" {
			if _, err := o.exec(ctx, `INSERT INTO event_subscription_stats (scope, subscription) VALUES (?, ?) ON CONFLICT (scope, subscription) DO NOTHING`, scope, sub); err != nil {
				return 0, err
			}
			args := []any{}
			switch r.Settle {
			case store.Delivered:
				args = append(args, micro(r.At))
			case store.Retry:
				args = append(args, micro(r.At), r.Outcome)
			case store.DeadLetter:
				args = append(args, attempts, micro(r.At), r.Reason)
			}
			args = append(args, scope, sub)
			if _, err := o.exec(ctx, `UPDATE event_subscription_stats SET `+stat+` WHERE scope = ? AND subscription = ?`, args...); err != nil {
				return 0, err
			}
		}
		n++
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}

// DeliveryStats implements store.DeliveryQueue.
func (s *DB) DeliveryStats(ctx context.Context, scope, subscription string) (store.DeliveryStats, error) {
	var st store.DeliveryStats
	k := store.NameKey(subscription)
	var oldest sql.NullInt64
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT
			COALESCE(SUM(CASE WHEN state = 0 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN state = 1 THEN 1 ELSE 0 END), 0),
			MIN(CASE WHEN state = 0 THEN published END)
		FROM event_deliveries WHERE scope = ? AND subscription = ?`), scope, k).Scan(&st.Pending, &st.DeadLettered, &oldest)
	if err != nil {
		return st, fmt.Errorf("sqlstore: delivery stats: %w", err)
	}
	if oldest.Valid {
		st.OldestPending = fromMicro(oldest.Int64)
	}
	var lastDelivered, lastFailure int64
	err = s.read.QueryRowContext(ctx, s.d.rebind(`SELECT delivered, failed_attempts, dead_lettered, last_delivered, last_failure, last_failure_reason
		FROM event_subscription_stats WHERE scope = ? AND subscription = ?`), scope, k).
		Scan(&st.Delivered, &st.FailedAttempts, &st.DeadLetteredTotal, &lastDelivered, &lastFailure, &st.LastFailureReason)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return st, fmt.Errorf("sqlstore: delivery stats: %w", err)
	}
	st.LastDelivered, st.LastFailure = fromMicro(lastDelivered), fromMicro(lastFailure)
	return st, nil
}

// ReleaseDeliveries ends every lease owner holds on pending deliveries,
// so that a node shutting down hands its claimed rows to the other nodes
// at once instead of when the leases would have run out. It returns how
// many it released. Sending a released row again is within the
// at-least-once contract of event delivery.
func (s *DB) ReleaseDeliveries(ctx context.Context, owner string) (int64, error) {
	if owner == "" {
		return 0, fmt.Errorf("sqlstore: release deliveries: need an owner: %w", store.ErrInvalid)
	}
	res, err := s.write.ExecContext(ctx, s.d.rebind(`UPDATE event_deliveries SET lease_owner = '', lease_until = 0
		WHERE lease_owner = ? AND state = 0`), owner)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: release deliveries: %w", err)
	}
	return res.RowsAffected()
}

// QueueStats reports the event queues' sizes and their oldest entries,
// for metrics (three aggregate reads; meant for a scrape every few
// seconds, not for request paths).
func (s *DB) QueueStats(ctx context.Context) (store.QueueStats, error) {
	var q store.QueueStats
	var oldestOutbox, oldestDue int64
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(time), 0) FROM event_outbox`).Scan(&q.OutboxPending, &oldestOutbox); err != nil {
		return q, fmt.Errorf("sqlstore: queue stats: %w", err)
	}
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(due), 0) FROM event_deliveries WHERE state = 0`).Scan(&q.DeliveriesPending, &oldestDue); err != nil {
		return q, fmt.Errorf("sqlstore: queue stats: %w", err)
	}
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_deliveries WHERE state = 1`).Scan(&q.DeliveriesDead); err != nil {
		return q, fmt.Errorf("sqlstore: queue stats: %w", err)
	}
	if oldestOutbox != 0 {
		q.OldestOutbox = fromMicro(oldestOutbox)
	}
	if oldestDue != 0 {
		q.OldestDue = fromMicro(oldestDue)
	}
	return q, nil
}
