package core

import (
	"context"
	"net/http"

	"github.com/lockstream/lockstream/internal/netguard"
)

// eventsGuard is the outbound guard event deliveries use
// (netguard.Guard): its client for deliveries, its URL check when a
// subscription is created.
type eventsGuard interface {
	Client() *http.Client
	CheckURL(ctx context.Context, raw string) error
}

// eventsOutbound returns the guard for webhook deliveries: the node's
// outbound settings (allow-list, trust), plus the events' own switches
// for http:// and private destinations. Unlike discovery it does not admit
// the node's own API listener: a webhook has no business posting to it.
func (c *Core) eventsOutbound() (eventsGuard, error) {
	o, err := c.outboundOptions()
	if err != nil {
		return nil, err
	}
	o.AllowPrivate = o.AllowPrivate || c.Conf.Events.AllowPrivate
	o.AllowHTTP = c.Conf.Events.AllowHTTP
	o.Timeout = c.Conf.Events.Timeout.Std()
	return netguard.New(o), nil
}
