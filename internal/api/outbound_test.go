package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/test/conntest"
)

// ckpDiscoveryBody is a content key policy whose token restriction takes
// its keys from the discovery document at url; the second option is open
// so the failing option's index shows in the field path.
func ckpDiscoveryBody(url string) string {
	return `{"properties":{"options":[{"name":"open",` +
		`"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},` +
		`"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyOpenRestriction"}},{"name":"oidc",` +
		`"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},` +
		`"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction",` +
		`"issuer":"https://issuer.test","audience":"urn:test","restrictionTokenType":"Jwt",` +
		`"openIdConnectDiscoveryDocument":"` + url + `"}}]}}`
}

// TestDiscoveryDocumentSSRFAtCreation: a content key policy naming an
// internal address as its discovery document is refused at PUT and PATCH
// with a 400 naming the field, and nothing connects to the address. Before
// the check such policies were stored and the server connected at the
// next key request.
func TestDiscoveryDocumentSSRFAtCreation(t *testing.T) {
	ts := newTestServer(t)
	target := conntest.Listen(t, "127.0.0.1:0")
	port := target.Port()
	const field = "properties.options[1].restriction.openIdConnectDiscoveryDocument"
	urls := []string{
		"https://127.0.0.1:%d/", "https://2130706433:%d/", "https://0177.0.0.1:%d/", "https://0x7f.1:%d/",
		"https://127.1:%d/", "https://[::ffff:127.0.0.1]:%d/", "https://[::1]:%d/", "https://localhost:%d/",
		"https://localhost.:%d/", "https://127.0.0.1.:%d/", "https://0.0.0.0:%d/",
		"https://169.254.169.254:%d/", "https://[::ffff:169.254.169.254]:%d/", "https://10.0.0.1:%d/",
		"https://172.16.0.1:%d/", "https://192.168.0.1:%d/", "https://100.64.0.1:%d/", "https://[fd00::1]:%d/",
		"https://[fe80::1]:%d/", "https://224.0.0.1:%d/", "https://255.255.255.255:%d/", "https://[64:ff9b::7f00:1]:%d/",
		// http:// without --keydelivery-allow-http-discovery, even public.
		"http://93.184.216.34:%d/",
	}
	for i, f := range urls {
		u := fmt.Sprintf(f, port) + ".well-known/openid-configuration"
		path := a(fmt.Sprintf("/contentKeyPolicies/ssrf%d", i))
		r := ts.call(http.MethodPut, path, ckpDiscoveryBody(u))
		e := checkError(t, r, http.StatusBadRequest, "InvalidParameter")
		if e.Error.Target != field || !strings.Contains(e.Error.Message, field) {
			t.Errorf("PUT %s: target %q, message %q; want the field %s", u, e.Error.Target, e.Error.Message, field)
		}
		if r := ts.call(http.MethodGet, path, ""); r.Status != http.StatusNotFound {
			t.Errorf("PUT %s: policy stored anyway (GET %d)", u, r.Status)
		}
	}
	// PATCH of an existing policy to an internal address.
	ts.mustDo(http.MethodPut, a("/contentKeyPolicies/pub"), ckpDiscoveryBody("https://93.184.216.34/.well-known/openid-configuration"), http.StatusCreated)
	r := ts.call(http.MethodPatch, a("/contentKeyPolicies/pub"), ckpDiscoveryBody(fmt.Sprintf("https://2130706433:%d/x", port)))
	if e := checkError(t, r, http.StatusBadRequest, "InvalidParameter"); e.Error.Target != field {
		t.Errorf("PATCH: target %q, want %s", e.Error.Target, field)
	}
	if n := target.Connections(t); n != 0 {
		t.Fatalf("%d connections reached the loopback listener, want 0", n)
	}

	// The operator switches lift exactly what they name.
	ts.API.Outbound = netguard.New(netguard.Options{AllowHosts: []string{fmt.Sprintf("127.0.0.1:%d", port)}})
	ts.mustDo(http.MethodPut, a("/contentKeyPolicies/allowed"), ckpDiscoveryBody(fmt.Sprintf("https://127.0.0.1:%d/x", port)), http.StatusCreated)
	checkError(t, ts.call(http.MethodPut, a("/contentKeyPolicies/otherport"), ckpDiscoveryBody(fmt.Sprintf("https://127.0.0.1:%d/x", port+1))), http.StatusBadRequest, "InvalidParameter")
	ts.API.Outbound = netguard.New(netguard.Options{AllowHTTP: true})
	ts.mustDo(http.MethodPut, a("/contentKeyPolicies/plain"), ckpDiscoveryBody("http://93.184.216.34/x"), http.StatusCreated)
}
