package core

import (
	"context"
	"net/http"
	"net/url"

	"github.com/lockstream/lockstream/internal/netguard"
)

// discoveryGuard is the outbound guard as key delivery (fetching) and the
// API (validating at policy creation) see OpenID Connect discovery URLs:
// the node's own STS is answered in-process by selfTransport and accepted
// at creation whatever its scheme or address, because it never leaves the
// process; every other URL gets the guard's full treatment (https unless
// allowed, address classes, redirects, size and time caps).
type discoveryGuard struct {
	guard  *netguard.Guard
	self   *selfTransport
	client *http.Client
}

func newDiscoveryGuard(g *netguard.Guard, self *selfTransport) *discoveryGuard {
	cl := *g.Client()
	self.next = cl.Transport
	cl.Transport = self
	return &discoveryGuard{guard: g, self: self, client: &cl}
}

// Client is the fetch client: own STS in-process, the rest through the
// guard's dialer.
func (d *discoveryGuard) Client() *http.Client { return d.client }

// CheckURL accepts the node's own STS and defers to the guard otherwise.
func (d *discoveryGuard) CheckURL(ctx context.Context, raw string) error {
	if u, err := url.Parse(raw); err == nil && d.self.handler != nil {
		u.RawQuery, u.Fragment = "", ""
		if _, ok := d.self.own(u.String()); ok {
			return nil
		}
	}
	return d.guard.CheckURL(ctx, raw)
}
