package netguard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults and limits.
const (
	DefaultMaxBody = 1 << 20
	DefaultTimeout = 30 * time.Second
	// MaxRedirects bounds the redirects one request follows.
	MaxRedirects = 5
	dialTimeout  = 10 * time.Second
)

var (
	// ErrRefused is wrapped by every refusal of a destination: its scheme,
	// its host's spelling or one of the addresses it resolves to. Such an
	// error does not go away by retrying.
	ErrRefused = errors.New("destination refused")
	// ErrTooLarge is returned by a response body's Read once more than
	// Options.MaxBody bytes would be read.
	ErrTooLarge = errors.New("response body too large")
)

// Options configure a Guard. The zero value refuses everything but public
// https destinations.
type Options struct {
	// AllowPrivate admits loopback, private, link-local, CGNAT and unique
	// local destinations: an operator switch for deployments whose
	// identity providers live on internal networks.
	AllowPrivate bool
	// AllowHosts are destinations always admitted: host names
	// ("*.corp.example" for subdomains), IP addresses or CIDR prefixes,
	// each optionally with ":port" to admit that port only. Entries
	// ValidateAllowHosts refuses are ignored.
	AllowHosts []string
	// AllowHTTP admits http:// besides https://.
	AllowHTTP bool
	// MaxBody caps each response body; 0 means DefaultMaxBody, negative no
	// cap (for downloads the caller bounds itself).
	MaxBody int64
	// Timeout bounds each whole request including its body; 0 means
	// DefaultTimeout, negative none.
	Timeout time.Duration
	// RootCAs verifies servers' certificates; nil means the system pool.
	// It is used as given: to add to the system trust, start from
	// x509.SystemCertPool.
	RootCAs *x509.CertPool
	// Certificates are client certificates presented to servers that ask
	// for one (mutual TLS to a key provider).
	Certificates []tls.Certificate

	// lookup replaces DNS resolution in tests (export_test.go).
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Guard checks and makes outbound requests. It is safe for concurrent use.
type Guard struct {
	o         Options
	allow     allowList
	transport http.RoundTripper
	timeout   time.Duration
}

// New returns a Guard for o.
func New(o Options) *Guard {
	g := &Guard{o: o}
	for _, s := range o.AllowHosts {
		if e, err := parseAllow(s); err == nil {
			g.allow = append(g.allow, e)
		}
	}
	if g.o.MaxBody == 0 {
		g.o.MaxBody = DefaultMaxBody
	}
	switch {
	case o.Timeout == 0:
		g.timeout = DefaultTimeout
	case o.Timeout > 0:
		g.timeout = o.Timeout
	}
	if g.o.lookup == nil {
		g.o.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	t := &http.Transport{
		// Never a proxy from the environment: the proxy, not the guard,
		// would choose the destination.
		Proxy:                 nil,
		DialContext:           g.dialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs, Certificates: o.Certificates},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: g.timeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
	}
	g.transport = &capTransport{base: t, max: g.o.MaxBody}
	return g
}

// Client returns an HTTP client that dials only checked addresses,
// checks every redirect again and caps response bodies. Clients share one
// connection pool.
func (g *Guard) Client() *http.Client {
	return &http.Client{Transport: g.transport, CheckRedirect: g.checkRedirect, Timeout: g.timeout}
}

// CheckURL validates raw as a destination without connecting: scheme,
// host spelling and every address the host resolves to. Errors wrapping
// ErrRefused are permanent; others (resolution failed) may be transient.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return refused("URL does not parse")
	}
	host, port, err := g.checkSyntax(u)
	if err != nil {
		return err
	}
	_, err = g.resolve(ctx, host, port)
	return err
}

func (g *Guard) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("netguard: stopped after %d redirects: %w", MaxRedirects, ErrRefused)
	}
	if err := g.CheckURL(req.Context(), req.URL.String()); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	return nil
}

