package identitytest

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store/sqlite"
)

// Tenant and Audience are the defaults New configures.
const (
	Tenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	Audience = "https://management.lockstream.test"
)

// Clock is a settable time source, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Env is a test environment.
type Env struct {
	Svc    *identity.Service
	Store  *sqlite.Store
	Sealer *keys.Keyring
	Clock  *Clock
	Dir    string // holds the database files
	Config identity.Config

	mu     sync.Mutex
	logBuf bytes.Buffer
	sleeps []time.Duration
}

// Logs returns everything the service logged so far.
func (e *Env) Logs() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.logBuf.String()
}

// Sleeps returns the failure delays requested so far (none is waited).
func (e *Env) Sleeps() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.sleeps...)
}

type lockedWriter struct{ e *Env }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.e.mu.Lock()
	defer w.e.mu.Unlock()
	return w.e.logBuf.Write(p)
}

// New opens a store in t.TempDir() and builds a Service on it with a
// fake clock at 2026-01-01 12:00 UTC, cheap hash parameters (tests are not
// about hash cost), a recorded instead of waited failure delay, and logs
// captured for Logs. configure may edit the config before New.
func New(t testing.TB, configure func(*identity.Config)) *Env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "lockstream.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	kek, err := keys.NewKEK(nil)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.NewKeyring(nil, kek)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Store: st, Sealer: ring, Dir: dir, Clock: NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))}
	cfg := identity.Config{
		Store: st, Sealer: ring, TenantID: Tenant, Audience: Audience,
		Log:  slog.New(slog.NewTextHandler(lockedWriter{e}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Hash: identity.HashParams{Time: 1, MemoryKiB: 1024},
		Now:  e.Clock.Now,
		Sleep: func(_ context.Context, d time.Duration) error {
			e.mu.Lock()
			e.sleeps = append(e.sleeps, d)
			e.mu.Unlock()
			return nil
		},
	}
	if configure != nil {
		configure(&cfg)
	}
	e.Config = cfg
	if e.Svc, err = identity.New(cfg); err != nil {
		t.Fatalf("identity.New: %v", err)
	}
	return e
}

// Another returns a second Service on the same store and clock (another
// node), with the same configuration except for configure's edits.
func (e *Env) Another(t testing.TB, configure func(*identity.Config)) *identity.Service {
	t.Helper()
	cfg := e.Config
	if configure != nil {
		configure(&cfg)
	}
	svc, err := identity.New(cfg)
	if err != nil {
		t.Fatalf("identity.New: %v", err)
	}
	return svc
}
