package conf

import (
	"net/netip"
	"net/url"
	"strconv"
	"time"
)

// Metrics configures the Prometheus endpoint (package metrics).
type Metrics struct {
	// Listen is off by default: /metrics has its own listener so that it
	// is never exposed with the public ones, and a fixed default port
	// would collide when several nodes share a host.
	Listen string `json:"listen" env:"LOCKSTREAM_METRICS_LISTEN" flag:"metrics-listen" help:"listen address of the Prometheus /metrics endpoint, e.g. 127.0.0.1:9464 (empty: off)"`
}

// RateLimit configures the token buckets in front of key delivery and the
// token endpoints of the identity provider and the STS (package
// ratelimit). Rates are requests per minute, refilled continuously; 0
// turns that limit off. A client may burst Burst seconds' worth of its
// rate (at least one request).
type RateLimit struct {
	KeysPerIP    int `json:"keysPerIP" env:"LOCKSTREAM_RATELIMIT_KEYS_PER_IP" flag:"ratelimit-keys-per-ip" help:"key and license requests per minute per client IP (0: unlimited)"`
	KeysPerToken int `json:"keysPerToken" env:"LOCKSTREAM_RATELIMIT_KEYS_PER_TOKEN" flag:"ratelimit-keys-per-token" help:"key and license requests per minute per bearer token (0: unlimited)"`
	TokensPerIP  int `json:"tokensPerIP" env:"LOCKSTREAM_RATELIMIT_TOKENS_PER_IP" flag:"ratelimit-tokens-per-ip" help:"requests per minute per client IP to the identity and STS token endpoints (0: unlimited)"`
	Burst        int `json:"burst" env:"LOCKSTREAM_RATELIMIT_BURST" flag:"ratelimit-burst" help:"seconds of rate a client may spend at once"`
	// MaxClients bounds the buckets kept (least recently used dropped):
	// memory stays bounded whatever the number of addresses and tokens.
	MaxClients int `json:"maxClients" env:"LOCKSTREAM_RATELIMIT_MAX_CLIENTS" flag:"ratelimit-max-clients" help:"client buckets kept per limit (least recently used dropped first)"`
	// TrustedProxies are the load balancers whose X-Forwarded-For names
	// the client; from anyone else the header is ignored.
	TrustedProxies []string `json:"trustedProxies" env:"LOCKSTREAM_RATELIMIT_TRUSTED_PROXIES" flag:"ratelimit-trusted-proxies" help:"comma-separated IPs or CIDRs of load balancers whose X-Forwarded-For gives the client address"`
}

// OTel configures OpenTelemetry tracing (package tracing), off unless an
// endpoint is set.
type OTel struct {
	Endpoint      string `json:"endpoint" env:"LOCKSTREAM_OTEL_ENDPOINT" flag:"otel-endpoint" help:"OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces (empty: tracing off)"`
	SamplePercent int    `json:"samplePercent" env:"LOCKSTREAM_OTEL_SAMPLE_PERCENT" flag:"otel-sample-percent" help:"percent of new traces recorded (a caller's sampled trace is always followed)"`
}

// Cache configures the store-read caches of the origin (locators, their
// policies, endpoints and filters) and key delivery (accounts, policies).
type Cache struct {
	// TTL bounds staleness should a change notification be lost; changes
	// normally reach every node's caches at once (package invalidate).
	TTL Duration `json:"ttl" env:"LOCKSTREAM_CACHE_TTL" flag:"cache-ttl" help:"how long the origin and key delivery reuse store reads; changes reach every node at once through invalidation, this bounds staleness if one is lost"`
}

func defaultOps(c *Conf) {
	c.OTel.SamplePercent = 100
	c.Cache.TTL = Duration(5 * time.Second)
	// Key delivery is not limited by default: every key request is
	// already token-checked, a node behind a local reverse proxy or a CDN
	// sees few client addresses, and benchmarks hammer one token.
	// Internet-facing deployments set both (compose and the Helm chart
	// do: 3000/min per IP, 1200/min per token).
	c.RateLimit.KeysPerIP = 0
	c.RateLimit.KeysPerToken = 0
	c.RateLimit.TokensPerIP = 600 // 10/s; each grant costs an argon2id check
	c.RateLimit.Burst = 2
	c.RateLimit.MaxClients = 100_000
	c.DrainDelay = Duration(3 * time.Second)
}

func (c *Conf) validateOps() error {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"rateLimit.keysPerIP", c.RateLimit.KeysPerIP},
		{"rateLimit.keysPerToken", c.RateLimit.KeysPerToken},
		{"rateLimit.tokensPerIP", c.RateLimit.TokensPerIP},
	} {
		if f.v < 0 {
			return &FieldError{Field: f.name, Value: strconv.Itoa(f.v), Msg: "must be 0 (unlimited) or more"}
		}
	}
	if c.RateLimit.Burst < 1 {
		return &FieldError{Field: "rateLimit.burst", Value: strconv.Itoa(c.RateLimit.Burst), Msg: "must be at least 1"}
	}
	if c.RateLimit.MaxClients < 1 {
		return &FieldError{Field: "rateLimit.maxClients", Value: strconv.Itoa(c.RateLimit.MaxClients), Msg: "must be at least 1"}
	}
	for _, p := range c.RateLimit.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return &FieldError{Field: "rateLimit.trustedProxies", Value: p, Msg: "want an IP or a CIDR"}
			}
		}
	}
	if c.Cache.TTL <= 0 {
		return &FieldError{Field: "cache.ttl", Msg: "must be positive"}
	}
	if c.OTel.SamplePercent < 1 || c.OTel.SamplePercent > 100 {
		return &FieldError{Field: "otel.samplePercent", Value: strconv.Itoa(c.OTel.SamplePercent), Msg: "want 1 to 100"}
	}
	if e := c.OTel.Endpoint; e != "" {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &FieldError{Field: "otel.endpoint", Value: e, Msg: "want an http(s) URL, e.g. http://127.0.0.1:4318/v1/traces"}
		}
	}
	if c.DrainDelay < 0 {
		return &FieldError{Field: "drainDelay", Msg: "must not be negative"}
	}
	return nil
}
