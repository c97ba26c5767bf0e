package nodetest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/test/proctest"
)

// Bootstrap principal of every test node.
const (
	ClientID     = "nodetest-admin"
	ClientSecret = "nodetest-secret-0123456789abcdef"
)

// Node is a running node.
type Node struct {
	Core *core.Core
	Conf conf.Conf
	// API and Origin are the listeners' base URLs (http://127.0.0.1:port).
	API, Origin string
	// Account is the demo account's ARM path.
	Account string
	// Logs holds the node's log lines.
	Logs *Buffer
}

// Start runs a node in t.TempDir() logging at level; mutate adjusts the
// configuration first. The node is closed when the test ends, and its log
// printed when the test failed.
func Start(t testing.TB, level slog.Level, mutate ...func(*conf.Conf)) *Node {
	t.Helper()
	c := conf.Default()
	c.DataDir = t.TempDir()
	c.API.Listen = "127.0.0.1:0"
	c.Origin.Listen = "127.0.0.1:0"
	c.Blob.Listen = "127.0.0.1:0"
	c.Bootstrap.ClientID = ClientID
	c.Bootstrap.ClientSecret = ClientSecret
	c.Demo.Enabled = true
	for _, m := range mutate {
		m(&c)
	}
	logs := &Buffer{}
	n := &core.Core{Conf: c, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level}))}
	if err := n.Initialize(context.Background()); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	nd := &Node{Core: n, Conf: c, API: "http://" + n.Addr("api"), Origin: "http://" + n.Addr("origin"), Logs: logs,
		Account: "/subscriptions/" + c.Demo.Subscription + "/resourceGroups/" + c.Demo.ResourceGroup + "/providers/Microsoft.Media/mediaServices/" + c.Demo.Account}
	t.Cleanup(func() {
		_ = n.Close(context.Background())
		if t.Failed() && logs.Len() > 0 {
			t.Logf("node log:\n%s", logs.String())
		}
	})
	return nd
}

// Token gets a management API access token with the client-credentials
// grant of the bootstrap principal.
func (n *Node) Token(t testing.TB) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret},
		"scope": {n.Conf.Identity.Audience + "/.default"}}
	resp, err := http.PostForm(n.API+"/"+n.Conf.Identity.TenantID+"/oauth2/v2.0/token", form)
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

// Buffer collects log lines written from many goroutines.
type Buffer = proctest.Buffer
