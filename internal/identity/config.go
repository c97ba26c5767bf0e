package identity

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/lockout"
	"github.com/lockstream/lockstream/internal/store"
)

// DefaultScope is the store scope under which identity records live. It is
// outside every ARM path, so no API listing can reach it.
const DefaultScope = "/lockstream"

// Config configures New. Zero durations and counts take the defaults noted
// on each field.
type Config struct {
	Store  store.Store // required
	Sealer keys.Sealer // required: seals signing keys and credential hashes
	Log    *slog.Logger

	// TenantID is the one tenant (a GUID) the token endpoint serves; the
	// tenant segment of every identity URL must name it.
	TenantID string
	// Audience is the only resource tokens are issued for, exactly as it
	// appears in their aud claim, e.g. "https://management.lockstream.test".
	// Clients request "<Audience>/.default" (v2) or resource=<Audience> (v1).
	Audience string
	// Scope is the store scope of identity records; default DefaultScope.
	Scope string

	// TokenLifetime is how long access tokens live; default 1 h.
	TokenLifetime time.Duration
	// Leeway is the clock skew allowed on client assertions; default 60 s.
	Leeway time.Duration
	// MaxAssertionLifetime bounds exp − now of a client assertion; default
	// 10 min (what MSAL uses).
	MaxAssertionLifetime time.Duration
	// DefaultSecretLifetime applies when AddSecret gets no lifetime;
	// default 180 days. MaxSecretLifetime caps it; default 2 years.
	DefaultSecretLifetime time.Duration
	MaxSecretLifetime     time.Duration
	// MaxCredentials caps secrets plus certificates per principal; default 10.
	MaxCredentials int
	// AuditRetention is how long audit events are kept; default 90 days.
	AuditRetention time.Duration

	Keys    KeyConfig
	Hash    HashParams
	Lockout LockoutConfig

	// Hosts, when non-empty, lists the Host values (host[:port], any case)
	// the handler answers; other hosts get 400. The issuer and endpoint URLs
	// are built from the request's host, so this pins them down.
	Hosts []string
	// IgnoreForwardedProto stops the handler from taking the scheme from
	// X-Forwarded-Proto. Leave it false behind a TLS-terminating proxy:
	// azidentity needs an https issuer.
	IgnoreForwardedProto bool

	// Now, Rand and Sleep are injected so that tests control time,
	// randomness and the failed-login delay. Defaults: time.Now,
	// crypto/rand.Reader, a context-aware timer.
	Now   func() time.Time
	Rand  io.Reader
	Sleep func(ctx context.Context, d time.Duration) error
}

// KeyConfig configures token signing keys and their rotation.
type KeyConfig struct {
	// Algorithm is "RS256" (default) or "ES256".
	Algorithm string
	// RSABits is the RSA modulus size, at least and by default 2048.
	RSABits int
	// Lifetime is how long one key signs; default 24 h.
	Lifetime time.Duration
	// PrePublish is how long before it starts signing a new key appears in
	// the JWKS, so that verifiers with cached key sets know it in time;
	// default 1 h, less than Lifetime.
	PrePublish time.Duration
	// Overlap is how long a key stays published after it stopped signing.
	// It must cover the last token it signed plus a node with a stale
	// cache: at least TokenLifetime + CacheTTL; default TokenLifetime +
	// 5 min.
	Overlap time.Duration
	// CacheTTL is how long a node trusts its in-memory copy of the key set
	// before re-reading the store; default 30 s.
	CacheTTL time.Duration
}

// HashParams are the argon2id parameters for new client-secret hashes.
// Stored hashes carry their own parameters, so changing these only affects
// secrets hashed afterwards. Defaults follow OWASP: t=2, m=19 MiB, p=1.
type HashParams struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
	// MaxConcurrent bounds simultaneous hash computations (each holds
	// MemoryKiB), so that a flood of token requests cannot exhaust memory;
	// default 4.
	MaxConcurrent int
}

// LockoutConfig configures throttling of failed client authentication,
// counted per client id and source (package lockout): Threshold failures
// from one source lock that source only; UnfamiliarThreshold failures from
// sources that never authenticated the client lock those sources; sources
// that did keep working.
type LockoutConfig = lockout.Config

