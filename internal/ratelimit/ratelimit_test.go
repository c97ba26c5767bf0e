package ratelimit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/ratelimit"
)

// clock is a settable test clock, so refills are decided by the test,
// not by how fast the machine runs.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newServer(t *testing.T, h *ratelimit.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("key"))
	})))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestPerIP(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	var rejected []string
	h := &ratelimit.Handler{
		Rules: []ratelimit.Rule{{Group: "keydelivery", Match: func(r *http.Request) bool {
			return strings.HasPrefix(r.URL.Path, "/keydelivery/")
		}, PerIP: ratelimit.New(120, 2, 100)}}, // 2/s, burst 4
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		OnReject:       func(g, by string) { rejected = append(rejected, g+"/"+by) },
		Now:            clk.now,
	}
	srv := newServer(t, h)
	for i := range 4 {
		if r := get(t, srv.URL+"/keydelivery/x/", nil); r.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d", i, r.StatusCode)
		}
	}
	r := get(t, srv.URL+"/keydelivery/x/", nil)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("5th request: %d, want 429", r.StatusCode)
	}
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if strings.Join(rejected, ",") != "keydelivery/ip" {
		t.Fatalf("rejections reported: %v", rejected)
	}
	// Paths outside the rule are not limited.
	if r := get(t, srv.URL+"/other", nil); r.StatusCode != 200 {
		t.Fatalf("unlimited path: %d", r.StatusCode)
	}
	// Through the trusted proxy, the forwarded address is the client:
	// another client has its own bucket.
	if r := get(t, srv.URL+"/keydelivery/x/", map[string]string{"X-Forwarded-For": "198.51.100.7"}); r.StatusCode != 200 {
		t.Fatalf("other client behind the proxy: %d", r.StatusCode)
	}
	// Half a second refills one token.
	clk.add(500 * time.Millisecond)
	if r := get(t, srv.URL+"/keydelivery/x/", nil); r.StatusCode != 200 {
		t.Fatalf("after refill: %d", r.StatusCode)
	}
	if r := get(t, srv.URL+"/keydelivery/x/", nil); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("refill gave more than one token: %d", r.StatusCode)
	}
}

func TestUntrustedForwardedForIgnored(t *testing.T) {
	h := &ratelimit.Handler{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	for _, tc := range []struct {
		remote, xff, want string
	}{
		{"127.0.0.1:5000", "198.51.100.7", "127.0.0.1"},                // not a proxy: header ignored
		{"10.1.2.3:5000", "198.51.100.7", "198.51.100.7"},              // proxy: its client
		{"10.1.2.3:5000", "203.0.113.9, 198.51.100.7", "198.51.100.7"}, // right-most untrusted hop
		{"10.1.2.3:5000", "198.51.100.7, 10.9.9.9", "198.51.100.7"},    // through two proxies
		{"10.1.2.3:5000", "not-an-ip", "10.1.2.3"},                     // malformed: stop at the proxy
		{"[::ffff:10.1.2.3]:5000", "198.51.100.7", "198.51.100.7"},     // mapped IPv4
		{"[2001:db8::1]:5000", "198.51.100.7", "2001:db8::1"},          // IPv6 client
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		r.Header.Set("X-Forwarded-For", tc.xff)
		if got := h.ClientIP(r).String(); got != tc.want {
			t.Errorf("remote %s xff %q: client %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestPerToken(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	var rejected []string
	h := &ratelimit.Handler{
		Rules: []ratelimit.Rule{{Group: "keydelivery", Match: func(*http.Request) bool { return true },
			PerIP: ratelimit.New(60000, 1, 100), PerToken: ratelimit.New(60, 3, 100)}}, // token: 1/s, burst 3
		OnReject: func(g, by string) { rejected = append(rejected, g+"/"+by) },
		Now:      clk.now,
	}
	srv := newServer(t, h)
	a := map[string]string{"Authorization": "Bearer token-a"}
	b := map[string]string{"Authorization": "bearer token-b"}
	for i := range 3 {
		if r := get(t, srv.URL, a); r.StatusCode != 200 {
			t.Fatalf("token a request %d: %d", i, r.StatusCode)
		}
	}
	if r := get(t, srv.URL, a); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("token a over its limit: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := get(t, srv.URL, b); r.StatusCode != 200 {
		t.Fatalf("token b has its own bucket: %d", r.StatusCode)
	}
	// Without a token only the address counts.
	if r := get(t, srv.URL, nil); r.StatusCode != 200 {
		t.Fatalf("no token: %d", r.StatusCode)
	}
	if strings.Join(rejected, ",") != "keydelivery/token" {
		t.Fatalf("rejections: %v", rejected)
	}
}

// TestBoundedMemory: a flood of distinct clients keeps at most maxKeys
// buckets, and an evicted client comes back with a full bucket.
func TestBoundedMemory(t *testing.T) {
	l := ratelimit.New(1, 1, 64)
	now := time.Unix(1_700_000_000, 0)
	for i := range 10_000 {
		if ok, _ := l.Allow(fmt.Sprintf("198.51.%d.%d", i/256, i%256), now); !ok {
			t.Fatalf("first request of client %d refused", i)
		}
	}
	if n := l.Len(); n != 64 {
		t.Fatalf("%d buckets kept, want 64", n)
	}
	if ok, _ := l.Allow("198.51.39.15", now); ok { // the last client, still held and empty
		t.Fatal("recent client not limited")
	}
	if ok, _ := l.Allow("198.51.0.0", now); !ok { // evicted long ago
		t.Fatal("evicted client should start with a full bucket")
	}
}

func TestOff(t *testing.T) {
	if l := ratelimit.New(0, 2, 10); l != nil {
		t.Fatal("rate 0 should be no limiter")
	}
	var l *ratelimit.Limiter
	if ok, _ := l.Allow("x", time.Now()); !ok {
		t.Fatal("nil limiter refused")
	}
}

func TestParsePrefixes(t *testing.T) {
	ps, err := ratelimit.ParsePrefixes([]string{"10.0.0.0/8", "127.0.0.1", "::1"})
	if err != nil || len(ps) != 3 || !ps[1].Contains(netip.MustParseAddr("127.0.0.1")) || ps[1].Contains(netip.MustParseAddr("127.0.0.2")) {
		t.Fatalf("%v %v", ps, err)
	}
	if _, err := ratelimit.ParsePrefixes([]string{"nope"}); err == nil {
		t.Fatal("bad prefix accepted")
	}
}
