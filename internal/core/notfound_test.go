package core_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestUnknownPathsNotFound: paths nobody serves on the API listener are a
// plain 404, not the identity provider's "Tenant not found" 400; identity
// paths keep AAD's behaviour.
func TestUnknownPathsNotFound(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.Demo.Enabled = false
	n := start(t, c)
	defer n.Close(context.Background())
	api := "http://" + n.Addr("api")
	do := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, api+path, strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{"/metrics", "/foo", "/foo/bar", "/favicon.ico"} {
		code, body := do(http.MethodGet, p)
		if code != 404 || strings.Contains(body, "Tenant") || !strings.Contains(body, `"code":"NotFound"`) {
			t.Errorf("GET %s = %d %s", p, code, body)
		}
	}
	// An identity endpoint of another tenant: AAD's answer.
	if code, body := do(http.MethodPost, "/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token"); code != 400 || !strings.Contains(body, "Tenant not found") {
		t.Errorf("other tenant's token endpoint = %d %s", code, body)
	}
	if code, _ := do(http.MethodGet, "/"+c.Identity.TenantID+"/v2.0/.well-known/openid-configuration"); code != 200 {
		t.Errorf("own discovery = %d", code)
	}
	if code, body := do(http.MethodGet, "/"+c.Identity.TenantID+"/nothing"); code != 404 {
		t.Errorf("own tenant, unknown endpoint = %d %s", code, body)
	}
}
