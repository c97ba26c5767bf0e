package sqlstore

import (
	"database/sql"
	"io/fs"
	"strconv"
	"strings"
)

// Dialect is what differs between the SQL backends.
type Dialect struct {
	// Name is used in error messages ("sqlite", "postgres").
	Name string
	// Numbered selects $1, $2… placeholders instead of ?.
	Numbered bool
	// DocString returns an SQL expression for the top-level string member
	// path of the doc column: its text when it is a JSON string, '' in
	// every other case (no doc, missing, null, number, boolean, object,
	// array), compared bytewise. path has passed store.ValidPath.
	DocString func(path string) string
	// Migrations holds NNNN_name.sql files applied in version order.
	// Statements are separated by a line ending in ';'.
	Migrations fs.FS
	// MigrationLock, when set, is executed first in the migration
	// transaction to serialise concurrent migrators.
	MigrationLock string
	// IsUniqueViolation reports a unique-constraint error.
	IsUniqueViolation func(error) bool
	// IsRetryable reports an error after which the whole transaction may
	// be retried (serialization failure, deadlock, busy database).
	IsRetryable func(error) bool
	// TxOptions are used for WithTx transactions.
	TxOptions *sql.TxOptions
	// MaxAttempts bounds how often WithTx runs fn (at least 1).
	MaxAttempts int
	// SkipLocked is appended to the row-claiming selections of LeaseJob
	// and LeaseDeliveries (PostgreSQL: " FOR UPDATE SKIP LOCKED", so
	// concurrent leasers take different rows without waiting); empty
	// where writers are serialised anyway (SQLite). A selection carrying
	// it must be evaluated once per statement (a scalar subquery or a
	// MATERIALIZED CTE), never as a subquery a join may re-run.
	SkipLocked string
}

// rebind turns ? placeholders into $n for numbered dialects. Queries are
// built by this package, so a ? outside a quoted literal is always a
// placeholder.
func (d *Dialect) rebind(q string) string {
	if !d.Numbered || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
