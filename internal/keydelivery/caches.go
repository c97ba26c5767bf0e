package keydelivery

// CacheStat is one cache's counters, for metrics.
type CacheStat struct {
	Hits, Misses uint64
	Entries      int
}

// CacheStats reports key delivery's caches: "accounts", "policies" and
// "contentKeys".
// Call after Initialize.
func (s *Server) CacheStats() map[string]CacheStat {
	ah, am, an := s.accounts.Stats()
	ph, pm, pn := s.policies.Stats()
	kh, km, kn := s.byKID.Stats()
	return map[string]CacheStat{
		"accounts":    {Hits: ah, Misses: am, Entries: an},
		"policies":    {Hits: ph, Misses: pm, Entries: pn},
		"contentKeys": {Hits: kh, Misses: km, Entries: kn},
	}
}

// Invalidate drops the cached accounts, policies and content keys: the
// store changed (on this node or another), e.g. a policy's token key was
// rotated or a locator deleted.
func (s *Server) Invalidate() {
	now := s.Now()
	s.accounts.ClearAt(now)
	s.policies.ClearAt(now)
	s.byKID.ClearAt(now)
}
