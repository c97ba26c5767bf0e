package policy_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/test/conntest"
)

// TestDiscoveryFetchSSRF: a policy naming an internal address as its
// discovery document makes no connection to it when a key is requested,
// whatever the spelling, through a name, or through a redirect. Before
// the guard, the evaluator connected (a TLS handshake reached the
// listener).
func TestDiscoveryFetchSSRF(t *testing.T) {
	k := fixtures()
	tok := joseJWT(t, jose.RS256, k.rsa, "k1", baseClaims())
	target := conntest.Listen(t, "127.0.0.1:0")
	port := target.Port()

	redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fmt.Sprintf("https://127.0.0.1:%d/.well-known/openid-configuration", port), http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	pool := x509.NewCertPool()
	pool.AddCert(redirector.Certificate())

	for _, allowHTTP := range []bool{false, true} {
		// The evaluator as key delivery builds it by default, and one
		// whose guard admits only the redirector's own address and port.
		defaultEv, err := policy.NewEvaluator(policy.Config{Now: func() time.Time { return testNow }, AllowInsecureDiscovery: allowHTTP})
		if err != nil {
			t.Fatal(err)
		}
		pinned := newEvaluator(t, policy.Config{AllowInsecureDiscovery: allowHTTP, Outbound: netguard.New(netguard.Options{
			AllowHosts: []string{redirector.Listener.Addr().String()}, RootCAs: pool, AllowHTTP: allowHTTP,
		})})
		cases := map[string]*policy.Evaluator{
			redirector.URL + "/redirect": pinned,
		}
		for _, f := range []string{
			"https://127.0.0.1:%d/", "http://127.0.0.1:%d/", "https://2130706433:%d/", "https://0177.0.0.1:%d/",
			"https://0x7f000001:%d/", "https://127.1:%d/", "https://[::ffff:127.0.0.1]:%d/", "https://localhost:%d/",
			"https://localhost.:%d/", "https://127.0.0.1.:%d/",
		} {
			cases[fmt.Sprintf(f, port)+".well-known/openid-configuration"] = defaultEv
			cases[fmt.Sprintf(f, port)+"x"] = pinned
		}
		for u, e := range cases {
			rr := jwtRestriction(nil)
			rr.OpenIDConnectDiscoveryDocument = u
			_, err := evaluate(e, single(rr), tok)
			if !errors.Is(err, policy.ErrUnavailable) {
				t.Errorf("allowHTTP=%v %s: err = %v, want ErrUnavailable", allowHTTP, u, err)
			}
			if err != nil && !errors.Is(err, netguard.ErrRefused) && !strings.Contains(err.Error(), "not allowed") {
				t.Errorf("allowHTTP=%v %s: %v does not say the destination was refused", allowHTTP, u, err)
			}
		}
	}
	if n := target.Connections(t); n != 0 {
		t.Fatalf("%d connections reached the loopback listener, want 0", n)
	}
}
