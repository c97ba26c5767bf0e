package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// JobQueueStats reports the encoding job queue by state as of now, for
// metrics: one aggregate read of job_queue, meant for a scrape every few
// seconds, not for request paths. A row with a cancel request counts as
// canceling whatever its lease (the next lease ends it); the others are
// leased while their lease runs and queued otherwise.
func (s *DB) JobQueueStats(ctx context.Context, now time.Time) (store.JobQueueStats, error) {
	var q store.JobQueueStats
	var oldest sql.NullInt64
	n := now.UnixMicro()
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT
			COALESCE(SUM(CASE WHEN cancel = 0 AND lease_expires <= ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN cancel = 0 AND lease_expires > ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN cancel <> 0 THEN 1 ELSE 0 END), 0),
			MIN(CASE WHEN cancel = 0 AND lease_expires <= ? THEN created END)
		FROM job_queue`), n, n, n).Scan(&q.Queued, &q.Leased, &q.Canceling, &oldest)
	if err != nil {
		return q, fmt.Errorf("sqlstore: job queue stats: %w", err)
	}
	if oldest.Valid {
		q.OldestQueued = time.UnixMicro(oldest.Int64).UTC()
	}
	return q, nil
}
