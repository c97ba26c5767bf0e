// Package ttlcache is the one small in-memory cache the servers share: a
// map bounded by entry count whose entries expire a fixed time after they
// were put. The caller passes the time (so tests never sleep) and decides
// what is worth keeping (key delivery keeps only found values, so random
// ids cannot fill it).
//
// When full, the cache is emptied rather than evicting in order: entries
// live seconds, are cheap to rebuild, and the bound is there against
// floods of distinct keys, not for hit rate. Safe for concurrent use.
package ttlcache
