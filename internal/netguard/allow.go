package netguard

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// allowEntry is one parsed Options.AllowHosts entry. Exactly one of
// prefix and host is set; port 0 means any port.
type allowEntry struct {
	prefix netip.Prefix
	host   string // lower case, no trailing dot; "*.x" matches subdomains of x
	port   int
}

// parseAllow reads one allow-list entry: host, *.domain, IP, CIDR, each
// optionally with :port (IPv6 with a port in brackets).
func parseAllow(s string) (allowEntry, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return allowEntry{}, fmt.Errorf("empty entry")
	}
	if pfx, err := netip.ParsePrefix(s); err == nil {
		return allowEntry{prefix: pfx.Masked()}, nil
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil && a.Zone() == "" {
		return allowEntry{prefix: netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())}, nil
	}
	host, port := s, 0
	if h, ps, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			return allowEntry{}, fmt.Errorf("entry %q: bad port", s)
		}
		host, port = h, n
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Zone() == "" {
		return allowEntry{prefix: netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), port: port}, nil
	}
	host = normalizeHost(host)
	name := strings.TrimPrefix(host, "*.")
	if name == "" || strings.ContainsAny(name, "*/[]%@ ") || endsInNumber(name) {
		return allowEntry{}, fmt.Errorf("entry %q: not a host name, IP address or CIDR prefix", s)
	}
	return allowEntry{host: host, port: port}, nil
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func (e allowEntry) portOK(port int) bool { return e.port == 0 || e.port == port }

// allowList is the parsed Options.AllowHosts.
type allowList []allowEntry

func (l allowList) host(host string, port int) bool {
	for _, e := range l {
		if e.host == "" || !e.portOK(port) {
			continue
		}
		if e.host == host {
			return true
		}
		if d, ok := strings.CutPrefix(e.host, "*"); ok && strings.HasSuffix(host, d) {
			return true
		}
	}
	return false
}

func (l allowList) addr(a netip.Addr, port int) bool {
	a = a.Unmap()
	for _, e := range l {
		if e.prefix.IsValid() && e.portOK(port) && e.prefix.Contains(a) {
			return true
		}
	}
	return false
}

// ValidateAllowHosts reports the first entry of an Options.AllowHosts list
// that New would not understand (New ignores such entries), so that
// configuration can be refused at start.
func ValidateAllowHosts(entries []string) error {
	for _, s := range entries {
		if _, err := parseAllow(s); err != nil {
			return fmt.Errorf("netguard: allow-list: %w", err)
		}
	}
	return nil
}
