package core

import (
	"fmt"
	"log/slog"

	"github.com/lockstream/lockstream/internal/drm/fairplay/ksm"
	"github.com/lockstream/lockstream/internal/license"
)

// licenseRouter builds the license routes behind key delivery: the
// FairPlay key server when a derivation helper is configured. The
// returned func stops what was started.
func (c *Core) licenseRouter(log *slog.Logger) (*license.Router, func(), error) {
	r := &license.Router{}
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
