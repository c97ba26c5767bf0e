package ratelimit

import (
	"crypto/sha256"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Rule limits the requests Match selects.
type Rule struct {
	// Group names the endpoints for metrics ("keydelivery", "token").
	Group string
	Match func(*http.Request) bool
	// PerIP and PerToken are the limits per client address and per
	// bearer token; either may be nil.
	PerIP, PerToken *Limiter
}

// Handler applies the first matching rule to each request.
type Handler struct {
	Rules []Rule
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed; otherwise the connection's address is the client.
	TrustedProxies []netip.Prefix
	// OnReject, when set, is told of each 429 (group, "ip" or "token").
	OnReject func(group, by string)
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Wrap returns next behind the limits.
func (h *Handler) Wrap(next http.Handler) http.Handler {
	if len(h.Rules) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			// Preflights carry no credentials and cost nothing.
			next.ServeHTTP(w, r)
			return
		}
		for i := range h.Rules {
			rule := &h.Rules[i]
			if !rule.Match(r) {
				continue
			}
			now := time.Now()
			if h.Now != nil {
				now = h.Now()
			}
			if rule.PerIP != nil {
				if ok, d := rule.PerIP.Allow(h.ClientIP(r).String(), now); !ok {
					h.reject(w, rule.Group, "ip", d)
					return
				}
			}
			if rule.PerToken != nil {
				if tok := bearer(r); tok != "" {
					sum := sha256.Sum256([]byte(tok))
					if ok, d := rule.PerToken.Allow(string(sum[:16]), now); !ok {
						h.reject(w, rule.Group, "token", d)
						return
					}
				}
			}
			break
		}
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) reject(w http.ResponseWriter, group, by string, d time.Duration) {
	if h.OnReject != nil {
		h.OnReject(group, by)
	}
	w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(d)))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"Too many requests from this client; retry after the time in Retry-After."}}` + "\n"))
}

// ClientIP is the connection's address, or, when that is a trusted
// proxy, the right-most address of X-Forwarded-For that is not one (the
// left part of the header is whatever the client wrote).
func (h *Handler) ClientIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.IPv4Unspecified()
	}
	ip = ip.Unmap()
	if !h.trusted(ip) {
		return ip
	}
	xff := r.Header.Values("X-Forwarded-For")
	for i := len(xff) - 1; i >= 0; i-- {
		parts := strings.Split(xff[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return ip // a malformed hop: stop at the proxy we know
			}
			a = a.Unmap()
			if !h.trusted(a) {
				return a
			}
			ip = a
		}
	}
	return ip
}

func (h *Handler) trusted(ip netip.Addr) bool {
	for _, p := range h.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// bearer returns the request's bearer token, or "".
func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// ParsePrefixes parses IPs and CIDRs (an IP is a one-address prefix).
func ParsePrefixes(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
