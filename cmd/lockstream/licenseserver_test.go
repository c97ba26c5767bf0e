package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

// TestLicenseServerCLI stores a license server with the CLI, lists it
// without its secrets, and reads it back through a node's API on the
// same data directory.
func TestLicenseServerCLI(t *testing.T) {
	dir := t.TempDir()
	const acct = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	const secretKey = "1ae8ccd0e7985cc0b6203a55855a1034afc252980e970ca90e5202689f947ab9"
	f := filepath.Join(t.TempDir(), "wv.json")
	if err := os.WriteFile(f, []byte(`{"drm":"Widevine","type":"WidevineLicenseService","url":"https://license.uat.widevine.com/cenc/getlicense/widevine_test",`+
		`"widevine":{"provider":"widevine_test","signingKey":"`+secretKey+`","signingIv":"d58ce954203b7c9a9a9d467f59839249"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := cli(t, dir, 0, "license-server", "put", acct, "widevine", "--file", f)
	if strings.Contains(string(out), secretKey) || !strings.Contains(string(out), `"created": true`) {
		t.Fatalf("put printed %s", out)
	}
	cli(t, dir, 0, "license-server", "put", acct, "widevine", "--file", f) // replace
	cli(t, dir, 2, "license-server", "put", acct, "widevine")              // no --file
	cli(t, dir, 1, "license-server", "put", "/not/an/account", "x", "--file", f)
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"drm":"Widevine","type":"WidevineLicenseService","url":"https://x","widevine":{"provider":"p"}}`), 0o600)
	cli(t, dir, 1, "license-server", "put", acct, "bad", "--file", bad)
	var list []struct{ Name string }
	if out := cli(t, dir, 0, "license-server", "list", acct); json.Unmarshal(out, &list) != nil || len(list) != 1 || strings.Contains(string(out), secretKey) {
		t.Fatalf("list: %s", out)
	}

	n := nodetest.Start(t, slog.LevelInfo, func(c *conf.Conf) { c.DataDir = dir })
	req, _ := http.NewRequest(http.MethodGet, n.API+acct+"/licenseServers/widevine?api-version=2023-01-01", nil)
	req.Header.Set("Authorization", "Bearer "+n.Token(t))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "widevine_test") || strings.Contains(string(b), secretKey) {
		t.Fatalf("API GET: %d %s", resp.StatusCode, b)
	}
	if err := n.Core.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	cli(t, dir, 0, "license-server", "delete", acct, "widevine")
	cli(t, dir, 1, "license-server", "delete", acct, "widevine")
}
