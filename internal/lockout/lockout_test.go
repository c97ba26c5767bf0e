package lockout_test

import (
	"net/http/httptest"
	"testing"

	"github.com/lockstream/lockstream/internal/lockout"
)

// TestSource: the source is the remote address, an IPv6 host's /64, and
// never a header the client sets.
func TestSource(t *testing.T) {
	for remote, want := range map[string]string{
		"203.0.113.7:443":          "203.0.113.7",
		"[2001:db8:1:2:aa::1]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:bb::9]:1":   "2001:db8:1:2::/64",
		"[::ffff:203.0.113.7]:9":   "203.0.113.7",
		"[fe80::1%eth0]:1":         "fe80::/64",
		"not an address":           "unknown",
		"198.51.100.1":             "198.51.100.1",
	} {
		r := httptest.NewRequest("POST", "/token", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", "192.0.2.99")
		if got := lockout.Source(r); got != want {
			t.Errorf("Source(%q) = %q, want %q", remote, got, want)
		}
	}
}