// checkSyntax checks what the URL says before any resolution and returns
// its host and effective port.
func (g *Guard) checkSyntax(u *url.URL) (host string, port int, err error) {
	switch {
	case u.Scheme == "https":
		port = 443
	case u.Scheme == "http" && g.o.AllowHTTP:
		port = 80
	case u.Scheme == "http":
		return "", 0, refused("http:// is not allowed, only https://")
	default:
		return "", 0, refused(fmt.Sprintf("scheme %q is not allowed", u.Scheme))
	}
	if u.User != nil {
		return "", 0, refused("credentials in the URL are not allowed")
	}
	if u.Opaque != "" || u.Host == "" {
		return "", 0, refused("URL has no host")
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, refused("bad port")
		}
		port = n
	}
	return u.Hostname(), port, nil
}

// resolve checks host's spelling, resolves it and checks every address;
// it returns the addresses to dial.
func (g *Guard) resolve(ctx context.Context, host string, port int) ([]netip.Addr, error) {
	h := normalizeHost(host)
	if h == "" {
		return nil, refused("empty host")
	}
	if strings.Contains(h, "%") {
		return nil, refused(fmt.Sprintf("host %q: IPv6 zones are not allowed", host))
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if err := g.checkAddr(a, port, false); err != nil {
			return nil, fmt.Errorf("host %s: %w", h, err)
		}
		return []netip.Addr{a.Unmap()}, nil
	}
	if endsInNumber(h) {
		if a, ok := legacyIPv4(h); ok {
			return nil, refused(fmt.Sprintf("host %q is the IP address %s in a non-canonical spelling", host, a))
		}
		return nil, refused(fmt.Sprintf("host %q ends in a number but is not an IP address", host))
	}
	hostAllowed := g.allow.host(h, port)
	if !hostAllowed && (h == "localhost" || strings.HasSuffix(h, ".localhost")) {
		// RFC 6761 §6.3: localhost names are loopback, whatever DNS says.
		if err := g.checkAddr(netip.IPv6Loopback(), port, false); err != nil {
			return nil, fmt.Errorf("host %s: %w", h, err)
		}
	}
	addrs, err := g.o.lookup(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("netguard: resolve %s: %w", h, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("netguard: resolve %s: no addresses", h)
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		// Every address, not just the first: the dialer may fall back to
		// any of them.
		if err := g.checkAddr(a, port, hostAllowed); err != nil {
			return nil, fmt.Errorf("host %s resolves to a refused address: %w", h, err)
		}
		out = append(out, a.Unmap())
	}
	return out, nil
}

// checkAddr refuses a unless its class is public or the operator lifted
// the refusal.
func (g *Guard) checkAddr(a netip.Addr, port int, hostAllowed bool) error {
	name, t := classify(a)
	switch {
	case t == public:
		return nil
	case t == never:
	case hostAllowed || g.allow.addr(a, port):
		return nil
	case t == private && g.o.AllowPrivate:
		return nil
	}
	return refused(fmt.Sprintf("%s is a %s address", a, name))
}

// dialContext is the transport's only way out: it resolves and checks
// addr's host, then dials the checked addresses one by one.
func (g *Guard) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("netguard: dial %s: %w", addr, err)
	}
	port, err := strconv.Atoi(ps)
	if err != nil {
		return nil, fmt.Errorf("netguard: dial %s: bad port", addr)
	}
	addrs, err := g.resolve(ctx, host, port)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		want := netip.AddrPortFrom(a, uint16(port))
		d := net.Dialer{
			Timeout: dialTimeout,
			// The socket's address must be the one checked, whatever the
			// dialer did with it.
			Control: func(_, address string, _ syscall.RawConn) error {
				got, err := netip.ParseAddrPort(address)
				if err != nil || got.Addr().Unmap() != want.Addr() || got.Port() != want.Port() {
					return refused(fmt.Sprintf("dial of %s instead of the checked %s", address, want))
				}
				return nil
			},
		}
		c, err := d.DialContext(ctx, network, want.String())
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("netguard: dial %s: %w", host, errors.Join(errs...))
}

func refused(reason string) error {
	return fmt.Errorf("netguard: %s: %w", reason, ErrRefused)
}
