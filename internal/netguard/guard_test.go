package netguard_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/test/conntest"
)

// TestCheckURLAddressClasses: every special-purpose class is refused by
// default, public unicast is not. No connection is made by CheckURL.
func TestCheckURLAddressClasses(t *testing.T) {
	g := netguard.New(netguard.Options{})
	refused := []string{
		"https://127.0.0.1/", "https://127.255.0.9/", "https://[::1]/",
		"https://10.0.0.1/", "https://172.16.5.4/", "https://172.31.255.255/", "https://192.168.1.1/",
		"https://169.254.169.254/latest/meta-data/", "https://169.254.0.1/", "https://[fe80::1]/",
		"https://100.64.0.1/", "https://100.127.255.254/",
		"https://[fc00::1]/", "https://[fd12:3456::1]/", "https://[fec0::1]/",
		"https://224.0.0.1/", "https://239.255.255.250/", "https://[ff02::1]/",
		"https://0.0.0.0/", "https://0.1.2.3/", "https://[::]/",
		"https://255.255.255.255/", "https://240.0.0.1/",
		"https://192.0.2.1/", "https://198.51.100.7/", "https://203.0.113.9/", "https://[2001:db8::1]/",
		"https://198.18.0.1/", "https://192.0.0.8/",
		// IPv6 forms embedding a refused IPv4 address.
		"https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/", "https://[::ffff:169.254.169.254]/",
		"https://[::127.0.0.1]/", "https://[64:ff9b::10.0.0.1]/", "https://[64:ff9b::7f00:1]/",
		"https://[2002:7f00:1::]/", "https://[2002:a9fe:a9fe::1]/", "https://[64:ff9b:1::1]/",
		// Teredo and reserved IPv6.
		"https://[2001::1]/", "https://[100::1]/", "https://[4000::1]/",
		// Spellings of 127.0.0.1.
		"https://2130706433/", "https://0177.0.0.1/", "https://0x7f.0.0.1/", "https://0x7f000001/",
		"https://127.1/", "https://127.0.1/", "https://017700000001/", "https://127.0.0.1./",
		"https://0/", "https://1.2.3.4.5/", "https://example.0x10/",
		// Names that are loopback by definition (RFC 6761).
		"https://localhost/", "https://LOCALHOST./", "https://api.localhost/",
		// Zones, schemes, credentials.
		"https://[fe80::1%25eth0]/",
		"http://93.184.216.34/", "ftp://93.184.216.34/", "file:///etc/passwd", "gopher://93.184.216.34/",
		"https://user:pw@93.184.216.34/", "https:///nohost", "not a url\x00",
	}
	for _, u := range refused {
		err := g.CheckURL(context.Background(), u)
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("CheckURL(%q) = %v, want ErrRefused", u, err)
		}
	}
	allowed := []string{
		"https://93.184.216.34/", "https://8.8.8.8:8443/x", "https://[2606:4700:4700::1111]/",
		"https://[::ffff:8.8.8.8]/", "https://[64:ff9b::8.8.8.8]/", "https://1.1.1.1./",
	}
	for _, u := range allowed {
		if err := g.CheckURL(context.Background(), u); err != nil {
			t.Errorf("CheckURL(%q) = %v, want nil", u, err)
		}
	}
}

// TestRefusalNamesTheAddress: a non-canonical spelling is reported as the
// address it means, so operators see what was attempted.
func TestRefusalNamesTheAddress(t *testing.T) {
	g := netguard.New(netguard.Options{})
	for in, want := range map[string]string{
		"https://2130706433/": "127.0.0.1", "https://0177.0.0.1/": "127.0.0.1",
		"https://0xa9.0xfe.0xa9.0xfe/": "169.254.169.254", "https://10.1/": "10.0.0.1",
	} {
		err := g.CheckURL(context.Background(), in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckURL(%q) = %v, want it to name %s", in, err, want)
		}
	}
}

