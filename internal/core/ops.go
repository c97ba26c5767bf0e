package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/invalidate"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/metrics"
	"github.com/lockstream/lockstream/internal/origin"
	"github.com/lockstream/lockstream/internal/ratelimit"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/tracing"
)

// openMetrics creates the node's registry and its listener when
// --metrics-listen is set; without it metrics stay nil and every hook is
// a no-op (nothing counted, nothing allocated).
func (c *Core) openMetrics() error {
	if c.Conf.Metrics.Listen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", c.Conf.Metrics.Listen)
	if err != nil {
		return fmt.Errorf("listen metrics %s (--metrics-listen): %w", c.Conf.Metrics.Listen, err)
	}
	c.metrics = metrics.New()
	c.servers = append(c.servers, &server{name: "metrics", ln: ln})
	return nil
}

// metricsHandler serves /metrics (plain HTTP: the listener is meant for
// loopback or the cluster network, like every Prometheus exporter's).
func (c *Core) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", c.metrics.Handler())
	return mux
}

// obsStore is the store the request paths use: timed when metrics are
// on, traced when tracing is.
func (c *Core) obsStore() store.Store { return c.tracing.WrapStore(c.metrics.WrapStore(c.store)) }

// obsBlob is the blob store the request paths use.
func (c *Core) obsBlob() blob.Store { return c.tracing.WrapBlob(c.metrics.WrapBlob(c.blob)) }

// openTracing starts the OTLP exporter when --otel-endpoint is set;
// otherwise tracing stays nil and costs nothing.
func (c *Core) openTracing(ctx context.Context) error {
	if c.Conf.OTel.Endpoint == "" {
		return nil
	}
	host, _ := os.Hostname()
	t, err := tracing.New(ctx, tracing.Config{Endpoint: c.Conf.OTel.Endpoint, Node: host + "/" + c.Conf.API.Listen,
		SampleRatio: float64(c.Conf.OTel.SamplePercent) / 100})
	if err != nil {
		return err
	}
	c.tracing = t
	return nil
}

// traced opens each request's span around the access log, so that the
// log line carries the trace id.
func (c *Core) traced(name string, h http.Handler) http.Handler {
	return c.tracing.Middleware(name, func(r *http.Request) string { return metrics.Family(name, r) }, h)
}

// edge wraps a listener's handler with the node's metrics and, on the API
// listener, the rate limits.
func (c *Core) edge(name string, h http.Handler) (http.Handler, error) {
	if name == "api" {
		rl, err := c.rateLimits()
		if err != nil {
			return nil, err
		}
		h = rl.Wrap(h)
	}
	return c.metrics.Middleware(name, h), nil
}

// rateLimits builds the API listener's limits: key delivery per client
// IP and per token, the identity and STS token endpoints per client IP.
func (c *Core) rateLimits() (*ratelimit.Handler, error) {
	rc := c.Conf.RateLimit
	proxies, err := ratelimit.ParsePrefixes(rc.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("config rateLimit.trustedProxies: %w", err)
	}
	h := &ratelimit.Handler{TrustedProxies: proxies, OnReject: c.metrics.RateLimited}
	if ip, tok := ratelimit.New(rc.KeysPerIP, rc.Burst, rc.MaxClients), ratelimit.New(rc.KeysPerToken, rc.Burst, rc.MaxClients); ip != nil || tok != nil {
		h.Rules = append(h.Rules, ratelimit.Rule{Group: "keydelivery", PerIP: ip, PerToken: tok, Match: func(r *http.Request) bool {
			return strings.HasPrefix(r.URL.Path, keydelivery.Prefix+"/")
		}})
	}
	if ip := ratelimit.New(rc.TokensPerIP, rc.Burst, rc.MaxClients); ip != nil {
		h.Rules = append(h.Rules, ratelimit.Rule{Group: "token", PerIP: ip, Match: isTokenEndpoint})
	}
	return h, nil
}

// isTokenEndpoint matches the identity provider's token endpoints
// (/{tenant}/oauth2/token, /{tenant}/oauth2/v2.0/token) and the STS's.
func isTokenEndpoint(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	p := r.URL.Path
	return strings.HasSuffix(p, "/oauth2/token") || strings.HasSuffix(p, "/oauth2/v2.0/token") || p == "/sts/token"
}

