package core

import (
	"context"
	"fmt"
	"net/http"

	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/store"
)

// initKeyDelivery builds the key-delivery handler of the keys role. Uses
// of max-uses tokens are counted in the store, so the limit holds across
// every node sharing it (PostgreSQL); a sweeper drops expired counters.
func (c *Core) initKeyDelivery() error {
	log := c.Log.With("component", "keydelivery")
	uc := store.UseCounter{Store: c.store, Log: log}
	if c.Conf.KeyDelivery.AllowHTTPDiscovery {
		log.Warn("token restrictions may use http:// OpenID Connect discovery; development only")
	}
	// The evaluator admits http:// so that a plain-HTTP node's own STS
	// works; the discovery guard answers the own STS in-process and keeps
	// https (and the outbound guard's address rules) for everything else.
	ev, err := policy.NewEvaluator(policy.Config{UseCounter: uc, AllowInsecureDiscovery: true, Outbound: c.discovery})
	if err != nil {
		return fmt.Errorf("key delivery: %w", err)
	}
	kd := &keydelivery.Server{Store: c.obsStore(), Sealer: c.keyring, Policy: ev, Log: log, CacheTTL: c.Conf.Cache.TTL.Std()}
	c.observeKeyDelivery(kd)
	router, closeLicenses, err := c.licenseRouter(log)
	if err != nil {
		return err
	}
	kd.Licenser = router
	if err := kd.Initialize(); err != nil {
		closeLicenses()
		return err
	}
	c.keySrv = kd
	c.observeKeyCaches(kd)
	c.bus.Subscribe(kd.Invalidate)
	ctx, cancel := context.WithCancel(context.Background())
	c.stopKeys = cancel
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		<-ctx.Done()
		closeLicenses()
	}()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		uc.Run(ctx, 0)
	}()
	c.keyDelivery = kd
	return nil
}

// discoveryTransport is key delivery's transport for OpenID Connect
// discovery and JWKS: the node's own STS in-process, next for the rest.
func (c *Core) discoveryTransport(next http.RoundTripper) *selfTransport {
	t := &selfTransport{next: next, allowHTTP: c.Conf.KeyDelivery.AllowHTTPDiscovery}
	if c.sts != nil {
		t.handler = c.sts.Handler()
		t.prefixes = hostVariants(c.sts.Issuer())
	}
	return t
}
