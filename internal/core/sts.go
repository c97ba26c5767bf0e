package core

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/invalidate"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/sts"
)

// newSTS builds the playback token service from the configuration.
// operators may be nil (no on-behalf-of grant).
func newSTS(c *conf.Conf, st store.Store, sealer keys.Sealer, apiURL string, log *slog.Logger, operators auth.Authenticator) (*sts.Service, error) {
	issuer := c.STS.Issuer
	if issuer == "" {
		issuer = strings.TrimRight(apiURL, "/") + sts.DefaultPrefix
	}
	cfg := sts.Config{
		Store: st, Sealer: sealer, Log: log, Operators: operators,
		Issuer: issuer, Audience: c.STS.Audience, TokenLifetime: c.STS.TokenLifetime.Std(),
		Keys: sts.KeyConfig{Algorithm: c.STS.KeyType, Lifetime: c.STS.KeyRotation.Std()},
	}
	if c.STS.KeyType == sts.AlgHS256 {
		k, err := c.STSHMACKey()
		if err != nil {
			return nil, fmt.Errorf("config sts.hmacKey: %w", err)
		}
		cfg.Keys.HMACKey = k
	}
	svc, err := sts.New(cfg)
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// openSTS starts the playback token service of an API node: its first
// signing key now, then scheduled rotation in the background.
func (c *Core) openSTS(ctx context.Context, apiURL string) error {
	var operators auth.Authenticator
	if c.verifier != nil {
		operators = c.verifier
	}
	// Key rotation and revocation reach every node's key set at once.
	st := invalidate.WrapStore(c.store, c.bus, sts.KindSigningKey)
	svc, err := newSTS(&c.Conf, st, c.keyring, apiURL, c.Log.With("component", "sts"), operators)
	if err != nil {
		return fmt.Errorf("sts: %w", err)
	}
	if err := svc.Maintain(ctx); err != nil {
		return fmt.Errorf("sts keys: %w", err)
	}
	mctx, cancel := context.WithCancel(context.Background())
	c.sts, c.stopSTS = svc, cancel
	c.bus.Subscribe(svc.InvalidateKeys)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		_ = svc.Run(mctx, time.Minute)
	}()
	return nil
}

// STS returns the node's playback token service, or nil when it does not
// run one.
func (c *Core) STS() *sts.Service { return c.sts }

// OpenSTS opens the configured store and the token service for offline
// administration (the user commands). Call the returned close function
// when done.
func OpenSTS(ctx context.Context, c conf.Conf) (*sts.Service, func() error, error) {
	ring, err := openKeyring(&c)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, &c)
	if err != nil {
		return nil, nil, err
	}
	apiURL := strings.TrimRight(c.API.PublicURL, "/")
	if apiURL == "" {
		apiURL = "http://" + c.API.Listen
	}
	svc, err := newSTS(&c, st, ring, apiURL, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		_ = st.Close()
		return nil, nil, fmt.Errorf("sts: %w", err)
	}
	return svc, st.Close, nil
}
