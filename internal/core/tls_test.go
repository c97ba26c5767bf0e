package core_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
)

// TestSelfSignedTLS: --tls-self-signed serves HTTPS with a certificate kept
// in the data dir (the same one across restarts), trusted by clients that
// load it, and refuses TLS 1.1.
func TestSelfSignedTLS(t *testing.T) {
	dir := t.TempDir()
	c := testConf(t, dir)
	c.TLS.SelfSigned = true
	c.Demo.Enabled = false
	n := start(t, c)
	defer n.Close(context.Background())
	pemBytes, err := os.ReadFile(filepath.Join(dir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("cert.pem holds no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	resp, err := client.Get("https://" + n.Addr("api") + "/healthz")
	if err != nil {
		t.Fatalf("https with the dev CA: %v", err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 || resp.StatusCode != 200 {
		t.Fatalf("tls state %+v status %d", resp.TLS, resp.StatusCode)
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}, Timeout: 5 * time.Second}
	if resp, err := old.Get("https://" + n.Addr("api") + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("TLS 1.1 accepted")
	}
	// The certificate is reused, not regenerated, while valid.
	cf, _, err := core.DevCertificate(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(cf)
	if string(again) != string(pemBytes) {
		t.Fatal("development certificate regenerated while still valid")
	}
}

// TestOriginFollowsTLS: --tls-self-signed alone puts the origin on HTTPS
// too, and every URL the node prints or writes follows: the banner's
// streaming URLs, the key URLs in manifests. The demo's token-protected
// key works through the node's own STS over HTTPS. --tls-origin=false
// splits them again.
func TestOriginFollowsTLS(t *testing.T) {
	dir := t.TempDir()
	c := testConf(t, dir)
	c.TLS.SelfSigned = true
	n := start(t, c)
	defer n.Close(context.Background())
	client := trusting(t, dir)
	var buf bytes.Buffer
	n.PrintBanner(&buf)
	banner := buf.String()
	if !strings.Contains(banner, "Streaming origin (HLS, DASH, Smooth): https://"+n.Addr("origin")) {
		t.Fatalf("banner:\n%s", banner)
	}
	for _, loc := range []string{"demo-aes", "demo-token"} {
		master := bannerURL(t, banner, loc)
		if !strings.HasPrefix(master, "https://"+n.Addr("origin")+"/") {
			t.Fatalf("%s URL %s", loc, master)
		}
		key, seg := keyAndSegmentWith(t, client, master)
		if !strings.HasPrefix(key, "https://"+n.Addr("api")+"/keydelivery/") {
			t.Fatalf("%s key URL %s", loc, key)
		}
		if code, b := fetchWith(t, client, seg, ""); code != 200 || len(b) == 0 {
			t.Fatalf("segment over https: %d", code)
		}
		tok := ""
		if loc == "demo-token" {
			tok = runTokenCommandWith(t, client, banner)
		}
		if code, b := fetchWith(t, client, key, tok); code != 200 || len(b) != 16 {
			t.Fatalf("%s key over https: %d %q", loc, code, b)
		}
	}
	// Plain HTTP to the origin gets no stream.
	if resp, err := http.Get("http://" + n.Addr("origin") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("origin answered plain HTTP")
		}
	}
	// The streaming endpoint reports the origin's host, which the
	// samples prefix with https://.
	code, b := getWith(t, client, "https://"+n.Addr("api")+"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo/streamingEndpoints/default?api-version=2022-08-01")
	if code != 200 || !strings.Contains(string(b), `"hostName":"`+n.Addr("origin")+`"`) {
		t.Fatalf("streaming endpoint: %d %s", code, b)
	}
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	c.TLS.Origin = false
	n2 := start(t, c)
	defer n2.Close(context.Background())
	resp, err := http.Get("http://" + n2.Addr("origin") + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("split: origin over plain HTTP: %v", err)
	}
	resp.Body.Close()
	buf.Reset()
	n2.PrintBanner(&buf)
	if !strings.Contains(buf.String(), "Streaming origin (HLS, DASH, Smooth): http://") {
		t.Fatalf("split banner:\n%s", buf.String())
	}
}

// trusting returns a client trusting the node's development certificate.
func trusting(t *testing.T, dir string) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(filepath.Join(dir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("cert.pem holds no certificate")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// getWith GETs u with the bootstrap principal's management token.
func getWith(t *testing.T, client *http.Client, u string) (int, []byte) {
	t.Helper()
	d := conf.Default()
	resp, err := client.PostForm(base(u)+"/"+d.Identity.TenantID+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {secret}, "scope": {d.Identity.Audience + "/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil || out.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return fetchWith(t, client, u, out.AccessToken)
}
