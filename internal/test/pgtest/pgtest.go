package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" database/sql driver
)

// EnvDSN names the environment variable selecting an existing server.
const EnvDSN = "LOCKSTREAM_TEST_POSTGRES_DSN"

// errMissing marks a setup problem (not a failure of the code under test):
// Start skips on it unless CI=true.
var errMissing = errors.New("pgtest: PostgreSQL not available")

// server is where databases are created.
type server struct {
	admin *sql.DB // maintenance connection for CREATE/DROP DATABASE
	dsn   func(db string) string
	stop  func() error // nil for an external server
}

// The shared server: the one piece of package state, so that a test binary
// starts PostgreSQL once.
var (
	sharedOnce sync.Once
	shared     *server
	sharedErr  error
	stopOnce   sync.Once
)

func getServer() (*server, error) {
	sharedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if dsn := os.Getenv(EnvDSN); dsn != "" {
			shared, sharedErr = external(ctx, dsn)
		} else {
			shared, sharedErr = startLocal(ctx)
		}
	})
	return shared, sharedErr
}

// Start returns the DSN of a new, empty UTF8 database that is dropped when
// t ends. Cleanups run last-in first-out, so a store opened after Start
// and closed in its own t.Cleanup is closed before the drop (which would
// otherwise disconnect it forcibly).
func Start(t testing.TB) string {
	t.Helper()
	srv, err := getServer()
	if errors.Is(err, errMissing) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v", err)
		}
		t.Skipf("%v", err)
	}
	if err != nil {
		t.Fatalf("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "lockstream_test_" + randomHex(8)
	// name is generated here, so quoting it is enough.
	create := `CREATE DATABASE "` + name + `" ENCODING 'UTF8' TEMPLATE template0`
	// FILE_COPY (PostgreSQL 15) is several times faster than the default
	// WAL_LOG strategy for a small template.
	if _, err := srv.admin.ExecContext(ctx, create+` STRATEGY FILE_COPY`); err != nil {
		if _, err2 := srv.admin.ExecContext(ctx, create); err2 != nil {
			t.Fatalf("pgtest: create database: %v", errors.Join(err, err2))
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := srv.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
		if err != nil {
			// WITH (FORCE) needs PostgreSQL 13.
			_, err = srv.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`"`)
		}
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return srv.dsn(name)
}

// Main runs the tests, stops the shared server and exits. Use it as
// TestMain in packages that call Start.
func Main(m *testing.M) {
	code := m.Run()
	if err := Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Stop stops the shared server, if this binary started one, and removes
// its files. Start must not be called afterwards.
func Stop() error {
	var err error
	stopOnce.Do(func() {
		if shared == nil {
			return
		}
		shared.admin.Close()
		if shared.stop != nil {
			err = shared.stop()
		}
	})
	return err
}

// external uses the server at dsn, which must allow CREATE DATABASE.
func external(ctx context.Context, dsn string) (*server, error) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %s: invalid connection string", EnvDSN)
	}
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("pgtest: connect to %s: %w", EnvDSN, err)
	}
	return &server{admin: admin, dsn: func(db string) string { return withDatabase(dsn, db) }}, nil
}

// withDatabase returns dsn (URL or keyword/value form) pointing at db.
func withDatabase(dsn, db string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.Path, u.RawPath = "/"+db, ""
			return u.String()
		}
	}
	// In keyword/value form the last setting wins.
	return strings.TrimSpace(dsn) + " dbname=" + db
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
