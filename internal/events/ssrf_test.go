package events_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/netguard"
)

// countingServer counts TCP connections it accepts.
func countingServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// TestSSRFRefusedByDefault: with the production guard at its defaults
// (http allowed so that only the address decides), subscriptions to
// loopback, link-local, the metadata address and private ranges fail
// their handshake, and a loopback receiver sees no connection at all; an
// allowed receiver that redirects to a refused one is not followed.
func TestSSRFRefusedByDefault(t *testing.T) {
	guard := func(allow ...string) func(*events.Config) {
		return func(c *events.Config) { c.HTTP = netguard.New(netguard.Options{AllowHTTP: true, AllowHosts: allow}) }
	}
	victim, victimConns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	port := victim.URL[strings.LastIndex(victim.URL, ":"):]
	e := newEnv(t, openSQLite(t), guard())
	targets := map[string]string{
		"loopback":      victim.URL + "/hook",
		"loopback-name": "http://localhost" + port + "/hook",
		"loopback-v6":   "http://[::1]" + port + "/hook",
		"link-local":    "http://169.254.10.10/hook",
		"metadata":      "http://169.254.169.254/latest/meta-data/",
		"private-10":    "http://10.0.0.1/hook",
		"private-172":   "http://172.16.0.1/hook",
		"private-192":   "http://192.168.1.1/hook",
		"cgnat":         "http://100.64.0.1/hook",
		"ula-v6":        "http://[fd00::1]/hook",
		"mapped-v4":     "http://[::ffff:127.0.0.1]" + port + "/hook",
		"decimal-ip":    "http://2130706433" + port + "/hook",
	}
	for name, u := range targets {
		e.putSubscription("ssrf-"+name, u, "")
	}
	for name := range targets {
		e.waitState("ssrf-"+name, "Failed")
	}
	if n := victimConns.Load(); n != 0 {
		t.Fatalf("the loopback victim saw %d connections", n)
	}

	// A receiver the operator allows redirects to the victim: the engine
	// does not follow, the victim sees nothing.
	allowed, _ := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, victim.URL+"/hook", http.StatusTemporaryRedirect)
	}))
	aport := allowed.URL[strings.LastIndex(allowed.URL, ":"):]
	e3 := newEnv(t, openSQLite(t), guard("127.0.0.1"+aport))
	e3.putSubscription("redirector", allowed.URL+"/hook", "")
	e3.waitState("redirector", "Failed")
	if n := victimConns.Load(); n != 0 {
		t.Fatalf("the victim saw %d connections through a redirect", n)
	}
}
