package core_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
)

// TestKeyDeliveryTrustsOwnSTS follows the README's recipe on a node
// started with --tls-self-signed: a content key policy whose discovery
// document is the node's own STS. The key request with an STS token must
// be served; before, every such request answered 503 because the fetch
// did not trust the node's own certificate. The node's own listener is
// admitted by the outbound guard although it is loopback, while another
// loopback port stays refused at policy creation.
func TestKeyDeliveryTrustsOwnSTS(t *testing.T) {
	dir := t.TempDir()
	c := testConf(t, dir)
	c.TLS.SelfSigned = true
	n := start(t, c)
	t.Cleanup(func() { _ = n.Close(t.Context()) })
	pemBytes, err := os.ReadFile(filepath.Join(dir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second}
	api := "https://" + n.Addr("api")
	acct := api + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	def := conf.Default()

	send := func(method, u, ctype, bearer, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	form := func(u string, v url.Values) map[string]any {
		t.Helper()
		code, b := send(http.MethodPost, u, "application/x-www-form-urlencoded", "", v.Encode())
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil || code != 200 {
			t.Fatalf("POST %s: %d %s", u, code, b)
		}
		return out
	}
	mgmt := form(api+"/"+def.Identity.TenantID+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {secret}, "scope": {def.Identity.Audience + "/.default"}})["access_token"].(string)
	api1 := func(method, path, body string, want int) []byte {
		t.Helper()
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		code, b := send(method, path+sep+"api-version=2022-08-01", "application/json", mgmt, body)
		if code != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, want)
		}
		return b
	}

	var user map[string]any
	_ = json.Unmarshal(api1(http.MethodPost, api+"/providers/Lockstream.Sts/users", `{"name":"alice"}`, http.StatusCreated), &user)
	stsTok := form(api+"/sts/token", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {user["secretText"].(string)}})["access_token"].(string)

	issuer := api + "/sts"
	policy := func(discovery string) string {
		return `{"properties":{"options":[{"name":"sts",` +
			`"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},` +
			`"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction",` +
			`"issuer":"` + issuer + `","audience":"` + def.STS.Audience + `","restrictionTokenType":"Jwt",` +
			`"openIdConnectDiscoveryDocument":"` + discovery + `"}}]}}`
	}
	api1(http.MethodPut, acct+"/contentKeyPolicies/own-sts", policy(issuer+"/.well-known/openid-configuration"), http.StatusCreated)
	// Admitting the node's own port is not admitting loopback.
	other := strings.Replace(issuer, n.Addr("api"), "127.0.0.1:1", 1)
	api1(http.MethodPut, acct+"/contentKeyPolicies/other-port", policy(other+"/.well-known/openid-configuration"), http.StatusBadRequest)

	api1(http.MethodPut, acct+"/streamingLocators/own-sts", `{"properties":{"assetName":"demo","streamingPolicyName":"Predefined_ClearKey","defaultContentKeyPolicyName":"own-sts"}}`, http.StatusCreated)
	var keys struct {
		ContentKeys []struct{ ID, Value string } `json:"contentKeys"`
	}
	_ = json.Unmarshal(api1(http.MethodPost, acct+"/streamingLocators/own-sts/listContentKeys", "", http.StatusOK), &keys)
	var account struct {
		Properties struct {
			MediaServiceID string `json:"mediaServiceId"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(api1(http.MethodGet, acct, "", http.StatusOK), &account)
	if len(keys.ContentKeys) != 1 || account.Properties.MediaServiceID == "" {
		t.Fatalf("keys %+v, account %+v", keys, account)
	}
	keyURL := api + "/keydelivery/" + account.Properties.MediaServiceID + "/?kid=" + keys.ContentKeys[0].ID
	if code, _ := send(http.MethodGet, keyURL, "", "", ""); code != http.StatusUnauthorized {
		t.Fatalf("anonymous key request: %d, want 401", code)
	}
	code, got := send(http.MethodGet, keyURL, "", stsTok, "")
	want, _ := base64.StdEncoding.DecodeString(keys.ContentKeys[0].Value)
	if code != http.StatusOK || string(got) != string(want) {
		t.Fatalf("key request with the node's own STS token: %d %q, want 200 and the key", code, got)
	}
}
