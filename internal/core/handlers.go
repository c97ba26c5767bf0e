package core

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/api"
	"github.com/lockstream/lockstream/internal/blob/local"
	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/keyprovider"
	"github.com/lockstream/lockstream/internal/origin"
	"github.com/lockstream/lockstream/internal/player"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/sts"
)

// buildHandlers wires each listener's handler.
func (c *Core) buildHandlers(apiURL string) error {
	var err error
	if c.outbound, err = c.buildOutbound(apiURL); err != nil {
		return err
	}
	c.discovery = newDiscoveryGuard(c.outbound, c.discoveryTransport(nil))
	if c.Conf.HasRole(conf.RoleKeys) {
		if err := c.initKeyDelivery(); err != nil {
			return err
		}
	}
	for _, s := range c.servers {
		var h http.Handler
		switch s.name {
		case "api":
			h = c.apiHandler(apiURL)
		case "origin":
			var err error
			if h, err = c.originHandler(apiURL); err != nil {
				return err
			}
		case "blob":
			h = c.blobHandler("/")
		case "metrics":
			h = c.metricsHandler()
		}
		h = httpx.Recover(c.Log, func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"error":{"code":"InternalServerError","message":"An internal error occurred."}}`, http.StatusInternalServerError)
		}, h)
		if s.name != "metrics" {
			if h, err = c.edge(s.name, h); err != nil {
				return err
			}
		}
		h = httpx.AccessLog(c.Log.With("server", s.name), h)
		if s.name != "metrics" {
			h = c.traced(s.name, h)
		}
		h = httpx.RequestID(h)
		s.srv = &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          nil,
		}
	}
	return nil
}

func (c *Core) apiHandler(apiURL string) http.Handler {
	mux := http.NewServeMux()
	c.health(mux)
	if c.keyDelivery != nil {
		mux.Handle(keydelivery.Prefix+"/", c.keyDelivery)
	}
	if c.Conf.HasRole(conf.RoleAPI) {
		a := &api.Server{
			Store: c.apiStore(), Blob: c.obsBlob(), Sealer: c.keyring, Auth: c.verifier, Audit: c.identity, Identity: c.identity,
			Log:        c.Log.With("component", "api"),
			PublicURL:  apiURL,
			OriginHost: c.Conf.Origin.HostName,
			Location:   c.Conf.API.Location,
			PageSize:   c.Conf.API.PageSize,
			MaxBody:    c.Conf.API.MaxBodyBytes,
		}
		if c.sts != nil {
			a.STS = c.sts
		}
		a.Outbound = c.discovery
		a.InputURLs = c.outbound
		a.JobChanged = jobEvents
		a.KeyProviders = c.keyProviderClient()
		if c.events != nil {
			a.Events, a.EventURLs = c.events, c.eventsGuard
			mux.Handle(events.ValidatePath, c.events.ValidationHandler())
		}
		c.api = a
		timeout := c.Conf.API.Timeout.Std()
		h := http.TimeoutHandler(a, timeout, `{"error":{"code":"RequestTimeout","message":"The request timed out."}}`)
		mux.Handle("/subscriptions/", h)
		mux.Handle("/providers/", h)
		// Signed URLs minted before the blob endpoint had its own listener
		// named /blob/ here; they keep working until they expire.
		if bh := c.blobHandler(local.PathPrefix); bh != nil {
			mux.Handle(local.PathPrefix, bh)
		}
		if c.sts != nil {
			mux.Handle(sts.DefaultPrefix+"/", http.StripPrefix(sts.DefaultPrefix, c.sts.Handler()))
		}
		if err := c.registerKeyExchange(mux, apiURL); err != nil {
			c.Log.Error("key exchange disabled", "err", err)
		}
		player.New(player.Config{OriginTLS: c.tlsCfg != nil && c.Conf.TLS.Origin, Log: c.Log.With("component", "player")}).Register(mux)
		// The Azure-AD-compatible token endpoint, OIDC discovery and JWKS
		// live at /{tenant}/…, so azidentity finds them under the authority
		// host; everything not claimed above falls through to it.
		mux.Handle("/", identityOrNotFound(c.Conf.Identity.TenantID, c.identity.Handler()))
	}
	return mux
}

// originHandler serves the streaming origin: just-in-time packaging of
// the assets streaming locators publish.
func (c *Core) originHandler(apiURL string) (http.Handler, error) {
	if apiURL == "" {
		// An origin-only node: players fetch keys from the API nodes.
		apiURL = strings.TrimRight(c.Conf.API.PublicURL, "/")
	}
	// The protection layer: keys from the store, Lockstream's own
	// signalling. A key provider (CPIX) or other signalling plugs in here
	// (protect.Layer's Keys and Signaller; see protect/doc.go).
	// Locators whose keys came from a key provider (package keyprovider)
	// are signalled with the provider's data.
	prot := &protect.Layer{KeyDeliveryBase: apiURL,
		Keys: keyprovider.Source{Base: protect.StoreKeys{Store: c.obsStore(), Sealer: c.keyring}, Store: c.obsStore(), Sealer: c.keyring}}
	prot.Signaller = protect.PreferVendor(prot.URLs)
	o := &origin.Server{
		Store:          c.obsStore(),
		Blob:           c.obsBlob(),
		Protect:        prot,
		Log:            c.Log.With("component", "origin"),
		TargetDuration: c.Conf.Origin.SegmentDuration.Std(),
		CacheBytes:     int64(c.Conf.Origin.CacheMB) << 20,
		MetaTTL:        c.Conf.Cache.TTL.Std(),
		Trace:          c.tracing.Hook(),
	}
	if err := o.Initialize(); err != nil {
		return nil, err
	}
	c.originSrv = o
	c.observeOrigin(o)
	c.bus.Subscribe(o.Invalidate)
	mux := http.NewServeMux()
	c.health(mux)
	mux.Handle("/", o)
	return mux, nil
}

// health registers /healthz (process alive) and /readyz (storage reachable).
func (c *Core) health(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		status, code := "ready", http.StatusOK
		checks := map[string]string{"store": "ok"}
		if !c.Ready() {
			status, code = "starting", http.StatusServiceUnavailable
		}
		if c.Draining() {
			status, code = "draining", http.StatusServiceUnavailable
		}
		if err := c.store.Ping(ctx); err != nil {
			checks["store"] = "unreachable"
			status, code = "not ready", http.StatusServiceUnavailable
		}
		// The encoder's state is informational: a node without ffmpeg
		// still serves its other roles.
		if c.encoder != nil {
			checks["encoder"] = c.encoder.Status()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "checks": checks})
	})
}
