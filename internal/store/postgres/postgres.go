package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLockID is the pg_advisory_xact_lock key that serialises
// migrations of several nodes starting at once ("lockstrm" in ASCII).
const migrationLockID = 0x6c6f636b7374726d

// maxAttempts bounds WithTx retries on serialization failures; with
// jittered backoff this rides out heavy contention on one row.
const maxAttempts = 30

// Store is the PostgreSQL store.
type Store struct {
	*sqlstore.DB
}

var _ store.Store = (*Store)(nil)

// Open connects to dsn (a pgx connection string or URL), checks that the
// database is UTF8 and applies pending migrations.
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		// pgx errors about the DSN may quote it, password included.
		return nil, errors.New("postgres: open: invalid connection string")
	}
	// Keep a few connections warm; database/sql's default of two idle
	// connections makes a busy node reconnect constantly. The number of
	// open connections is not capped: a WithTx fn that also reads through
	// the Store needs a second connection, and a cap could deadlock it.
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	var enc string
	if err := db.QueryRowContext(ctx, `SHOW server_encoding`).Scan(&enc); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if enc != "UTF8" {
		db.Close()
		return nil, fmt.Errorf("postgres: database encoding is %s; Lockstream needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)", enc)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s, err := sqlstore.Open(ctx, dialect(sub), db, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{DB: s}, nil
}

func dialect(migrations fs.FS) sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:              "postgres",
		Numbered:          true,
		DocString:         docString,
		Migrations:        migrations,
		MigrationLock:     fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", int64(migrationLockID)),
		IsUniqueViolation: func(err error) bool { return sqlState(err) == "23505" },
		IsRetryable: func(err error) bool {
			c := sqlState(err)
			return c == "40001" || c == "40P01"
		},
		TxOptions:   &sql.TxOptions{Isolation: sql.LevelSerializable},
		MaxAttempts: maxAttempts,
		SkipLocked:  " FOR UPDATE SKIP LOCKED",
	}
}

// docString extracts a top-level string member; json_typeof tells a JSON
// string from other values, which ->> would render as text too.
func docString(path string) string {
	return `(COALESCE(CASE json_typeof(doc -> '` + path + `') WHEN 'string' THEN doc ->> '` + path + `' END, '') COLLATE "C")`
}

func sqlState(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
