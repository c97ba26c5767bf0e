package core

import (
	"context"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/identity"
)

// webhookTokens adapts the identity provider to events.TokenSource: the
// issuer is this node's API URL, as for management tokens.
type webhookTokens struct {
	svc  *identity.Service
	base string
}

func (w webhookTokens) WebhookToken(ctx context.Context, audience string) (string, time.Time, error) {
	return w.svc.WebhookToken(ctx, w.base, audience)
}

// openEvents builds the event delivery engine of an API node. Without an
// outbound guard the node still records events in the outbox (the API
// writes them in its transactions) but does not deliver them: another
// node, or this one once wired, does.
func (c *Core) openEvents(apiURL string) error {
	guard := outboundGuard(&c.Conf)
	if guard == nil {
		c.Log.Warn("events: no outbound guard on this build; event delivery disabled (events stay queued)")
		return nil
	}
	cfg := events.Config{
		Store: c.store, Sealer: c.keyring, Blob: c.blob, HTTP: guard,
		PublicURL:      apiURL,
		Log:            c.Log.With("component", "events"),
		Timeout:        c.Conf.Events.Timeout.Std(),
		Workers:        c.Conf.Events.Workers,
		PerDestination: c.Conf.Events.PerDestination,
	}
	if c.identity != nil {
		cfg.Tokens = webhookTokens{svc: c.identity, base: apiURL}
	}
	e, err := events.NewEngine(cfg)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	if err := e.Initialize(); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	c.events = e
	return nil
}
