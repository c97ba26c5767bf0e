package core_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
)

// TestEncodeOnlyNodeServesHealth: a node running only the encode role
// opens the API listener for health and readiness (with ffmpeg's state),
// so load balancers and Kubernetes can probe it, and serves nothing else
// there (the Helm chart's encode group relies on this).
func TestEncodeOnlyNodeServesHealth(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.Roles = []string{conf.RoleEncode}
	c.Demo.Enabled = false
	n := start(t, c)
	defer func() { _ = n.Close(t.Context()) }()
	base := "http://" + n.Addr("api")
	if n.Addr("api") == "" {
		t.Fatal("an encode-only node opened no API listener")
	}
	cl := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) (int, []byte) {
		resp, err := cl.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz: %d", code)
	}
	code, b := get("/readyz")
	var ready struct {
		Checks map[string]string `json:"checks"`
	}
	if code != http.StatusOK || json.Unmarshal(b, &ready) != nil || ready.Checks["encoder"] == "" {
		t.Fatalf("/readyz: %d %s; want 200 with the encoder's state", code, b)
	}
	// No management API, key delivery or identity on this node.
	for _, p := range []string{"/subscriptions/x/resourceGroups/y/providers/Microsoft.Media/mediaServices?api-version=2022-08-01", "/keydelivery/x/", "/sts/token"} {
		if code, body := get(p); code != http.StatusNotFound {
			t.Errorf("GET %s on an encode-only node: %d %s; want 404", p, code, strings.TrimSpace(string(body)))
		}
	}
}
