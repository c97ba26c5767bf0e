// Package netguard is the one outbound-request guard: every server-side
// fetch of a URL a user supplied (OpenID Connect discovery and key sets of
// content key policies today; job inputs, webhooks and DRM vendor calls as
// they arrive) goes through a [Guard], so that a principal who may write a
// URL cannot make the server reach what only the server can reach.
//
// # What is refused
//
// A destination is refused unless every address its host resolves to is a
// public unicast address. Refused classes (see classify in addr.go):
// loopback, private (RFC 1918, IPv6 unique local fc00::/7, deprecated
// site-local), link-local (including the cloud metadata address
// 169.254.169.254), shared address space 100.64.0.0/10 (CGNAT),
// unspecified, multicast, broadcast and the reserved 240.0.0.0/4,
// documentation and benchmarking ranges, IETF protocol assignments, and
// the IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:0:0/96,
// IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16), which are
// judged by the address they embed. IPv6 outside 2000::/3 is refused.
//
// Hosts that are IP addresses in a spelling other than the canonical
// dotted quad or RFC 4291 text (2130706433, 0177.0.0.1, 0x7f.1, 127.1) are
// refused outright: resolvers disagree on what they mean, and a check that
// reads them differently from the dialer is a bypass. So are hosts that
// end in a number but are not an address, IPv6 zones, and localhost names
// (RFC 6761), which are never sent to DNS.
//
// # How
//
// The check runs where the connection is made: the client's DialContext
// resolves the host once, checks every address, and dials only the
// checked addresses (a net.Dialer Control hook verifies the socket's
// address once more), so DNS rebinding between check and connect cannot
// switch the target. Environment proxies are never used (a proxy would
// make the proxy, not the guard, choose the destination). Redirects are
// checked again, limited to [MaxRedirects], and may not leave the scheme
// allow-list (https; http only with Options.AllowHTTP). Bodies are capped
// at Options.MaxBody ([ErrTooLarge]) and requests bounded by
// Options.Timeout.
//
// # Operator switches
//
// Options.AllowPrivate admits loopback, private, link-local, CGNAT and
// unique local addresses (never unspecified, multicast, broadcast or
// reserved ones). Options.AllowHosts admits named destinations only: a
// host name ("idp.corp.example", "*.corp.example"), an IP address or CIDR
// prefix ("10.1.2.3", "10.1.0.0/16", "fd00::/8"), each optionally with a
// port ("idp.corp.example:8443", "127.0.0.1:8443", "[::1]:8443") that
// then admits that port only. A node admits its own listener this way.
//
// [Guard.CheckURL] applies the same rules without connecting, for
// validating URLs when they are stored; errors wrapping [ErrRefused] are
// permanent, others (a name that does not resolve) may be transient.
package netguard
