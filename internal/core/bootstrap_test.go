package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

// TestBootstrapGenerated: a fresh data dir started without bootstrap
// credentials gets an Owner whose secret the banner prints once (and the
// log never carries); the printed credentials work; a restart generates
// nothing and prints no secret.
func TestBootstrapGenerated(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.Bootstrap.ClientID, c.Bootstrap.ClientSecret = "", ""
	c.Demo.Enabled = false
	logs := &nodetest.Buffer{}
	n := &core.Core{Conf: c, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := n.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer n.Close(context.Background())
	var buf bytes.Buffer
	n.PrintBanner(&buf)
	m := regexp.MustCompile(`Bootstrap principal \(generated\):\s+client_id=(\S+) client_secret=(\S+)\n`).FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("banner prints no generated principal:\n%s", buf.String())
	}
	id, secret := m[1], m[2]
	if strings.Contains(logs.String(), secret) {
		t.Fatal("the generated secret reached the log")
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "clientId="+id) {
		t.Fatalf("no warning naming the generated principal:\n%s", logs.String())
	}
	api := "http://" + n.Addr("api")
	tok := clientToken(t, api, id, secret)
	req, _ := http.NewRequest(http.MethodGet, api+"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Media/mediaServices?api-version=2022-08-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("Owner listing accounts: %d", resp.StatusCode)
	}
	// A restart finds the principal and generates nothing.
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	n2 := &core.Core{Conf: c, Log: slog.New(slog.DiscardHandler)}
	if err := n2.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer n2.Close(context.Background())
	buf.Reset()
	n2.PrintBanner(&buf)
	if strings.Contains(buf.String(), "client_secret=") || !strings.Contains(buf.String(), "none configured") {
		t.Fatalf("restart banner:\n%s", buf.String())
	}
	if tok := clientToken(t, "http://"+n2.Addr("api"), id, secret); tok == "" {
		t.Fatal("no token after restart")
	}
}

func clientToken(t *testing.T, api, id, secret string) string {
	t.Helper()
	d := conf.Default()
	resp, err := http.PostForm(api+"/"+d.Identity.TenantID+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {id}, "client_secret": {secret}, "scope": {d.Identity.Audience + "/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.AccessToken == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, b)
	}
	return out.AccessToken
}