// withDefaults returns c with defaults applied, or an error naming the
// first invalid field.
func (c Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Scope == "" {
		c.Scope = DefaultScope
	}
	def(&c.TokenLifetime, time.Hour)
	def(&c.Leeway, 60*time.Second)
	def(&c.MaxAssertionLifetime, 10*time.Minute)
	def(&c.DefaultSecretLifetime, 180*24*time.Hour)
	def(&c.MaxSecretLifetime, 2*365*24*time.Hour)
	defInt(&c.MaxCredentials, 10)
	def(&c.AuditRetention, 90*24*time.Hour)
	k := &c.Keys
	if k.Algorithm == "" {
		k.Algorithm = algRS256
	}
	defInt(&k.RSABits, 2048)
	def(&k.Lifetime, 24*time.Hour)
	def(&k.PrePublish, time.Hour)
	def(&k.CacheTTL, 30*time.Second)
	def(&k.Overlap, c.TokenLifetime+5*time.Minute)
	h := &c.Hash
	if h.Time == 0 {
		h.Time = 2
	}
	if h.MemoryKiB == 0 {
		h.MemoryKiB = 19 * 1024
	}
	if h.Threads == 0 {
		h.Threads = 1
	}
	defInt(&h.MaxConcurrent, 4)
	l := &c.Lockout
	defInt(&l.Threshold, 10)
	def(&l.Window, 15*time.Minute)
	def(&l.Duration, 15*time.Minute)
	defInt(&l.DelayAfter, 3)
	def(&l.BaseDelay, 250*time.Millisecond)
	def(&l.MaxDelay, 4*time.Second)
	l.Defaults()
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	bad := func(field, msg string) error { return fmt.Errorf("identity: config %s: %s", field, msg) }
	switch {
	case c.Store == nil:
		return bad("Store", "required")
	case c.Sealer == nil:
		return bad("Sealer", "required")
	case uuid.Validate(c.TenantID) != nil || len(c.TenantID) != 36:
		return bad("TenantID", "must be a GUID")
	case c.Audience == "" || strings.ContainsAny(c.Audience, " \t\r\n"):
		return bad("Audience", "required, without white space")
	case !strings.HasPrefix(c.Scope, "/") || strings.HasSuffix(c.Scope, "/") || c.Scope != strings.ToLower(c.Scope):
		return bad("Scope", "must be a lower-case path like /lockstream")
	case c.TokenLifetime < 5*time.Minute || c.TokenLifetime > 24*time.Hour:
		return bad("TokenLifetime", "must be between 5 min and 24 h")
	case c.Leeway < 0 || c.Leeway > 5*time.Minute:
		return bad("Leeway", "must be between 0 and 5 min")
	case c.Keys.Algorithm != algRS256 && c.Keys.Algorithm != algES256:
		return bad("Keys.Algorithm", "must be RS256 or ES256")
	case c.Keys.RSABits < 2048:
		return bad("Keys.RSABits", "must be at least 2048 (RFC 8725 §3.4)")
	case c.Keys.PrePublish <= 0 || c.Keys.PrePublish >= c.Keys.Lifetime:
		return bad("Keys.PrePublish", "must be positive and less than Keys.Lifetime")
	case c.Keys.CacheTTL <= 0 || c.Keys.CacheTTL > c.Keys.PrePublish:
		return bad("Keys.CacheTTL", "must be positive and at most Keys.PrePublish")
	case c.Keys.Overlap < c.TokenLifetime+c.Keys.CacheTTL:
		return bad("Keys.Overlap", "must be at least TokenLifetime + Keys.CacheTTL")
	case c.Hash.Time < 1 || c.Hash.MemoryKiB < 1024 || c.Hash.MaxConcurrent < 1:
		return bad("Hash", "need Time ≥ 1, MemoryKiB ≥ 1024, MaxConcurrent ≥ 1")
	case c.Lockout.Threshold < 1 || c.Lockout.DelayAfter < 1 || c.Lockout.BaseDelay < 0 || c.Lockout.MaxDelay < c.Lockout.BaseDelay:
		return bad("Lockout", "need Threshold ≥ 1, DelayAfter ≥ 1, 0 ≤ BaseDelay ≤ MaxDelay")
	case c.MaxCredentials < 1:
		return bad("MaxCredentials", "must be at least 1")
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
