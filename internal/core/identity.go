package core

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/invalidate"
)

// openIdentity builds the management API's identity provider and bearer
// verifier, and makes sure the bootstrap principal exists.
func (c *Core) openIdentity(ctx context.Context, apiURL string) error {
	svc, err := identity.New(identity.Config{
		Store:         invalidate.WrapStore(c.store, c.bus, identity.KindSigningKey), // key rotation/revocation reaches every node
		Sealer:        c.keyring,
		Log:           c.Log.With("component", "identity"),
		TenantID:      c.Conf.Identity.TenantID,
		Audience:      c.Conf.Identity.Audience,
		TokenLifetime: c.Conf.Identity.TokenLifetime.Std(),
		Keys:          identity.KeyConfig{Lifetime: c.Conf.Identity.KeyLifetime.Std()},
	})
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	if err := c.ensureAdmin(ctx, svc); err != nil {
		return err
	}
	if err := svc.Maintain(ctx); err != nil {
		return fmt.Errorf("identity keys: %w", err)
	}
	var issuers []string
	for _, base := range append([]string{apiURL}, c.Conf.Identity.Issuers...) {
		for _, b := range hostVariants(base) {
			issuers = append(issuers, svc.Issuer(b))
		}
	}
	jwt, err := auth.NewJWT(auth.JWTConfig{Keys: svc, Directory: svc, Issuers: issuers,
		Audience: svc.Audience(), TenantID: svc.TenantID()})
	if err != nil {
		return fmt.Errorf("bearer verifier: %w", err)
	}
	c.identity, c.verifier, c.issuers = svc, jwt, issuers
	c.bus.Subscribe(svc.InvalidateKeys)
	mctx, cancel := context.WithCancel(context.Background())
	c.stopIdentity = cancel
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		_ = svc.Run(mctx, time.Minute)
	}()
	return nil
}

// hostVariants returns base and, for loopback, its localhost/127.0.0.1
// twin, since local clients use either name.
func hostVariants(base string) []string {
	out := []string{strings.TrimRight(base, "/")}
	u, err := url.Parse(base)
	if err != nil {
		return out
	}
	port := u.Port()
	swap := map[string]string{"127.0.0.1": "localhost", "localhost": "127.0.0.1"}
	if other, ok := swap[u.Hostname()]; ok {
		v := *u
		v.Host = other
		if port != "" {
			v.Host += ":" + port
		}
		out = append(out, strings.TrimRight(v.String(), "/"))
	}
	return out
}