func TestAllowPrivateAndAllowHosts(t *testing.T) {
	ctx := context.Background()
	priv := netguard.New(netguard.Options{AllowPrivate: true})
	for _, u := range []string{"https://127.0.0.1/", "https://10.0.0.1/", "https://169.254.169.254/", "https://[fd00::1]/", "https://100.64.0.1/"} {
		if err := priv.CheckURL(ctx, u); err != nil {
			t.Errorf("AllowPrivate: CheckURL(%q) = %v", u, err)
		}
	}
	for _, u := range []string{"https://0.0.0.0/", "https://224.0.0.1/", "https://255.255.255.255/", "https://2130706433/", "https://192.0.2.1/"} {
		if err := priv.CheckURL(ctx, u); !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("AllowPrivate: CheckURL(%q) = %v, want ErrRefused", u, err)
		}
	}
	g := netguard.New(netguard.Options{AllowHosts: []string{"10.1.0.0/16", "127.0.0.1:8443", "[::1]:9443", "idp.corp.example", "*.svc.example:444", "192.0.2.7"}})
	for u, ok := range map[string]bool{
		"https://10.1.2.3/": true, "https://10.2.0.1/": false,
		"https://127.0.0.1:8443/": true, "https://127.0.0.1:8444/": false, "https://127.0.0.1/": false,
		"https://[::1]:9443/": true, "https://[::1]:8443/": false,
		"https://[::ffff:10.1.0.9]/": true, "https://192.0.2.7/": true, "https://192.0.2.8/": false,
	} {
		err := g.CheckURL(ctx, u)
		if ok != (err == nil) {
			t.Errorf("allow-list: CheckURL(%q) = %v, want allowed=%v", u, err, ok)
		}
	}
	// Host-name entries admit what the name resolves to.
	names := netguard.New(netguard.WithLookup(netguard.Options{AllowHosts: []string{"idp.corp.example", "*.svc.example:444"}},
		func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("10.9.9.9")}, nil
		}))
	for u, ok := range map[string]bool{
		"https://idp.corp.example/": true, "https://IDP.corp.example./x": true, "https://other.corp.example/": false,
		"https://a.svc.example:444/": true, "https://a.svc.example/": false,
	} {
		err := names.CheckURL(ctx, u)
		if ok != (err == nil) {
			t.Errorf("allow-list names: CheckURL(%q) = %v, want allowed=%v", u, err, ok)
		}
	}
	if err := netguard.ValidateAllowHosts([]string{"ok.example", "10.0.0.0/8", "h:99999"}); err == nil {
		t.Error("ValidateAllowHosts accepted a bad port")
	}
	if err := netguard.ValidateAllowHosts([]string{"127.1"}); err == nil {
		t.Error("ValidateAllowHosts accepted a non-canonical address")
	}
}

// resolving returns a lookup that answers addrs for every name.
func resolving(addrs ...string) func(context.Context, string) ([]netip.Addr, error) {
	return func(context.Context, string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

// TestFetchRefusedNoConnection is the SSRF table at fetch time: every
// spelling of the local listener, names resolving to it, and redirects to
// it fail with ErrRefused, and the listener sees no connection at all.
func TestFetchRefusedNoConnection(t *testing.T) {
	target := conntest.Listen(t, "127.0.0.1:0")
	port := target.Port()
	urls := []string{
		"https://127.0.0.1:%d/", "http://127.0.0.1:%d/", "https://2130706433:%d/", "https://0177.0.0.1:%d/",
		"https://0x7f.0.0.1:%d/", "https://127.1:%d/", "https://[::ffff:127.0.0.1]:%d/", "https://[::ffff:7f00:1]:%d/",
		"https://127.0.0.1.:%d/", "https://localhost:%d/", "https://localhost.:%d/", "https://[::127.0.0.1]:%d/",
		"https://0.0.0.0:%d/", "https://0:%d/",
	}
	g := netguard.New(netguard.Options{AllowHTTP: true})
	for _, f := range urls {
		u := fmt.Sprintf(f, port)
		resp, err := g.Client().Get(u)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("GET %s: %v, want ErrRefused", u, err)
		}
	}
	// Names: one resolving to loopback only, one to a public and a
	// loopback address (every address is checked, not the first), and a
	// rebinding name that is public when checked and loopback when dialed.
	for name, lookup := range map[string]func(context.Context, string) ([]netip.Addr, error){
		"loopback": resolving("127.0.0.1"),
		"mixed":    resolving("93.184.216.34", "127.0.0.1"),
		"mapped":   resolving("::ffff:127.0.0.1"),
	} {
		gn := netguard.New(netguard.WithLookup(netguard.Options{}, lookup))
		_, err := gn.Client().Get(fmt.Sprintf("https://%s.example:%d/", name, port))
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("GET via name resolving %s: %v, want ErrRefused", name, err)
		}
	}
	calls := 0
	rebind := netguard.New(netguard.WithLookup(netguard.Options{}, func(context.Context, string) ([]netip.Addr, error) {
		calls++
		if calls == 1 {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}))
	u := fmt.Sprintf("https://rebind.example:%d/", port)
	if err := rebind.CheckURL(context.Background(), u); err != nil {
		t.Fatalf("CheckURL with the public answer: %v", err)
	}
	if _, err := rebind.Client().Get(u); !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("GET after rebinding: %v, want ErrRefused", err)
	}

	// Redirects to the listener from an allowed server.
	redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.ReplaceAll(r.URL.Query().Get("to"), "PORT", fmt.Sprint(port)), http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	pool := x509.NewCertPool()
	pool.AddCert(redirector.Certificate())
	gr := netguard.New(netguard.Options{AllowHosts: []string{redirector.Listener.Addr().String()}, RootCAs: pool, AllowHTTP: true})
	for _, to := range []string{"https://127.0.0.1:PORT/", "http://127.0.0.1:PORT/", "https://2130706433:PORT/", "https://[::ffff:127.0.0.1]:PORT/", "https://localhost:PORT/"} {
		_, err := gr.Client().Get(redirector.URL + "/?to=" + to)
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("redirect to %s: %v, want ErrRefused", to, err)
		}
	}

	if n := target.Connections(t); n != 0 {
		t.Fatalf("%d connections reached the loopback listener, want 0", n)
	}

	// Control: with AllowPrivate the same client does connect, so the
	// listener would have seen the refused attempts.
	ga := netguard.New(netguard.Options{AllowPrivate: true, AllowHTTP: true})
	if resp, err := ga.Client().Get(fmt.Sprintf("http://127.0.0.1:%d/", port)); err == nil {
		resp.Body.Close()
	}
	if n := target.Connections(t); n != 1 {
		t.Fatalf("control: %d connections, want 1", n)
	}
}