// observeOrigin registers the origin's caches with the metrics.
func (c *Core) observeOrigin(o *origin.Server) {
	c.metrics.AddCaches("origin", func() map[string]metrics.CacheStats {
		out := map[string]metrics.CacheStats{}
		for k, v := range o.CacheStats() {
			out[k] = metrics.CacheStats{Hits: v.Hits, Misses: v.Misses, Entries: v.Entries, Bytes: v.Bytes}
		}
		return out
	})
}

// observeKeyDelivery registers key delivery's caches and policy timing.
func (c *Core) observeKeyDelivery(kd *keydelivery.Server) {
	kd.Trace = c.tracing.Hook()
	if c.metrics == nil {
		return
	}
	kd.ObserveVerify = c.metrics.ObserveVerify
}

func (c *Core) observeKeyCaches(kd *keydelivery.Server) {
	c.metrics.AddCaches("keydelivery", func() map[string]metrics.CacheStats {
		out := map[string]metrics.CacheStats{}
		for k, v := range kd.CacheStats() {
			out[k] = metrics.CacheStats{Hits: v.Hits, Misses: v.Misses, Entries: v.Entries}
		}
		return out
	})
}

// Drain starts a graceful stop: /readyz fails from now on so that load
// balancers take the node out, then Drain waits drainDelay (or until ctx
// ends) while requests keep being served. Close afterwards lets in-flight
// requests finish and releases the node's leases.
func (c *Core) Drain(ctx context.Context) {
	c.draining.Store(true)
	d := c.Conf.DrainDelay.Std()
	c.Log.Info("draining", "delay", d)
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Draining reports whether Drain was called.
func (c *Core) Draining() bool { return c.draining.Load() }

// openInvalidation starts the bus that tells every node's caches that
// store data changed: LISTEN/NOTIFY on a shared PostgreSQL, in-process on
// SQLite (one node).
func (c *Core) openInvalidation(ctx context.Context) error {
	if c.Conf.Store.Driver != "postgres" {
		c.bus = invalidate.NewLocal()
		return nil
	}
	pg := invalidate.NewPostgres(c.Conf.Store.DSN.Reveal(), c.Log.With("component", "invalidate"))
	ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := pg.Initialize(ictx); err != nil {
		return err
	}
	c.bus, c.closeBus = pg, pg.Close
	return nil
}

// apiStore is the management API's store: timed, and publishing changes
// of cached kinds to every node.
func (c *Core) apiStore() store.Store { return invalidate.WrapStore(c.obsStore(), c.bus) }

// eventsNode is this node's name in event delivery leases: random per
// start, so that a restarted node never mistakes another's leases for its
// own.
func (c *Core) eventsNode() string {
	if c.leaseOwner == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		c.leaseOwner = "node-" + hex.EncodeToString(b[:])
	}
	return c.leaseOwner
}

// releaseLeases hands this node's claimed event deliveries back at
// shutdown (after the engine stopped), so other nodes send them now.
func (c *Core) releaseLeases(ctx context.Context) {
	rel, ok := c.store.(interface {
		ReleaseDeliveries(ctx context.Context, owner string) (int64, error)
	})
	if !ok || c.leaseOwner == "" {
		return
	}
	n, err := rel.ReleaseDeliveries(context.WithoutCancel(ctx), c.leaseOwner)
	if err != nil {
		c.Log.Warn("release event delivery leases", "err", err)
		return
	}
	if n > 0 {
		c.Log.Info("released event delivery leases", "count", n)
	}
}

// observeQueues exports the event queues of nodes that deliver events,
// the shared encoding job queue on nodes that submit or run jobs (api,
// encode), and the encoding load of nodes that run jobs.
func (c *Core) observeQueues() {
	if c.metrics == nil {
		return
	}
	if qs, ok := c.store.(interface {
		QueueStats(ctx context.Context) (store.QueueStats, error)
	}); ok && c.events != nil {
		c.metrics.AddQueues(qs.QueueStats)
	}
	if js, ok := c.store.(interface {
		JobQueueStats(ctx context.Context, now time.Time) (store.JobQueueStats, error)
	}); ok && (c.Conf.HasRole(conf.RoleAPI) || c.Conf.HasRole(conf.RoleEncode)) {
		c.metrics.AddJobQueue(js.JobQueueStats)
	}
	if e := c.encoder; e != nil {
		c.metrics.AddEncoder(func() metrics.EncodeStats {
			s := e.Stats()
			return metrics.EncodeStats{Workers: s.Workers, Running: s.Running, Progress: s.Progress}
		})
	}
}
