package core

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lockstream/lockstream/internal/api"
	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/invalidate"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/metrics"
	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/origin"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/sts"
	"github.com/lockstream/lockstream/internal/tracing"
)

// Core runs one Lockstream node. Set Conf and Log, call Initialize, then
// Close when done.
type Core struct {
	Conf conf.Conf
	Log  *slog.Logger

	store   store.Store
	blob    blob.Store
	keyring *keys.Keyring
	api     *api.Server
	apiURL  string
	blobURL string // base URL of the local blob endpoint, "" without one
	demo    *demoState
	admin   *generatedAdmin // nil unless this start generated the Owner
	// stopJanitor ends background maintenance.
	stopJanitor  context.CancelFunc
	stopIdentity context.CancelFunc
	stopKeys     context.CancelFunc
	keyDelivery  http.Handler // nil unless the keys role runs
	identity     *identity.Service
	sts          *sts.Service
	stopSTS      context.CancelFunc
	events       *events.Engine // nil unless delivering events
	eventsGuard  eventsGuard
	verifier     *auth.JWT
	issuers      []string
	tlsCfg       *tls.Config
	outbound     *netguard.Guard // fetches of user-supplied URLs
	discovery    *discoveryGuard // OpenID Connect discovery: own STS in-process, the rest through outbound
	servers      []*server
	encoder      *jobs.Engine // nil unless the encode role runs
	ready        chan struct{}
	metrics      *metrics.Metrics    // nil unless --metrics-listen
	draining     atomic.Bool         // Drain called: /readyz fails
	originSrv    *origin.Server      // nil unless the origin role runs
	keySrv       *keydelivery.Server // nil unless the keys role runs
	bus          invalidate.Bus      // store changes, to every node's caches
	closeBus     func()
	tracing      *tracing.Tracing // nil unless --otel-endpoint
	leaseOwner   string           // this start's name in event delivery leases
	wg           sync.WaitGroup
}

// server is one listener.
type server struct {
	name string
	ln   net.Listener
	srv  *http.Server
}

// Initialize opens storage, prepares data and starts the listeners.
func (c *Core) Initialize(ctx context.Context) (err error) {
	c.ready = make(chan struct{})
	defer func() {
		if err != nil {
			_ = c.Close(context.Background())
		}
	}()
	if err := os.MkdirAll(c.Conf.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	if c.keyring, err = openKeyring(&c.Conf); err != nil {
		return err
	}
	if c.store, err = openStore(ctx, &c.Conf); err != nil {
		return err
	}
	if err := c.openInvalidation(ctx); err != nil {
		return err
	}
	if c.tlsCfg, err = tlsConfig(&c.Conf); err != nil {
		return err
	}
	apiURL, err := c.listenAll()
	if err != nil {
		return err
	}
	if err := c.openMetrics(); err != nil {
		return err
	}
	if err := c.openTracing(ctx); err != nil {
		return err
	}
	c.apiURL = apiURL
	if c.blob, err = openBlob(&c.Conf, c.blobURL, c.Log); err != nil {
		return err
	}
	if c.Conf.HasRole(conf.RoleAPI) {
		if err := c.openIdentity(ctx, apiURL); err != nil {
			return err
		}
		if c.Conf.STS.Enabled {
			if err := c.openSTS(ctx, apiURL); err != nil {
				return err
			}
		}
	}
	if c.Conf.HasRole(conf.RoleAPI) {
		if err := c.openEvents(apiURL); err != nil {
			return err
		}
	}
	if err := c.buildHandlers(apiURL); err != nil {
		return err
	}
	if err := c.startEncoder(); err != nil {
		return err
	}
	c.observeQueues()
	if c.Conf.Demo.Enabled && c.Conf.HasRole(conf.RoleAPI) {
		if err := c.seedDemo(ctx, apiURL); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
	}
	for _, s := range c.servers {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.Log.Info("listening", "server", s.name, "addr", s.ln.Addr().String())
			if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				c.Log.Error("server stopped", "server", s.name, "err", err)
			}
		}()
	}
	c.startJanitor()
	close(c.ready)
	return nil
}

