package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Defaults and limits of JWTConfig.
const (
	DefaultLeeway         = 30 * time.Second
	MaxLeeway             = 60 * time.Second
	DefaultMaxTokenBytes  = 8 << 10
	DefaultReloadInterval = 10 * time.Second
	DefaultRealm          = "lockstream"
)

// JWTConfig configures NewJWT.
type JWTConfig struct {
	Keys      KeySet    // required
	Directory Directory // required
	// Issuers are the accepted iss values, compared exactly. List every
	// URL clients reach the token endpoint by, e.g.
	// "https://sts.example.com/<tenant>/v2.0".
	Issuers []string
	// Audience is the exact aud the API accepts (the Audience clients put
	// in cloud.Configuration, e.g. "https://management.example.com").
	Audience string
	// TenantID, when set, must equal the tid claim.
	TenantID string
	// Realm goes into WWW-Authenticate; default DefaultRealm.
	Realm string
	// Leeway is the clock skew allowed on exp, nbf and iat; default
	// DefaultLeeway, at most MaxLeeway.
	Leeway time.Duration
	// MaxTokenBytes bounds the token before any parsing; default
	// DefaultMaxTokenBytes.
	MaxTokenBytes int
	// ReloadInterval is the least time between key-set reloads caused by
	// an unknown kid, so that garbage kids cannot hammer the store;
	// default DefaultReloadInterval.
	ReloadInterval time.Duration
	Now            func() time.Time // default time.Now
	Log            *slog.Logger     // default slog.Default()
}

// JWT is an Authenticator for bearer access tokens issued by package
// identity. It is safe for concurrent use.
type JWT struct {
	cfg JWTConfig

	mu         sync.Mutex
	lastReload time.Time
}

var _ Authenticator = (*JWT)(nil)

// NewJWT validates cfg and returns a JWT authenticator.
func NewJWT(cfg JWTConfig) (*JWT, error) {
	switch {
	case cfg.Keys == nil:
		return nil, errors.New("auth: new jwt: Keys is required")
	case cfg.Directory == nil:
		return nil, errors.New("auth: new jwt: Directory is required")
	case len(cfg.Issuers) == 0 || slices.Contains(cfg.Issuers, ""):
		return nil, errors.New("auth: new jwt: at least one non-empty issuer is required")
	case cfg.Audience == "":
		return nil, errors.New("auth: new jwt: Audience is required")
	case cfg.Leeway < 0 || cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("auth: new jwt: Leeway %v outside [0, %v]", cfg.Leeway, MaxLeeway)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.MaxTokenBytes <= 0 {
		cfg.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if cfg.ReloadInterval <= 0 {
		cfg.ReloadInterval = DefaultReloadInterval
	}
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Issuers = slices.Clone(cfg.Issuers)
	return &JWT{cfg: cfg}, nil
}

// Realm returns the realm for Challenge.
func (j *JWT) Realm() string { return j.cfg.Realm }

// Authenticate implements Authenticator. Errors are *TokenError (401) or,
// when the key set or directory fails, a plain error (500).
func (j *JWT) Authenticate(r *http.Request) (Principal, error) {
	tok, err := j.bearer(r)
	if err != nil {
		return Principal{}, err
	}
	return j.Verify(r.Context(), tok)
}

// bearer extracts the token from the one Authorization header.
func (j *JWT) bearer(r *http.Request) (string, error) {
	hs := r.Header.Values("Authorization")
	switch {
	case len(hs) == 0:
		return "", &TokenError{Description: "bearer token required", Reason: "no Authorization header"}
	case len(hs) > 1:
		return "", invalidToken("malformed Authorization header", "several Authorization headers", nil)
	}
	h := hs[0]
	// "Bearer " plus the token; checked before any copy or split.
	if len(h) > j.cfg.MaxTokenBytes+16 {
		return "", invalidToken("token too large", fmt.Sprintf("Authorization header of %d bytes", len(h)), nil)
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", &TokenError{Description: "bearer token required", Reason: "Authorization scheme is not Bearer"}
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", invalidToken("malformed Authorization header", "empty bearer token", nil)
	}
	return tok, nil
}

// mayReload reports whether an unknown kid may trigger a key-set reload
// now, and if so records that one happens.
func (j *JWT) mayReload(now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.lastReload.IsZero() {
		// A clock that went backwards must not block reloads for good.
		if d := now.Sub(j.lastReload); d >= 0 && d < j.cfg.ReloadInterval {
			return false
		}
	}
	j.lastReload = now
	return true
}

// key finds the verification key for kid, reloading the set once (rate
// limited) when the kid is unknown: a key rotated in by another node.
func (j *JWT) key(ctx context.Context, kid string) (VerificationKey, error) {
	k, err := j.cfg.Keys.VerificationKey(ctx, kid, false)
	if errors.Is(err, ErrKeyNotFound) && j.mayReload(j.cfg.Now()) {
		k, err = j.cfg.Keys.VerificationKey(ctx, kid, true)
	}
	switch {
	case errors.Is(err, ErrKeyNotFound):
		return VerificationKey{}, invalidToken("unknown signing key", fmt.Sprintf("kid %.64q", kid), err)
	case err != nil:
		return VerificationKey{}, fmt.Errorf("auth: look up signing key: %w", err)
	}
	return k, nil
}
