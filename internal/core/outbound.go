package core

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"

	"github.com/lockstream/lockstream/internal/netguard"
)

// buildOutbound builds the node's outbound-request guard for fetches of
// user-supplied URLs (OpenID Connect discovery and key sets), from the
// outbound.* settings, once the listeners are bound.
//
// Two things are implicit, so that the README's recipe (a policy whose
// discovery document is this node's own STS) works with
// --tls-self-signed: the node's own certificate is trusted besides the
// system roots and the operator's bundle, and the node's own API listener
// (its public URL's host and port, and its bound address and port) is
// admitted although it is usually loopback, and so is the host:port of an
// operator-set --sts-issuer. That is one port, not a loopback allowance:
// other local services stay refused.
func (c *Core) buildOutbound(apiURL string) (*netguard.Guard, error) {
	o, err := c.outboundOptions()
	if err != nil {
		return nil, err
	}
	o.AllowHosts = append(o.AllowHosts, ownListener(apiURL, c.Addr("api"))...)
	if c.Conf.STS.Enabled && c.Conf.STS.Issuer != "" {
		// An operator-set STS issuer (a proxy's name for this node) is
		// this node's own STS too.
		o.AllowHosts = append(o.AllowHosts, ownListener(c.Conf.STS.Issuer, "")...)
	}
	return netguard.New(o), nil
}

// outboundOptions are the guard settings every outbound fetch shares: the
// operator's allow-list and private-address switch, and trust in the
// system roots, the node's own certificate and the operator's CA bundle.
func (c *Core) outboundOptions() (netguard.Options, error) {
	o := netguard.Options{
		AllowPrivate: c.Conf.Outbound.AllowPrivate,
		AllowHosts:   append([]string(nil), c.Conf.Outbound.AllowHosts...),
		AllowHTTP:    c.Conf.KeyDelivery.AllowHTTPDiscovery,
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if c.tlsCfg != nil {
		for _, cert := range c.tlsCfg.Certificates {
			for _, der := range cert.Certificate {
				if xc, err := x509.ParseCertificate(der); err == nil {
					pool.AddCert(xc)
				}
			}
		}
	}
	if f := c.Conf.Outbound.CAFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return o, fmt.Errorf("outbound CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return o, fmt.Errorf("outbound CA file %s: no PEM certificate", f)
		}
	}
	o.RootCAs = pool
	return o, nil
}

// ownListener returns allow-list entries for the node's own API listener:
// the public URL's host:port and the bound address (both loopback
// addresses for a wildcard bind).
func ownListener(apiURL, bound string) []string {
	var out []string
	if u, err := url.Parse(apiURL); err == nil && u.Hostname() != "" {
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
		}
		if port != "" {
			out = append(out, net.JoinHostPort(u.Hostname(), port))
		}
	}
	if ap, err := netip.ParseAddrPort(bound); err == nil {
		if ap.Addr().IsUnspecified() {
			out = append(out, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), ap.Port()).String(),
				netip.AddrPortFrom(netip.IPv6Loopback(), ap.Port()).String())
		} else {
			out = append(out, ap.String())
		}
	}
	return out
}
