package core

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/drm/fairplay/ksm"
	"github.com/lockstream/lockstream/internal/invalidate"
	"github.com/lockstream/lockstream/internal/license"
	"github.com/lockstream/lockstream/internal/license/settings"
	"github.com/lockstream/lockstream/internal/license/vendor"
	"github.com/lockstream/lockstream/internal/license/widevine"
)

// licenseRouter builds the license routes behind key delivery: the
// FairPlay key server when a derivation helper is configured. The
// returned func stops what was started.
func (c *Core) licenseRouter(log *slog.Logger) (*license.Router, func(), error) {
	// License servers are URLs an account administrator supplies, so the
	// calls go through the outbound guard (no internal addresses unless the
	// operator allows them, checked dial, capped bodies, timeouts).
	out := c.outbound.Client()
	servers := &settings.Reader{Store: c.store, Sealer: c.keyring}
	c.bus.Subscribe(servers.Invalidate)
	r := &license.Router{
		Servers: servers,
		ByType: map[string]license.Handler{
			settings.TypeWidevine: &widevine.Proxy{Client: out},
			settings.TypeAxinom:   &vendor.Axinom{Client: out},
			settings.TypePallyCon: &vendor.PallyCon{Client: out},
			settings.TypeGeneric:  &vendor.Generic{Client: out},
		},
	}
	var closers []func()
	closeAll := func() {
		for _, f := range closers {
			f()
		}
	}
	if p := c.Conf.KeyDelivery.FairPlayHelper; p != "" {
		h := &ksm.Helper{Path: p, Log: log}
		if err := h.Initialize(); err != nil {
			return nil, nil, fmt.Errorf("fairplay key server: %w", err)
		}
		closers = append(closers, func() { _ = h.Close() })
		log.Info("fairplay key server enabled", slog.String("helper", h.Banner()))
		sp := license.StreamingPolicies{Store: c.store}
		k := &ksm.Server{Deriver: h, Persistent: sp.FairPlayPersistent, Log: log}
		if err := k.Initialize(); err != nil {
			closeAll()
			return nil, nil, err
		}
		r.FairPlay = k
	}
	return r, closeAll, nil
}

// OpenLicenseServers opens the configured store and key ring for offline
// administration of license servers (the license-server commands). Call
// the returned close function when done.
func OpenLicenseServers(ctx context.Context, c conf.Conf) (*settings.Admin, func() error, error) {
	ring, err := openKeyring(&c)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, &c)
	if err != nil {
		return nil, nil, err
	}
	if c.Store.Driver != "postgres" {
		return &settings.Admin{Store: st, Sealer: ring}, st.Close, nil
	}
	// Running nodes drop their cached settings when the command commits
	// a change (NOTIFY; this process publishes only).
	bus := invalidate.NewPostgres(c.Store.DSN.Reveal(), nil)
	closeAll := func() error { bus.Close(); return st.Close() }
	return &settings.Admin{Store: invalidate.WrapStore(st, bus), Sealer: ring}, closeAll, nil
}
