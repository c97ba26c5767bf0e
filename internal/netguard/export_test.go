package netguard

import (
	"context"
	"net/netip"
)

// WithLookup returns o with DNS resolution replaced, so tests can make a
// name resolve to any address (and change between lookups, as a
// rebinding DNS server would).
func WithLookup(o Options, f func(ctx context.Context, host string) ([]netip.Addr, error)) Options {
	o.lookup = f
	return o
}
