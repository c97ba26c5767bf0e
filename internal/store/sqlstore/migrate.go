package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

type migration struct {
	version int
	name    string
	stmts   []string
}

// loadMigrations reads NNNN_name.sql files from fsys in version order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive version and '_'", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, stmts: splitStatements(string(b))})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %q and %q share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// splitStatements splits a migration into statements at lines ending in
// ';', dropping "--" comment lines. Drivers differ in whether one Exec may
// hold several statements, so each is executed on its own.
func splitStatements(src string) []string {
	var stmts []string
	var cur strings.Builder
	for line := range strings.Lines(src) {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(t, ";") {
			stmts = append(stmts, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		stmts = append(stmts, s)
	}
	return stmts
}

// migrate applies pending migrations in one transaction, so a failure
// leaves the schema as it was. A database migrated by a newer binary is
// refused rather than used with a schema this code does not know.
func (s *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.d.Migrations)
	if err == nil && len(ms) == 0 {
		err = fmt.Errorf("no migrations")
	}
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", s.d.Name, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: migrate: begin: %w", s.d.Name, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if s.d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, s.d.MigrationLock); err != nil {
			return fmt.Errorf("sqlstore: %s: migrate: lock: %w", s.d.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY)`); err != nil {
		return fmt.Errorf("sqlstore: %s: migrate: create schema_migrations: %w", s.d.Name, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: migrate: read versions: %w", s.d.Name, err)
	}
	applied := map[int]bool{}
	latest := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("sqlstore: %s: migrate: read versions: %w", s.d.Name, err)
		}
		applied[v] = true
		latest = max(latest, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: %s: migrate: read versions: %w", s.d.Name, err)
	}
	if known := ms[len(ms)-1].version; latest > known {
		return fmt.Errorf("sqlstore: %s: database schema version %d is newer than this binary's %d", s.d.Name, latest, known)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		for i, stmt := range m.stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("sqlstore: %s: migration %s statement %d: %w", s.d.Name, m.name, i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version) VALUES (?)`), m.version); err != nil {
			return fmt.Errorf("sqlstore: %s: migration %s: record version: %w", s.d.Name, m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: %s: migrate: commit: %w", s.d.Name, err)
	}
	return nil
}
