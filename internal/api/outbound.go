package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/netguard"
)

// urlChecker is what the API needs of the outbound-request guard.
type urlChecker interface {
	CheckURL(ctx context.Context, raw string) error
}

// checkURLTimeout bounds the name resolution of one URL check.
const checkURLTimeout = 5 * time.Second

func (s *Server) outbound() urlChecker {
	if s.Outbound != nil {
		return s.Outbound
	}
	return netguard.New(netguard.Options{})
}

// precheckContentKeyPolicy refuses a policy whose OpenID Connect discovery
// document the node's guard would never fetch (http:// without
// --keydelivery-allow-http-discovery, loopback, private, link-local or
// otherwise internal addresses however spelled, names resolving to them),
// so the mistake or the attack is reported to the writer with the field,
// instead of surfacing later as 503s at key delivery. A name that does not
// resolve now is accepted: DNS may be transient, and every fetch is
// checked again.
func precheckContentKeyPolicy(c *call, body []byte) error {
	var in struct {
		Properties *struct {
			Options []struct {
				Restriction *struct {
					Discovery *string `json:"openIdConnectDiscoveryDocument"`
				} `json:"restriction"`
			} `json:"options"`
		} `json:"properties"`
	}
	if json.Unmarshal(body, &in) != nil || in.Properties == nil {
		return nil // build reports malformed bodies with their field
	}
	for i, o := range in.Properties.Options {
		if o.Restriction == nil || o.Restriction.Discovery == nil || *o.Restriction.Discovery == "" {
			continue
		}
		ctx, cancel := context.WithTimeout(c.ctx, checkURLTimeout)
		err := c.s.outbound().CheckURL(ctx, *o.Restriction.Discovery)
		cancel()
		if errors.Is(err, netguard.ErrRefused) {
			field := fmt.Sprintf("properties.options[%d].restriction.openIdConnectDiscoveryDocument", i)
			return paramError(field, "the server will not fetch this URL: %v.", err)
		}
		if err != nil {
			c.s.Log.Warn("discovery document host does not resolve now; accepted, checked again at fetch", "field", i, "err", err)
		}
	}
	return nil
}