func TestRedirectLimitAndScheme(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/downgrade":
			http.Redirect(w, r, "http://"+r.Host+"/ok", http.StatusFound)
		default:
			io.WriteString(w, "ok")
		}
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	g := netguard.New(netguard.Options{AllowHosts: []string{srv.Listener.Addr().String()}, RootCAs: pool})
	if _, err := g.Client().Get(srv.URL + "/loop"); !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("redirect loop: %v, want ErrRefused", err)
	}
	if hits.Load() != netguard.MaxRedirects+1 {
		t.Errorf("redirect loop made %d requests, want %d", hits.Load(), netguard.MaxRedirects+1)
	}
	if _, err := g.Client().Get(srv.URL + "/downgrade"); !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("redirect to http: %v, want ErrRefused", err)
	}
	resp, err := g.Client().Get(srv.URL + "/ok")
	if err != nil {
		t.Fatalf("allowed GET: %v", err)
	}
	resp.Body.Close()
	// Without the pool the test server's certificate is not trusted.
	if _, err := netguard.New(netguard.Options{AllowHosts: []string{srv.Listener.Addr().String()}}).Client().Get(srv.URL + "/ok"); err == nil {
		t.Error("untrusted certificate accepted")
	}
}

func TestBodyCap(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 0
		fmt.Sscan(r.URL.Query().Get("n"), &n)
		if r.URL.Query().Get("chunked") != "" {
			w.(http.Flusher).Flush() // no Content-Length
		} else {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		io.WriteString(w, strings.Repeat("a", n))
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	g := netguard.New(netguard.Options{AllowHosts: []string{srv.Listener.Addr().String()}, RootCAs: pool, MaxBody: 1000})
	for _, tt := range []struct {
		q       string
		tooBig  bool
		wantLen int
	}{
		{"n=1000", false, 1000}, {"n=1001", true, 0}, {"n=1000&chunked=1", false, 1000}, {"n=5000&chunked=1", true, 0},
	} {
		resp, err := g.Client().Get(srv.URL + "/?" + tt.q)
		var b []byte
		if err == nil {
			b, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if tt.tooBig != errors.Is(err, netguard.ErrTooLarge) || (!tt.tooBig && len(b) != tt.wantLen) {
			t.Errorf("%s: %d bytes, err %v; want tooBig=%v", tt.q, len(b), err, tt.tooBig)
		}
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	g := netguard.New(netguard.Options{AllowHosts: []string{srv.Listener.Addr().String()}, RootCAs: pool, Timeout: 1})
	var ne net.Error
	if _, err := g.Client().Get(srv.URL); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("hanging server: %v, want a timeout", err)
	}
}
