package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// useToken is one statement, so the increment and the read are atomic in
// every backend: in PostgreSQL (READ COMMITTED, outside WithTx's
// serializable transactions) concurrent upserts of one id queue on its
// row lock and each updates the latest version; in SQLite every write
// holds the database lock. Both SET expressions read the row as it was
// before this update. An expired row starts a new life at 1.
const useToken = `INSERT INTO token_uses (id, uses, expires) VALUES (?, 1, ?)
	ON CONFLICT (id) DO UPDATE SET
		uses = CASE WHEN token_uses.expires <= ? THEN 1 ELSE token_uses.uses + 1 END,
		expires = CASE WHEN token_uses.expires <= ? OR excluded.expires > token_uses.expires
			THEN excluded.expires ELSE token_uses.expires END
	RETURNING uses`

// UseToken implements store.Store. It runs on the write pool in
// autocommit mode; a retryable failure (busy database, serialization
// failure where the server defaults to SERIALIZABLE) had no effect, so
// the statement is simply run again.
func (s *DB) UseToken(ctx context.Context, id [32]byte, expires, now time.Time) (int64, error) {
	q := s.d.rebind(useToken)
	exp, cur := expires.UnixMicro(), now.UnixMicro()
	for attempt := 1; ; attempt++ {
		var uses int64
		err := s.write.QueryRowContext(ctx, q, id[:], exp, cur, cur).Scan(&uses)
		if err == nil {
			return uses, nil
		}
		if attempt >= s.d.MaxAttempts || s.d.IsRetryable == nil || !s.d.IsRetryable(err) {
			return 0, fmt.Errorf("sqlstore: use token: %w", err)
		}
		if werr := waitRetry(ctx, attempt); werr != nil {
			return 0, fmt.Errorf("sqlstore: use token: %w (after %w)", werr, err)
		}
	}
}

// SweepTokenUses implements store.Store.
func (s *DB) SweepTokenUses(ctx context.Context, now time.Time, limit int) (int64, error) {
	q := `DELETE FROM token_uses WHERE expires <= ?`
	if limit > 0 {
		// PostgreSQL's DELETE has no LIMIT; a keyed subquery works in both.
		q = `DELETE FROM token_uses WHERE id IN (SELECT id FROM token_uses WHERE expires <= ?` + limitClause(limit) + `)`
	}
	res, err := s.write.ExecContext(ctx, s.d.rebind(q), now.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("sqlstore: sweep token uses: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: sweep token uses: %w", err)
	}
	return n, nil
}
