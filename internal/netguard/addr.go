package netguard

import (
	"net/netip"
	"strconv"
	"strings"
)

// tier says who may lift a refusal of an address class.
type tier int

const (
	public  tier = iota // allowed
	private             // lifted by AllowPrivate or an allow-list entry
	special             // lifted by an allow-list entry only
	never               // never a unicast destination
)

type rangeClass struct {
	prefix netip.Prefix
	name   string
	tier   tier
}

func mustRanges(rows ...rangeClass) []rangeClass { return rows }

func p(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// v4Ranges are the IPv4 special-purpose ranges (IANA registry, RFC 6890 and
// successors) that a fetch of a user-supplied URL must not reach.
var v4Ranges = mustRanges(
	rangeClass{p("0.0.0.0/8"), "unspecified (this network)", never},
	rangeClass{p("10.0.0.0/8"), "private", private},
	rangeClass{p("100.64.0.0/10"), "shared address space (CGNAT)", private},
	rangeClass{p("127.0.0.0/8"), "loopback", private},
	rangeClass{p("169.254.0.0/16"), "link-local", private},
	rangeClass{p("172.16.0.0/12"), "private", private},
	rangeClass{p("192.0.0.0/24"), "IETF protocol assignment", special},
	rangeClass{p("192.0.2.0/24"), "documentation", special},
	rangeClass{p("192.88.99.0/24"), "6to4 relay anycast", special},
	rangeClass{p("192.168.0.0/16"), "private", private},
	rangeClass{p("198.18.0.0/15"), "benchmarking", special},
	rangeClass{p("198.51.100.0/24"), "documentation", special},
	rangeClass{p("203.0.113.0/24"), "documentation", special},
	rangeClass{p("224.0.0.0/4"), "multicast", never},
	rangeClass{p("255.255.255.255/32"), "broadcast", never},
	rangeClass{p("240.0.0.0/4"), "reserved", never},
)

// v6Ranges are checked in order after the embedded-IPv4 forms; anything
// outside 2000::/3 that no row names is refused as reserved.
var v6Ranges = mustRanges(
	rangeClass{p("::/128"), "unspecified", never},
	rangeClass{p("::1/128"), "loopback", private},
	rangeClass{p("64:ff9b:1::/48"), "local-use NAT64", private},
	rangeClass{p("100::/64"), "discard-only", never},
	rangeClass{p("2001:db8::/32"), "documentation", special},
	rangeClass{p("2001::/23"), "IETF protocol assignment (Teredo, ORCHID, benchmarking)", special},
	rangeClass{p("3fff::/20"), "documentation", special},
	rangeClass{p("5f00::/16"), "segment routing", special},
	rangeClass{p("fc00::/7"), "unique local (private)", private},
	rangeClass{p("fe80::/10"), "link-local", private},
	rangeClass{p("fec0::/10"), "site-local (private)", private},
	rangeClass{p("ff00::/8"), "multicast", never},
)

var globalUnicast6 = p("2000::/3")

// embedded returns the IPv4 address an IPv6 address stands for, if any:
// IPv4-mapped, IPv4-compatible (deprecated), NAT64 well-known prefix and
// 6to4. A check that ignored them would let ::ffff:127.0.0.1 reach
// loopback on a dual-stack host, or 64:ff9b::a00:1 reach 10.0.0.1 through
// a NAT64 gateway.
func embedded(a netip.Addr) (v4 netip.Addr, form string, ok bool) {
	b := a.As16()
	switch {
	case a.Is4In6():
		return a.Unmap(), "IPv4-mapped", true
	case p("64:ff9b::/96").Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), "NAT64", true
	case p("::/96").Contains(a) && a != netip.IPv6Unspecified() && a != netip.IPv6Loopback():
		return netip.AddrFrom4([4]byte(b[12:16])), "IPv4-compatible", true
	case p("2002::/16").Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), "6to4", true
	}
	return netip.Addr{}, "", false
}

// classify names the class of a and who may lift its refusal; public
// unicast addresses are ("", public).
func classify(a netip.Addr) (string, tier) {
	if a.Zone() != "" {
		return "scoped (zone)", never
	}
	if a.Is4() {
		for _, r := range v4Ranges {
			if r.prefix.Contains(a) {
				return r.name, r.tier
			}
		}
		return "", public
	}
	if v4, form, ok := embedded(a); ok {
		name, t := classify(v4)
		if t == public {
			return "", public
		}
		return form + " " + name, t
	}
	for _, r := range v6Ranges {
		if r.prefix.Contains(a) {
			return r.name, r.tier
		}
	}
	if !globalUnicast6.Contains(a) {
		return "reserved", never
	}
	return "", public
}

// endsInNumber reports whether host's last label is a number (decimal,
// or 0x-hex), the WHATWG URL rule for "this host is an IPv4 address".
// Such hosts are only accepted in canonical dotted-quad form.
func endsInNumber(host string) bool {
	labels := strings.Split(host, ".")
	last := labels[len(labels)-1]
	if last == "" {
		return false
	}
	if h, ok := strings.CutPrefix(strings.ToLower(last), "0x"); ok {
		for _, c := range h {
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
		return true
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// legacyIPv4 decodes the inet_aton spellings (one to four parts, each
// decimal, 0-octal or 0x-hex, the last filling the remaining bytes:
// 2130706433, 0177.0.0.1, 0x7f.1, 127.1) that getaddrinfo and browsers
// accept, so a refusal can name the address meant.
func legacyIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var vals []uint64
	for _, s := range parts {
		base := 10
		switch {
		case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
			s, base = s[2:], 16
		case len(s) > 1 && s[0] == '0':
			s, base = s[1:], 8
		}
		v, err := strconv.ParseUint(s, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		vals = append(vals, v)
	}
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, false
		}
		n |= v << (24 - 8*i)
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, false
	}
	n |= last
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}
