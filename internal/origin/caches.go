package origin

// CacheStat is one cache's counters, for metrics.
type CacheStat struct {
	Hits, Misses uint64
	Entries      int
	Bytes        int64 // estimated memory; 0 when not tracked
}

// CacheStats reports the origin's caches: "presentations" (the parsed
// sample tables' LRU) and "locators" (locator info and protections read
// from the store). Call after Initialize; cheap enough for every scrape.
func (s *Server) CacheStats() map[string]CacheStat {
	ph, pm, pn, pb := s.cache.Stats()
	lh, lm, ln := s.meta.Stats()
	return map[string]CacheStat{
		"presentations": {Hits: ph, Misses: pm, Entries: pn, Bytes: pb},
		"locators":      {Hits: lh, Misses: lm, Entries: ln},
	}
}

// Invalidate drops every locator info read from the store, so that the
// next request reads the locator, its policies, endpoints and filters
// again: the store changed (on this node or another). Presentations stay:
// their keys name the files' sizes, ETags and times, so they cannot go
// stale.
func (s *Server) Invalidate() {
	s.meta.ClearAt(s.now())
}
