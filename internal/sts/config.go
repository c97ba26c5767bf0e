package sts

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/lockout"
	"github.com/lockstream/lockstream/internal/passhash"
	"github.com/lockstream/lockstream/internal/store"
)

// DefaultPrefix is where the core mounts the service on the API listener.
const DefaultPrefix = "/sts"

// DefaultScope is the store scope of the signing key records: outside
// every ARM path, and apart from the identity provider's keys.
const DefaultScope = "/lockstream/sts"

// Signing algorithms.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgHS256 = "HS256"
)

// Config configures New. Zero durations take the defaults noted on each
// field.
type Config struct {
	Store  store.Store // required: users, groups, signing keys
	Sealer keys.Sealer // required: seals signing keys and user secret hashes
	Log    *slog.Logger

	// Issuer is the service's public base URL, e.g.
	// "https://media.example.com/sts": the iss of every token, and the URL
	// under which /token, /jwks and /.well-known/openid-configuration are
	// reachable, so that a content key policy's
	// openIdConnectDiscoveryDocument is Issuer +
	// "/.well-known/openid-configuration".
	Issuer string
	// Audience is the aud of every token; content key policies restrict
	// to it.
	Audience string
	// Scope is the store scope of signing key records; default
	// DefaultScope.
	Scope string

	// TokenLifetime is how long tokens live; default 1 h, at most 24 h.
	// Tokens with maxuses live at most MaxUsesLifetime.
	TokenLifetime time.Duration
	// MaxUses caps the maxuses a request may ask for; default 10000.
	MaxUses int64

	Keys KeyConfig
	Hash passhash.Params

	// Operators, when set, authenticates on-behalf-of requests (a
	// management bearer token); principals allowed to write service
	// principals (Owners on "*") may then get tokens for any user. Nil
	// disables the on-behalf-of grant.
	Operators auth.Authenticator

	// Lockout throttles failed password and client-credentials grants per
	// user and source address (package lockout); zero fields take its
	// defaults.
	Lockout lockout.Config

	// Now and Rand are injected so that tests control time and
	// randomness, Sleep the delay of failed sign-ins. Defaults: time.Now,
	// crypto/rand.Reader, a sleep that ends early when ctx does.
	Now   func() time.Time
	Rand  io.Reader
	Sleep func(ctx context.Context, d time.Duration) error
}

// KeyConfig configures the token signing keys.
type KeyConfig struct {
	// Algorithm is RS256 (default), ES256 or HS256.
	Algorithm string
	// RSABits is the RSA modulus size, at least and by default 2048.
	RSABits int
	// HMACKey is the HS256 key, at least 32 bytes; required for HS256 and
	// refused otherwise. It is configured rather than generated because
	// content key policies must hold the same key; it does not rotate by
	// itself (rotate it through a policy's alternate verification keys).
	HMACKey []byte
	// Lifetime is how long one RSA or EC key signs; default 24 h.
	Lifetime time.Duration
	// PrePublish is how long before it starts signing a new key appears in
	// the JWKS, so that verifiers with cached key sets know it in time;
	// default 1 h, less than Lifetime.
	PrePublish time.Duration
	// Overlap is how long a key stays published after it stopped signing:
	// at least TokenLifetime + CacheTTL, so the last token it signed
	// verifies until it expires; default TokenLifetime + 5 min.
	Overlap time.Duration
	// CacheTTL is how long a node trusts its in-memory copy of the key set
	// before re-reading the store; default 30 s, at most PrePublish.
	CacheTTL time.Duration
}

// withDefaults returns c with defaults applied, or an error naming the
// first invalid field.
func (c Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Scope == "" {
		c.Scope = DefaultScope
	}
	c.Issuer = strings.TrimRight(c.Issuer, "/")
	def(&c.TokenLifetime, time.Hour)
	if c.MaxUses == 0 {
		c.MaxUses = 10000
	}
	k := &c.Keys
	if k.Algorithm == "" {
		k.Algorithm = AlgRS256
	}
	if k.RSABits == 0 {
		k.RSABits = 2048
	}
	def(&k.Lifetime, 24*time.Hour)
	def(&k.PrePublish, time.Hour)
	def(&k.CacheTTL, 30*time.Second)
	def(&k.Overlap, c.TokenLifetime+5*time.Minute)
	c.Hash = c.Hash.WithDefaults()
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	c.Lockout.Defaults()
	return c, c.validate()
}

func (c *Config) validate() error {
	bad := func(field, msg string) error { return fmt.Errorf("sts: config %s: %s", field, msg) }
	u, err := url.Parse(c.Issuer)
	switch {
	case c.Store == nil:
		return bad("Store", "required")
	case c.Sealer == nil:
		return bad("Sealer", "required")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return bad("Issuer", "must be an absolute http(s) URL without query or fragment")
	case c.Audience == "" || len(c.Audience) > 512 || strings.ContainsAny(c.Audience, " \t\r\n"):
		return bad("Audience", "required, at most 512 characters without white space")
	case !strings.HasPrefix(c.Scope, "/") || strings.HasSuffix(c.Scope, "/") || c.Scope != strings.ToLower(c.Scope):
		return bad("Scope", "must be a lower-case path like /lockstream/sts")
	case c.TokenLifetime < time.Minute || c.TokenLifetime > 24*time.Hour:
		return bad("TokenLifetime", "must be between 1 min and 24 h")
	case c.MaxUses < 1:
		return bad("MaxUses", "must be positive")
	}
	k := &c.Keys
	switch k.Algorithm {
	case AlgRS256, AlgES256:
		if len(k.HMACKey) > 0 {
			return bad("Keys.HMACKey", "only for HS256")
		}
	case AlgHS256:
		// RFC 8725 §3.5 and RFC 7518 §3.2: at least the hash size.
		if len(k.HMACKey) < 32 {
			return bad("Keys.HMACKey", "HS256 needs a key of at least 32 bytes")
		}
	default:
		return bad("Keys.Algorithm", "must be RS256, ES256 or HS256")
	}
	switch {
	case k.RSABits < 2048:
		return bad("Keys.RSABits", "must be at least 2048 (RFC 8725 §3.4)")
	case k.PrePublish <= 0 || k.PrePublish >= k.Lifetime:
		return bad("Keys.PrePublish", "must be positive and less than Keys.Lifetime")
	case k.CacheTTL <= 0 || k.CacheTTL > k.PrePublish:
		return bad("Keys.CacheTTL", "must be positive and at most Keys.PrePublish")
	case k.Overlap < c.TokenLifetime+k.CacheTTL:
		return bad("Keys.Overlap", "must be at least TokenLifetime + Keys.CacheTTL")
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
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