// startJanitor periodically removes abandoned block uploads of the local
// or s3 blob store (blocks staged by Put Block but never committed).
func (c *Core) startJanitor() {
	st, ok := c.blob.(interface {
		CleanupStaging(context.Context, time.Duration) error
	})
	if !ok {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stopJanitor = cancel
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(6 * time.Hour)
		defer t.Stop()
		for {
			if err := st.CleanupStaging(ctx, 24*time.Hour); err != nil && ctx.Err() == nil {
				c.Log.Warn("blob staging cleanup", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// listenAll opens the listeners of the configured roles. The API, identity
// and key-delivery roles share one listener; the origin has its own so that
// host-less streaming paths work at the root; the local blob endpoint has
// its own so that containers are the first path segment, as on Azure.
// One TLS setting covers them all (the origin may opt out, tls.origin).
func (c *Core) listenAll() (apiURL string, err error) {
	// An encode-only node opens the API listener too, serving only health
	// and readiness (ffmpeg's state), so a load balancer or Kubernetes can
	// probe it like every other node.
	needAPI := c.Conf.HasRole(conf.RoleAPI) || c.Conf.HasRole(conf.RoleKeys) || c.Conf.HasRole(conf.RoleEncode)
	if needAPI {
		ln, err := net.Listen("tcp", c.Conf.API.Listen)
		if err != nil {
			return "", fmt.Errorf("listen api %s: %w", c.Conf.API.Listen, err)
		}
		scheme := "http://"
		if c.tlsCfg != nil {
			ln, scheme = tls.NewListener(ln, c.tlsCfg), "https://"
		}
		c.servers = append(c.servers, &server{name: "api", ln: ln})
		apiURL = strings.TrimRight(c.Conf.API.PublicURL, "/")
		if apiURL == "" {
			apiURL = scheme + ln.Addr().String()
		}
	}
	if needAPI && c.Conf.HasRole(conf.RoleAPI) && c.Conf.Blob.Driver != "azure" {
		ln, err := net.Listen("tcp", c.Conf.Blob.Listen)
		if err != nil {
			return "", fmt.Errorf("listen blob %s (--blob-listen): %w", c.Conf.Blob.Listen, err)
		}
		scheme := "http://"
		if c.tlsCfg != nil {
			ln, scheme = tls.NewListener(ln, c.tlsCfg), "https://"
		}
		c.servers = append(c.servers, &server{name: "blob", ln: ln})
		c.blobURL = strings.TrimRight(c.Conf.Blob.PublicURL, "/")
		if c.blobURL == "" {
			c.blobURL = scheme + ln.Addr().String()
			if c.Conf.API.PublicURL != "" {
				// Behind a proxy the API has a public URL; signed
				// container URLs need one of their own.
				c.Log.Warn("api.publicURL is set but blob.publicURL is not: signed container URLs name the blob listener's own address",
					"blobURL", c.blobURL)
			}
		}
	}
	if c.Conf.HasRole(conf.RoleOrigin) {
		ln, err := net.Listen("tcp", c.Conf.Origin.Listen)
		if err != nil {
			return "", fmt.Errorf("listen origin %s: %w", c.Conf.Origin.Listen, err)
		}
		if c.tlsCfg != nil && c.Conf.TLS.Origin {
			ln = tls.NewListener(ln, c.tlsCfg)
		}
		c.servers = append(c.servers, &server{name: "origin", ln: ln})
		if c.Conf.Origin.HostName == "" {
			c.Conf.Origin.HostName = ln.Addr().String()
		}
	}
	return apiURL, nil
}

// Addr returns the bound address of a listener ("api", "origin" or
// "blob"), or "".
func (c *Core) Addr(name string) string {
	for _, s := range c.servers {
		if s.name == name {
			return s.ln.Addr().String()
		}
	}
	return ""
}

// Identity returns the node's identity provider (service principals, role
// assignments, signing keys, audit log), or nil when the node does not run
// the API role or before Initialize.
func (c *Core) Identity() *identity.Service { return c.identity }

// Close stops the listeners gracefully, then closes storage.
func (c *Core) Close(ctx context.Context) error {
	var errs []error
	if c.stopJanitor != nil {
		c.stopJanitor()
	}
	if c.stopIdentity != nil {
		c.stopIdentity()
	}
	if c.stopKeys != nil {
		c.stopKeys()
	}
	if c.stopSTS != nil {
		c.stopSTS()
	}
	for _, s := range c.servers {
		if s.srv == nil {
			_ = s.ln.Close()
			continue
		}
		if err := s.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown %s: %w", s.name, err))
		}
	}
	c.wg.Wait()
	c.servers = nil
	if c.encoder != nil {
		// Running jobs go back to the queue for other nodes.
		c.encoder.Close()
		c.encoder = nil
	}
	if c.events != nil {
		// After the listeners: no request can kick it any more.
		c.events.Close()
		c.events = nil
		c.releaseLeases(ctx)
	}
	if c.closeBus != nil {
		c.closeBus()
		c.closeBus = nil
	}
	if c.tracing != nil {
		// Flush the last spans (bounded by ctx).
		if err := c.tracing.Close(ctx); err != nil {
			c.Log.Warn("tracing: flush", "err", err)
		}
		c.tracing = nil
	}
	if cl, ok := c.blob.(interface{ Close() error }); ok {
		if err := cl.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close blob store: %w", err))
		}
		c.blob = nil
	}
	if c.store != nil {
		if err := c.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		c.store = nil
	}
	return errors.Join(errs...)
}

// openKeyring loads the KEK from config, or from the KEK file (created
// with a random key when absent — the development default).
func openKeyring(c *conf.Conf) (*keys.Keyring, error) {
	var primary keys.KEK
	var err error
	switch {
	case c.Keys.KEK != "":
		if primary, err = keys.ParseKEK(c.Keys.KEK.Reveal()); err != nil {
			return nil, fmt.Errorf("config keys.kek: %w", err)
		}
	default:
		path := c.Keys.KEKFile
		if path == "" {
			path = filepath.Join(c.DataDir, "kek")
		}
		if primary, _, err = keys.EnsureKEKFile(path, rand.Reader); err != nil {
			return nil, fmt.Errorf("key-encryption key file: %w", err)
		}
	}
	var older []keys.KEK
	for i, s := range c.Keys.PreviousKEKs {
		k, err := keys.ParseKEK(s.Reveal())
		if err != nil {
			return nil, fmt.Errorf("config keys.previousKEKs[%d]: %w", i, err)
		}
		older = append(older, k)
	}
	return keys.NewKeyring(rand.Reader, primary, older...)
}

// Ready reports whether Initialize finished.
func (c *Core) Ready() bool {
	select {
	case <-c.ready:
		return true
	default:
		return false
	}
}

const readyTimeout = 2 * time.Second

// Handler returns the complete handler of a listener ("api" or
// "origin"), middleware included, for in-process benchmarks and tests; nil
// when the node has no such listener.
func (c *Core) Handler(name string) http.Handler {
	for _, s := range c.servers {
		if s.name == name && s.srv != nil {
			return s.srv.Handler
		}
	}
	return nil
}
