package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
)

// cli runs one command against the data dir and returns its JSON output.
func cli(t *testing.T, dir string, wantCode int, args ...string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	args = append(args, "--data-dir", dir)
	if code := run(args, func(string) string { return "" }, &out, &errb); code != wantCode {
		t.Fatalf("%v: code %d, want %d; stderr: %s", args, code, wantCode, errb.String())
	}
	return out.Bytes()
}

// TestPrincipalLifecycle creates a principal with the CLI, gives it the
// Reader role on every account, and checks that a running server issues it
// a token that may read but not write; then removes the role and the
// principal.
func TestPrincipalLifecycle(t *testing.T) {
	dir := t.TempDir()
	var sp struct {
		AppID, Secret, Tenant, Scope string
		SecretKeyID                  string `json:"secretKeyId"`
	}
	if err := json.Unmarshal(cli(t, dir, 0, "sp", "create", "--name", "reader app"), &sp); err != nil || sp.AppID == "" || sp.Secret == "" {
		t.Fatalf("sp create: %+v %v", sp, err)
	}
	var ra struct{ ID string }
	if err := json.Unmarshal(cli(t, dir, 0, "role", "assign", sp.AppID, "Reader", "*"), &ra); err != nil || ra.ID == "" {
		t.Fatalf("role assign: %v", err)
	}
	if !strings.Contains(string(cli(t, dir, 0, "role", "list", sp.AppID)), "Reader") {
		t.Fatal("role list lacks Reader")
	}
	if !strings.Contains(string(cli(t, dir, 0, "sp", "list")), sp.AppID) {
		t.Fatal("sp list lacks the principal")
	}
	cli(t, dir, 1, "role", "assign", sp.AppID, "Emperor", "*")
	cli(t, dir, 2, "sp", "delete")

	c := conf.Default()
	c.DataDir, c.API.Listen, c.Origin.Listen, c.Blob.Listen, c.Demo.Enabled = dir, "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", true
	node := &core.Core{Conf: c, Log: slog.New(slog.DiscardHandler)}
	if err := node.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer node.Close(context.Background())
	base := "http://" + node.Addr("api")
	tok := func(secret string) (string, int) {
		resp, err := http.PostForm(base+"/"+sp.Tenant+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
			"client_id": {sp.AppID}, "client_secret": {secret}, "scope": {sp.Scope}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out.AccessToken, resp.StatusCode
	}
	token, code := tok(sp.Secret)
	if code != 200 || token == "" {
		t.Fatalf("token: %d", code)
	}
	acct := base + "/subscriptions/" + c.Demo.Subscription + "/resourceGroups/" + c.Demo.ResourceGroup + "/providers/Microsoft.Media/mediaServices/" + c.Demo.Account
	do := func(method, u string) int {
		req, _ := http.NewRequest(method, u+"?api-version=2022-08-01", strings.NewReader(`{"properties":{}}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := do(http.MethodGet, acct+"/assets"); got != 200 {
		t.Fatalf("reader list assets = %d", got)
	}
	if got := do(http.MethodPut, acct+"/assets/new"); got != 403 {
		t.Fatalf("reader put asset = %d, want 403", got)
	}
	if got := do(http.MethodPost, acct+"/streamingLocators/demo-aes/listContentKeys"); got != 403 {
		t.Fatalf("reader listContentKeys = %d, want 403", got)
	}
	// Removing the role takes effect at once, before the token expires.
	cli(t, dir, 0, "role", "remove", sp.AppID, ra.ID)
	if got := do(http.MethodGet, acct+"/assets"); got != 403 {
		t.Fatalf("after role removal = %d, want 403", got)
	}
	// A second secret works alongside the first (rotation without downtime).
	var s2 struct{ Secret, KeyID string }
	if err := json.Unmarshal(cli(t, dir, 0, "sp", "secret", "add", sp.AppID), &s2); err != nil || s2.Secret == "" {
		t.Fatalf("secret add: %v", err)
	}
	if _, code := tok(s2.Secret); code != 200 {
		t.Fatalf("second secret: %d", code)
	}
	cli(t, dir, 0, "sp", "secret", "remove", sp.AppID, sp.SecretKeyID)
	if _, code := tok(sp.Secret); code == 200 {
		t.Fatal("removed secret still accepted")
	}
	cli(t, dir, 0, "sp", "delete", sp.AppID)
	if got := do(http.MethodGet, acct+"/assets"); got != 401 {
		t.Fatalf("deleted principal's token = %d, want 401", got)
	}
}
