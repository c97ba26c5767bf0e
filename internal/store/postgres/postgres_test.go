package postgres

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/storetest"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func openDSN(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openDSN(t, pgtest.Start(t)) })
}

// TestConformanceICU runs the suite in a database whose default collation
// is a natural-language one ('B' < 'a' is false there), so any comparison
// or ORDER BY missing COLLATE "C" shows up as a wrong order.
func TestConformanceICU(t *testing.T) {
	admin, err := sql.Open("pgx", pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	// Parallel subtests outlive this function's body: close in Cleanup.
	t.Cleanup(func() { admin.Close() })
	var ok bool
	if err := admin.QueryRowContext(t.Context(),
		`SELECT 'B' > 'a' COLLATE "und-x-icu" FROM pg_collation WHERE collname = 'und-x-icu'`).Scan(&ok); err != nil {
		t.Skipf("server has no ICU collations: %v", err)
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		dsn := pgtest.Start(t)
		db := dsn[strings.LastIndex(dsn, "dbname=")+len("dbname="):]
		db, _, _ = strings.Cut(db, " ")
		icu := db + "_icu"
		if _, err := admin.ExecContext(t.Context(), `CREATE DATABASE "`+icu+`" TEMPLATE template0 ENCODING 'UTF8'
			LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`); err != nil {
			t.Fatalf("create ICU database: %v", err)
		}
		t.Cleanup(func() {
			if _, err := admin.ExecContext(context.Background(), `DROP DATABASE "`+icu+`" WITH (FORCE)`); err != nil {
				t.Errorf("drop ICU database: %v", err)
			}
		})
		return openDSN(t, strings.Replace(dsn, "dbname="+db, "dbname="+icu, 1))
	})
}

// TestOpenConcurrently checks that nodes starting at once serialise their
// migrations and that reopening is a no-op.
func TestOpenConcurrently(t *testing.T) {
	dsn := pgtest.Start(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(t.Context(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
	s := openDSN(t, dsn)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct{ name, dsn string }{
		{"bad dsn", "host=127.0.0.1 port=notaport password=hunter2"},
		{"no server", "host=127.0.0.1 port=1 user=x password=hunter2 connect_timeout=2 sslmode=disable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.Context(), tt.dsn)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error leaks the password: %v", err)
			}
		})
	}
}

// TestSharedTokenUses counts uses of one token from two stores (two
// connection pools, as two Lockstream processes have) on one database:
// the counts must be exactly 1..N.
func TestSharedTokenUses(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	for range 3 {
		storetest.SharedTokenUses(t, a, b, 64)
	}
}

// TestSharedDeliveries leases event deliveries from two stores (two
// nodes) on one database: FOR UPDATE SKIP LOCKED must never hand one row
// to two workers.
func TestSharedDeliveries(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	storetest.SharedDeliveries(t, a, b, 200)
}
