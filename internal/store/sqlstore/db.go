package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// DB is a store.Store over database/sql.
type DB struct {
	d     Dialect
	read  *sql.DB
	write *sql.DB
}

var _ store.Store = (*DB)(nil)

// Open returns a store that reads outside transactions from read and runs
// WithTx transactions on write (they may be the same pool), after applying
// pending migrations on write. The pools stay owned by the caller until
// Close.
func Open(ctx context.Context, d Dialect, read, write *sql.DB) (*DB, error) {
	if d.MaxAttempts < 1 {
		d.MaxAttempts = 1
	}
	s := &DB{d: d, read: read, write: write}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ops runs the store operations on one querier: the read pool for Reader
// calls outside transactions, a *sql.Tx inside WithTx.
type ops struct {
	d *Dialect
	q querier
}

var _ store.Tx = (*ops)(nil)

func (o *ops) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return o.q.ExecContext(ctx, o.d.rebind(query), args...)
}

func (o *ops) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return o.q.QueryContext(ctx, o.d.rebind(query), args...)
}

func (o *ops) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return o.q.QueryRowContext(ctx, o.d.rebind(query), args...)
}

func (s *DB) reader() *ops { return &ops{d: &s.d, q: s.read} }

// WithTx runs fn in one transaction on the write pool and commits when fn
// returns nil. When the transaction fails with a retryable error
// (Dialect.IsRetryable, e.g. a serialization failure) it is rolled back and
// fn runs again, at most Dialect.MaxAttempts times in all, with jittered
// exponential backoff. fn's own error is returned as is. fn must not use
// the Tx after returning, nor from several goroutines, nor call WithTx
// (the nested transaction could wait forever for the outer one's
// connection).
func (s *DB) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.runTx(ctx, fn)
		if err == nil || attempt >= s.d.MaxAttempts || s.d.IsRetryable == nil || !s.d.IsRetryable(err) {
			return err
		}
		if werr := waitRetry(ctx, attempt); werr != nil {
			return fmt.Errorf("sqlstore: transaction retry: %w (after %w)", werr, err)
		}
	}
}

// waitRetry sleeps before retry number attempt+1 with jittered
// exponential backoff (full jitter: contenders spread out instead of
// colliding again); it returns ctx's error if ctx ends first.
func waitRetry(ctx context.Context, attempt int) error {
	backoff := min(time.Millisecond<<min(attempt, 10), 100*time.Millisecond)
	t := time.NewTimer(rand.N(backoff) + time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *DB) runTx(ctx context.Context, fn func(store.Tx) error) (err error) {
	sqlTx, err := s.write.BeginTx(ctx, s.d.TxOptions)
	if err != nil {
		return fmt.Errorf("sqlstore: begin transaction: %w", err)
	}
	committed := false
	defer func() {
		// Also runs when fn panics; the panic continues after the rollback.
		if !committed {
			if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) && err == nil {
				err = fmt.Errorf("sqlstore: rollback: %w", rbErr)
			}
		}
	}()
	if err := fn(&ops{d: &s.d, q: sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		// Commit failed, so the transaction is gone either way.
		committed = true
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	committed = true
	return nil
}

// Ping checks both pools.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	if s.write != s.read {
		if err := s.write.PingContext(ctx); err != nil {
			return fmt.Errorf("sqlstore: ping: %w", err)
		}
	}
	return nil
}

// Close closes both pools.
func (s *DB) Close() error {
	err := s.read.Close()
	if s.write != s.read {
		err = errors.Join(err, s.write.Close())
	}
	return err
}

// Reader methods outside transactions use the read pool.

// Get implements store.Reader.
func (s *DB) Get(ctx context.Context, k store.Key) (*store.Resource, error) {
	return s.reader().Get(ctx, k)
}

// GetByID implements store.Reader.
func (s *DB) GetByID(ctx context.Context, kind store.Kind, id string) (*store.Resource, error) {
	return s.reader().GetByID(ctx, kind, id)
}

// List implements store.Reader.
func (s *DB) List(ctx context.Context, q store.ListQuery) ([]*store.Resource, error) {
	return s.reader().List(ctx, q)
}

// Referrers implements store.Reader.
func (s *DB) Referrers(ctx context.Context, k store.Key, limit int) ([]store.Key, error) {
	return s.reader().Referrers(ctx, k, limit)
}

// ContentKeys implements store.Reader.
func (s *DB) ContentKeys(ctx context.Context, scope, locatorName string) ([]store.ContentKey, error) {
	return s.reader().ContentKeys(ctx, scope, locatorName)
}

// ContentKeysByKID implements store.Reader.
func (s *DB) ContentKeysByKID(ctx context.Context, kid string) ([]store.ContentKey, error) {
	return s.reader().ContentKeysByKID(ctx, kid)
}

// GetUser implements store.Reader.
func (s *DB) GetUser(ctx context.Context, name string) (*store.User, error) {
	return s.reader().GetUser(ctx, name)
}

// ListUsers implements store.Reader.
func (s *DB) ListUsers(ctx context.Context, after string, limit int) ([]*store.User, error) {
	return s.reader().ListUsers(ctx, after, limit)
}
