package conf_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadLayers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.json")
	if err := os.WriteFile(file, []byte(`{"api":{"listen":"127.0.0.1:1"},"origin":{"listen":"127.0.0.1:2"},"log":{"level":"warn"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := conf.Load("t", []string{"--config", file, "--origin-listen", "127.0.0.1:3", "--demo"},
		env(map[string]string{"LOCKSTREAM_LOG_LEVEL": "debug", "LOCKSTREAM_ORIGIN_LISTEN": "127.0.0.1:9"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.API.Listen != "127.0.0.1:1" {
		t.Errorf("file layer: api.listen = %q", c.API.Listen)
	}
	if c.Log.Level != "debug" {
		t.Errorf("env beats file: log.level = %q", c.Log.Level)
	}
	if c.Origin.Listen != "127.0.0.1:3" {
		t.Errorf("flag beats env: origin.listen = %q", c.Origin.Listen)
	}
	if !c.Demo.Enabled {
		t.Error("bool flag not applied")
	}
	if c.DataDir != "lockstream-data" || c.Store.Driver != "sqlite" || c.Blob.Driver != "local" {
		t.Errorf("defaults lost: %+v", c)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{name: "bad level", args: []string{"--log-level", "loud"}, want: "log.level"},
		{name: "bad role", env: map[string]string{"LOCKSTREAM_ROLES": "api,dance"}, want: "roles"},
		{name: "postgres without dsn", args: []string{"--store-driver", "postgres"}, want: "store.dsn"},
		{name: "bad duration", args: []string{"--shutdown-timeout", "soon"}, want: "shutdownTimeout"},
		{name: "half bootstrap", env: map[string]string{"LOCKSTREAM_BOOTSTRAP_CLIENT_ID": "x"}, want: "bootstrap"},
		{name: "short secret", env: map[string]string{"LOCKSTREAM_BOOTSTRAP_CLIENT_ID": "x", "LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET": "short"}, want: "bootstrap.clientSecret"},
		{name: "unknown flag", args: []string{"--nope"}, want: "nope"},
		{name: "bad page size", args: []string{"--api-page-size", "0"}, want: "api.pageSize"},
		{name: "bad public url", args: []string{"--api-public-url", "ftp://x"}, want: "api.publicURL"},
		{name: "no encode workers", args: []string{"--encode-workers", "0"}, want: "encode.workers"},
		{name: "tiny scratch", args: []string{"--encode-scratch-max-mb", "1"}, want: "encode.scratchMaxMB"},
		{name: "bad encode role", env: map[string]string{"LOCKSTREAM_ROLES": "api,encoder"}, want: "roles"},
		// The container must be the first path segment of signed URLs.
		{name: "blob public url with a path", args: []string{"--blob-public-url", "https://media.example.com/blob"}, want: "blob.publicURL"},
		{name: "no blob listener", args: []string{"--blob-listen", ""}, want: "blob.listen"},
		{name: "bad outbound allow entry", args: []string{"--outbound-allow-hosts", "idp.example,127.1"}, want: "outbound.allowHosts"},
		{name: "missing outbound CA file", args: []string{"--outbound-ca-file", "/nonexistent/ca.pem"}, want: "outbound.caFile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := conf.Load("t", tc.args, env(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want mention of %q", err, tc.want)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	c := conf.Default()
	c.Keys.KEK = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	c.Bootstrap.ClientSecret = "super-secret-value-123"
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{string(b), fmt.Sprintf("%v %+v %#v %s", c, c, c, c.Bootstrap.ClientSecret)} {
		if strings.Contains(s, "super-secret") || strings.Contains(s, "00112233") {
			t.Fatalf("secret leaked: %s", s)
		}
	}
	_, err = conf.Load("t", []string{"--bootstrap-client-id", "x", "--bootstrap-client-secret", "short-leak"}, env(nil), io.Discard)
	if err == nil || strings.Contains(err.Error(), "short-leak") {
		t.Fatalf("error leaks or missing: %v", err)
	}
}

// TestTLSCoversOrigin: one TLS switch covers the origin unless split.
func TestTLSCoversOrigin(t *testing.T) {
	c, err := conf.Load("t", []string{"--tls-self-signed"}, env(nil), io.Discard)
	if err != nil || !c.TLS.Origin {
		t.Fatalf("tls.origin = %v (%v), want true by default", c.TLS.Origin, err)
	}
	c, err = conf.Load("t", []string{"--tls-self-signed", "--tls-origin=false"}, env(nil), io.Discard)
	if err != nil || c.TLS.Origin {
		t.Fatalf("--tls-origin=false: %v (%v)", c.TLS.Origin, err)
	}
	if _, err := conf.Load("t", []string{"--blob-public-url", "https://blob.example.com/"}, env(nil), io.Discard); err != nil {
		t.Fatalf("blob public URL without a path: %v", err)
	}
}

func TestOutboundFlags(t *testing.T) {
	c, err := conf.Load("t", []string{"--outbound-allow-private", "--outbound-allow-hosts", "idp.corp.example:8443,10.0.0.0/8"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Outbound.AllowPrivate || len(c.Outbound.AllowHosts) != 2 || c.Outbound.AllowHosts[1] != "10.0.0.0/8" {
		t.Fatalf("outbound = %+v", c.Outbound)
	}
}
