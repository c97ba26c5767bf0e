package core

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/api"
	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/store"
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

// openEvents builds the event delivery engine of an API node; every
// delivery goes through the outbound guard.
func (c *Core) openEvents(apiURL string) error {
	guard, err := c.eventsOutbound()
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	cfg := events.Config{
		Store: c.store, Sealer: c.keyring, Blob: c.blob, HTTP: guard,
		PublicURL:      apiURL,
		Log:            c.Log.With("component", "events"),
		Timeout:        c.Conf.Events.Timeout.Std(),
		Workers:        c.Conf.Events.Workers,
		PerDestination: c.Conf.Events.PerDestination,
		Node:           c.eventsNode(),
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
	c.events, c.eventsGuard = e, guard
	return nil
}

// localOperator authenticates every request of the in-process API the
// CLI drives: the operator at the console, who holds the store and KEK,
// acts as Owner.
type localOperator struct{}

func (localOperator) Authenticate(*http.Request) (auth.Principal, error) {
	return auth.Principal{ID: "lockstream-cli", Type: "Application", Owner: true}, nil
}

// OpenLocalAPI returns the management API over the configured store and
// keyring, authenticated as the local operator, for CLI commands that
// must validate and store resources exactly as the API does (the event
// subscription commands); close releases the store.
func OpenLocalAPI(ctx context.Context, c conf.Conf) (http.Handler, store.Store, func() error, error) {
	ring, err := openKeyring(&c)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := openStore(ctx, &c)
	if err != nil {
		return nil, nil, nil, err
	}
	a := &api.Server{Store: st, Sealer: ring, Auth: localOperator{}, Log: slog.New(slog.DiscardHandler),
		PublicURL: strings.TrimRight(c.API.PublicURL, "/"), Location: c.API.Location, PageSize: c.API.PageSize, MaxBody: c.API.MaxBodyBytes}
	return a, st, st.Close, nil
}
