package metrics

import (
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// CacheStats is one cache's counters at scrape time.
type CacheStats struct {
	Hits, Misses uint64
	Entries      int
	// Bytes is the estimated memory held, 0 when the cache does not
	// count it.
	Bytes int64
}

// CacheSource reports named caches (fixed names such as "presentations"
// or "locators"). It is called at scrape time only, so the caches pay
// nothing but their own counters on the request path.
type CacheSource func() map[string]CacheStats

// AddCaches registers a collector over the caches src reports, under
// component ("origin", "keydelivery").
func (m *Metrics) AddCaches(component string, src CacheSource) {
	if m == nil {
		return
	}
	m.caches.mu.Lock()
	defer m.caches.mu.Unlock()
	m.caches.srcs = append(m.caches.srcs, cacheSource{component: component, src: src})
}

var (
	cacheReqDesc = prometheus.NewDesc(Namespace+"_cache_requests_total",
		"Cache lookups by component, cache and result (hit, miss).", []string{"component", "cache", "result"}, nil)
	cacheEntriesDesc = prometheus.NewDesc(Namespace+"_cache_entries",
		"Entries held by a cache (the parsed-presentation LRU, TTL caches).", []string{"component", "cache"}, nil)
	cacheBytesDesc = prometheus.NewDesc(Namespace+"_cache_bytes",
		"Estimated memory held by a cache that bounds its size in bytes.", []string{"component", "cache"}, nil)
)

// cacheCollector is the one collector of every component's caches
// (one per registry: the families' descriptors are registered once).
type cacheCollector struct {
	mu   sync.Mutex
	srcs []cacheSource
}

type cacheSource struct {
	component string
	src       CacheSource
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cacheReqDesc
	ch <- cacheEntriesDesc
	ch <- cacheBytesDesc
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	srcs := slices.Clone(c.srcs)
	c.mu.Unlock()
	for _, s := range srcs {
		for name, st := range s.src() {
			ch <- prometheus.MustNewConstMetric(cacheReqDesc, prometheus.CounterValue, float64(st.Hits), s.component, name, "hit")
			ch <- prometheus.MustNewConstMetric(cacheReqDesc, prometheus.CounterValue, float64(st.Misses), s.component, name, "miss")
			ch <- prometheus.MustNewConstMetric(cacheEntriesDesc, prometheus.GaugeValue, float64(st.Entries), s.component, name)
			if st.Bytes > 0 {
				ch <- prometheus.MustNewConstMetric(cacheBytesDesc, prometheus.GaugeValue, float64(st.Bytes), s.component, name)
			}
		}
	}
}
