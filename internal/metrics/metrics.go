package metrics

import (
	"errors"
	"net/http"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every Lockstream family.
const Namespace = "lockstream"

// latencyBuckets cover a cached segment (sub-millisecond) up to a cold
// encrypted segment or a slow OIDC key fetch (seconds).
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics is one node's registry and the instruments the middleware and
// wrappers feed. Create it with New; safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	bytesOut  *prometheus.CounterVec
	inFlight  *prometheus.GaugeVec
	keyReqs   *prometheus.CounterVec
	verify    *prometheus.HistogramVec
	storeOps  *prometheus.HistogramVec
	blobOps   *prometheus.HistogramVec
	rateLimit *prometheus.CounterVec
	caches    *cacheCollector
}

// New returns a node's metrics on a fresh registry holding the Go runtime
// and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "http_requests_total",
			Help: "HTTP requests by listener, route family, kind, format, scheme and status code.",
		}, []string{"listener", "family", "kind", "format", "scheme", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by listener, route family and kind.",
			Buckets: latencyBuckets,
		}, []string{"listener", "family", "kind"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "http_response_bytes_total",
			Help: "Response body bytes written, by listener, route family and kind.",
		}, []string{"listener", "family", "kind"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "http_in_flight_requests",
			Help: "Requests being served, by listener.",
		}, []string{"listener"}),
		keyReqs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "key_requests_total",
			Help: "Key deliveries and license requests by route (aes, clearkey, playready, widevine, fairplay) and outcome (granted, unauthenticated, forbidden, replayed, not_found, rate_limited, bad_request, error).",
		}, []string{"route", "outcome"}),
		verify: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "token_verification_seconds",
			Help:    "Time to evaluate a content key policy (token verification, claims, max uses), by result.",
			Buckets: latencyBuckets,
		}, []string{"result"}),
		storeOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "store_operation_seconds",
			Help:    "Metadata store call latency by operation and result.",
			Buckets: latencyBuckets,
		}, []string{"op", "result"}),
		blobOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "blob_operation_seconds",
			Help:    "Blob store call latency by operation and result (reads: until the body is open).",
			Buckets: latencyBuckets,
		}, []string{"op", "result"}),
		rateLimit: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "ratelimit_rejected_total",
			Help: "Requests answered 429 by the rate limiter, by endpoint group and key kind (ip, token).",
		}, []string{"group", "by"}),
	}
	m.caches = &cacheCollector{}
	reg.MustRegister(
		m.caches,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.bytesOut, m.inFlight, m.keyReqs, m.verify, m.storeOps, m.blobOps, m.rateLimit,
	)
	return m
}

// Registry returns the node's registry, for further collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: true})
}

// ObserveVerify records one policy evaluation; ok is whether it granted.
// Nil-safe so that callers need not check whether metrics are on.
func (m *Metrics) ObserveVerify(d time.Duration, ok bool) {
	if m == nil {
		return
	}
	res := "granted"
	if !ok {
		res = "refused"
	}
	m.verify.WithLabelValues(res).Observe(d.Seconds())
}

// RateLimited counts one 429 of the rate limiter.
func (m *Metrics) RateLimited(group, by string) {
	if m == nil {
		return
	}
	m.rateLimit.WithLabelValues(group, by).Inc()
}

// result labels a call's outcome; a missing row or blob is an answer,
// not a failure.
func result(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, store.ErrNotFound), errors.Is(err, blob.ErrNotFound):
		return "not_found"
	}
	return "error"
}
