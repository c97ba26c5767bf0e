package core_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
)

// TestIdentityAPI: an Owner manages principals over the API; the new
// principal authenticates with its secret, gets Reader rights, and may not
// manage principals itself.
func TestIdentityAPI(t *testing.T) {
	n := start(t, testConf(t, t.TempDir()))
	defer n.Close(context.Background())
	api := "http://" + n.Addr("api")
	ownerTok := token(t, api)
	call := func(tok, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, api+path+"?api-version=2022-08-01", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}
	const sps = "/providers/Lockstream.Identity/servicePrincipals"
	code, p := call(ownerTok, http.MethodPost, sps, `{"displayName":"ops"}`)
	appID, _ := p["appId"].(string)
	if code != 201 || appID == "" {
		t.Fatalf("create principal: %d %v", code, p)
	}
	code, sec := call(ownerTok, http.MethodPost, sps+"/"+appID+"/secrets", `{}`)
	secret, _ := sec["secretText"].(string)
	if code != 201 || secret == "" {
		t.Fatalf("add secret: %d", code)
	}
	if code, _ := call(ownerTok, http.MethodPost, sps+"/"+appID+"/roleAssignments", `{"role":"Reader","scope":"*"}`); code != 201 {
		t.Fatalf("assign role: %d", code)
	}
	if code, _ := call(ownerTok, http.MethodPost, sps+"/"+appID+"/roleAssignments", `{"role":"Reader","scope":"/subscriptions/x"}`); code != 400 {
		t.Fatalf("bad scope: %d, want 400", code)
	}
	c := conf.Default()
	resp, err := http.PostForm(api+"/"+c.Identity.TenantID+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {appID}, "client_secret": {secret}, "scope": {c.Identity.Audience + "/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tr)
	resp.Body.Close()
	if tr.AccessToken == "" {
		t.Fatalf("new principal token: %d", resp.StatusCode)
	}
	acct := "/subscriptions/" + c.Demo.Subscription + "/resourceGroups/" + c.Demo.ResourceGroup + "/providers/Microsoft.Media/mediaServices/" + c.Demo.Account
	if code, _ := call(tr.AccessToken, http.MethodGet, acct+"/assets", ""); code != 200 {
		t.Fatalf("reader list: %d", code)
	}
	if code, _ := call(tr.AccessToken, http.MethodPost, sps, `{}`); code != 403 {
		t.Fatalf("reader creating principals: %d, want 403", code)
	}
	if code, list := call(ownerTok, http.MethodGet, sps, ""); code != 200 || !strings.Contains(toJSON(list), appID) || strings.Contains(toJSON(list), secret) {
		t.Fatalf("list principals: %d", code)
	}
	if code, _ := call(ownerTok, http.MethodDelete, sps+"/"+appID, ""); code != 200 {
		t.Fatalf("delete principal: %d", code)
	}
	if code, _ := call(tr.AccessToken, http.MethodGet, acct+"/assets", ""); code != 401 {
		t.Fatalf("deleted principal: %d, want 401", code)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
