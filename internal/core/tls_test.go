package core_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

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
