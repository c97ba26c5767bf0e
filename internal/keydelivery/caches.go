package keydelivery

// CacheStat is one cache's counters, for metrics.
type CacheStat struct {
	Hits, Misses uint64
	Entries      int
}

// CacheStats reports key delivery's caches: "accounts" and "policies".
// Call after Initialize.
func (s *Server) CacheStats() map[string]CacheStat {
	ah, am, an := s.accounts.Stats()
	ph, pm, pn := s.policies.Stats()
	return map[string]CacheStat{
		"accounts": {Hits: ah, Misses: am, Entries: an},
		"policies": {Hits: ph, Misses: pm, Entries: pn},
	}
}

// Invalidate drops the cached accounts and policies: the store changed
// (on this node or another), e.g. a policy's token key was rotated.
func (s *Server) Invalidate() {
	now := s.Now()
	s.accounts.ClearAt(now)
	s.policies.ClearAt(now)
}
