package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeoutMS bounds how long a connection waits for a lock held by
// another process (or a checkpoint) before reporting SQLITE_BUSY.
const busyTimeoutMS = 10000

// Store is the SQLite store.
type Store struct {
	*sqlstore.DB
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and applies
// pending migrations. In-memory databases are refused: the read and write
// pools would each get their own empty database.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.Contains(path, ":memory:") || strings.Contains(path, "mode=memory") {
		return nil, fmt.Errorf("sqlite: open %q: need a database file path (in-memory databases are not supported; tests can use t.TempDir())", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	// A file: URI keeps any '?' or '#' in the path from being read as
	// query parameters; modernc applies the _pragma values to every new
	// connection.
	base := (&url.URL{Scheme: "file", Path: abs}).String()
	pragmas := func(extra ...string) string {
		q := url.Values{"_pragma": append([]string{
			fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS),
			"foreign_keys(1)",
			"journal_mode(WAL)",
		}, extra...)}
		return base + "?" + q.Encode()
	}

	write, err := sql.Open("sqlite", pragmas("synchronous(FULL)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	// One connection: writers queue for it, so they never contend for
	// SQLite's write lock. It must never be closed while idle, or a
	// waiting writer would reopen the file for nothing.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Create the file and switch it to WAL before readers open it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}

	read, err := sql.Open("sqlite", pragmas("query_only(1)"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))

	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	db, err := sqlstore.Open(ctx, dialect(sub), read, write)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	return &Store{DB: db}, nil
}

func dialect(migrations fs.FS) sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:              "sqlite",
		DocString:         docString,
		Migrations:        migrations,
		IsUniqueViolation: isUniqueViolation,
		IsRetryable:       isRetryable,
		// Writers are already serialised; retries only cover another
		// process holding the lock past busy_timeout.
		MaxAttempts: 3,
	}
}

// docString extracts a top-level string member; json_type tells a JSON
// string from a number or boolean, which json_extract would also return.
func docString(path string) string {
	p := `'$."` + path + `"'`
	return `COALESCE(CASE json_type(doc, ` + p + `) WHEN 'text' THEN json_extract(doc, ` + p + `) END, '')`
}

func sqliteCode(err error) (int, bool) {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}

func isUniqueViolation(err error) bool {
	c, ok := sqliteCode(err)
	return ok && (c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

func isRetryable(err error) bool {
	c, ok := sqliteCode(err)
	// The primary result code is the low byte of an extended code.
	return ok && (c&0xff == sqlite3.SQLITE_BUSY || c&0xff == sqlite3.SQLITE_LOCKED)
}
