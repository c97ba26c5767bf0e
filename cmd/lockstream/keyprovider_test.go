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

// TestKeyProviderCLI stores a key provider with the CLI, lists it
// without its secrets, refuses a second provider for the same streaming
// policy, and reads it back through a node's API on the same data
// directory.
func TestKeyProviderCLI(t *testing.T) {
	dir := t.TempDir()
	const acct = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	const secret = "vendor-api-key-0123456789"
	write := func(name, body string) string {
		f := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := write("kp.json", `{"url":"https://keys.vendor.example/speke/v2/t","streamingPolicyNames":["vendorCenc"],`+
		`"authentication":{"type":"ApiKey","headerName":"X-Api-Key","headerValue":"`+secret+`"},"timeout":"5s","retries":2}`)
	out := cli(t, dir, 0, "key-provider", "put", acct, "vendor", "--file", f)
	if strings.Contains(string(out), secret) || !strings.Contains(string(out), `"created": true`) {
		t.Fatalf("put printed %s", out)
	}
	cli(t, dir, 0, "key-provider", "put", acct, "vendor", "--file", f) // replace
	cli(t, dir, 1, "key-provider", "put", acct, "other", "--file", f)  // same policy, another provider
	cli(t, dir, 2, "key-provider", "put", acct, "vendor")              // no --file
	cli(t, dir, 1, "key-provider", "put", acct, "bad", "--file", write("bad.json", `{"url":"ftp://x","streamingPolicyNames":[]}`))
	var list []struct{ Name string }
	if out := cli(t, dir, 0, "key-provider", "list", acct); json.Unmarshal(out, &list) != nil || len(list) != 1 || strings.Contains(string(out), secret) {
		t.Fatalf("list: %s", out)
	}

	n := nodetest.Start(t, slog.LevelInfo, func(c *conf.Conf) { c.DataDir = dir })
	req, _ := http.NewRequest(http.MethodGet, n.API+acct+"/keyProviders/vendor?api-version=2023-01-01", nil)
	req.Header.Set("Authorization", "Bearer "+n.Token(t))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "vendorCenc") || strings.Contains(string(b), secret) {
		t.Fatalf("API GET: %d %s", resp.StatusCode, b)
	}
	if err := n.Core.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	cli(t, dir, 0, "key-provider", "delete", acct, "vendor")
	cli(t, dir, 1, "key-provider", "delete", acct, "vendor")
}
