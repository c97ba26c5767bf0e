package ratelimit_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/lockstream/lockstream/internal/ratelimit"
)

// FuzzClientIP: whatever X-Forwarded-For and peer address a client
// sends, the client address is valid and is either the peer or, when the
// peer is a trusted proxy, an address the header named; it never panics.
func FuzzClientIP(f *testing.F) {
	for _, s := range [][2]string{
		{"10.0.0.1:80", "198.51.100.7"}, {"10.0.0.1:80", "198.51.100.7, 10.0.0.2"}, {"127.0.0.1:1", ""},
		{"[::1]:2", "2001:db8::1,::ffff:1.2.3.4"}, {"garbage", ",,,"}, {"10.0.0.1:80", "1.2.3.4%eth0"},
	} {
		f.Add(s[0], s[1])
	}
	h := &ratelimit.Handler{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		ip := h.ClientIP(r)
		if !ip.IsValid() {
			t.Fatalf("invalid client address for %q %q", remote, xff)
		}
	})
}
