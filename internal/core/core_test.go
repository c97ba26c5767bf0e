package core_test

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
	"time"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
)

const (
	clientID = "test-admin"
	secret   = "test-secret-0123456789"
)

func testConf(_ testing.TB, dir string) conf.Conf {
	c := conf.Default()
	c.DataDir = dir
	c.API.Listen = "127.0.0.1:0"
	c.Origin.Listen = "127.0.0.1:0"
	c.Blob.Listen = "127.0.0.1:0"
	c.Bootstrap.ClientID = clientID
	c.Bootstrap.ClientSecret = secret
	c.Demo.Enabled = true
	return c
}

func start(t testing.TB, c conf.Conf) *core.Core {
	t.Helper()
	n := &core.Core{Conf: c, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := n.Initialize(context.Background()); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return n
}

// token gets a management access token by the client-credentials grant.
func token(t testing.TB, apiURL string) string {
	t.Helper()
	c := conf.Default()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {c.Identity.Audience + "/.default"}}
	resp, err := http.PostForm(apiURL+"/"+c.Identity.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		t.Fatalf("token: status %d, %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

// base returns the scheme and host of u.
func base(u string) string {
	p, _ := url.Parse(u)
	return p.Scheme + "://" + p.Host
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token(t, base(url)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestDemoStartAndRestart starts a node with the demo, checks health and
// the seeded resources, then restarts on the same data dir: seeding must be
// idempotent and the data (including sealed keys) must survive.
func TestDemoStartAndRestart(t *testing.T) {
	dir := t.TempDir()
	n := start(t, testConf(t, dir))
	api := "http://" + n.Addr("api")
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, b := get(t, api+p); code != 200 {
			t.Fatalf("%s = %d %s", p, code, b)
		}
	}
	var banner bytes.Buffer
	n.PrintBanner(&banner)
	for _, want := range []string{"Management API", "Streaming origin", "demo-aes", "encryption=cbc", ".ism/manifest"} {
		if !strings.Contains(banner.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, banner.String())
		}
	}
	acct := api + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	keysBefore := listKeys(t, acct)
	if len(keysBefore) != 1 {
		t.Fatalf("demo-aes keys = %d, want 1", len(keysBefore))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}

	n2 := start(t, testConf(t, dir))
	defer n2.Close(context.Background())
	acct = "http://" + n2.Addr("api") + strings.TrimPrefix(acct, api)
	if got := listKeys(t, acct); got[0] != keysBefore[0] {
		t.Fatalf("content key changed across restart")
	}
	code, b := get(t, acct+"/assets?api-version=2022-08-01")
	if code != 200 {
		t.Fatalf("list assets = %d %s", code, b)
	}
	var page struct {
		Value []struct{ Name string } `json:"value"`
	}
	if err := json.Unmarshal(b, &page); err != nil || len(page.Value) != 1 || page.Value[0].Name != "demo" {
		t.Fatalf("assets after restart = %s (%v)", b, err)
	}
}

func listKeys(t *testing.T, acct string) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, acct+"/streamingLocators/demo-aes/listContentKeys?api-version=2022-08-01", nil)
	req.Header.Set("Authorization", "Bearer "+token(t, base(acct)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ContentKeys []struct{ ID, Value string } `json:"contentKeys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("listContentKeys: %d %v", resp.StatusCode, err)
	}
	var ids []string
	for _, k := range out.ContentKeys {
		ids = append(ids, k.ID+"/"+k.Value)
	}
	return ids
}

// TestRewrap rotates the KEK: after a rewrap under a new KEK, a node that
// only knows the new KEK still serves the old content keys.
func TestRewrap(t *testing.T) {
	dir := t.TempDir()
	c := testConf(t, dir)
	c.Keys.KEK = "1111111111111111111111111111111111111111111111111111111111111111"
	n := start(t, c)
	acct := "http://" + n.Addr("api") + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	before := listKeys(t, acct)
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Keys.KEK = "2222222222222222222222222222222222222222222222222222222222222222"
	c.Keys.PreviousKEKs = []conf.Secret{"1111111111111111111111111111111111111111111111111111111111111111"}
	count, err := core.Rewrap(context.Background(), c)
	if err != nil || count == 0 {
		t.Fatalf("rewrap = %d, %v", count, err)
	}
	c.Keys.PreviousKEKs = nil
	n2 := start(t, c)
	defer n2.Close(context.Background())
	acct = "http://" + n2.Addr("api") + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	if after := listKeys(t, acct); after[0] != before[0] {
		t.Fatal("content key differs after rewrap")
	}
	// A node with only the old KEK can no longer open the keys.
	c.Keys.KEK = "1111111111111111111111111111111111111111111111111111111111111111"
	if _, err := core.Rewrap(context.Background(), c); err == nil {
		t.Fatal("rewrap with a KEK that opens nothing should fail")
	}
}

// TestReadyzReportsEncoder: a node running the encode role reports its
// encoder in /readyz; one whose ffmpeg is missing stays ready for its
// other roles and says why it runs no jobs.
func TestReadyzReportsEncoder(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.Demo.Enabled = false
	c.Roles = []string{conf.RoleAPI, conf.RoleEncode}
	c.Encode.FFmpeg = "/nonexistent/ffmpeg"
	c.Encode.FFprobe = "/nonexistent/ffprobe"
	n := start(t, c)
	defer n.Close(context.Background())
	code, b := get(t, "http://"+n.Addr("api")+"/readyz")
	var out struct {
		Status string
		Checks map[string]string
	}
	if err := json.Unmarshal(b, &out); err != nil || code != 200 || out.Status != "ready" {
		t.Fatalf("readyz %d %s (%v)", code, b, err)
	}
	if enc := out.Checks["encoder"]; !strings.HasPrefix(enc, "unavailable: ") {
		t.Fatalf("encoder check %q, want unavailable: …", enc)
	}
}
