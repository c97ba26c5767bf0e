package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// TestInvalidationAcrossNodes: two nodes share PostgreSQL; their caches
// keep store reads for an hour (cache.ttl), so only the invalidation bus
// can make node B see what node A changed. Deleting a locator (its
// manifest and its content key on B) and stopping the account's
// streaming endpoint on A make B refuse; the
// deadline is generous (the bus takes milliseconds) and the time taken
// is logged.
func TestInvalidationAcrossNodes(t *testing.T) {
	dsn := pgtest.Start(t)
	var nodes []*core.Core
	for range 2 {
		c := testConf(t, t.TempDir())
		c.Store.Driver, c.Store.DSN = "postgres", conf.Secret(dsn)
		c.Keys.KEK = "3333333333333333333333333333333333333333333333333333333333333333"
		c.Cache.TTL = conf.Duration(time.Hour)
		n := start(t, c)
		defer n.Close(context.Background())
		nodes = append(nodes, n)
	}
	a, b := nodes[0], nodes[1]
	var buf bytes.Buffer
	b.PrintBanner(&buf)
	openURL := bannerURL(t, buf.String(), "demo-aes")
	protURL := bannerURL(t, buf.String(), "demo-token")
	openKey := keyURL(t, openURL) // on B's key delivery
	for _, u := range []string{openURL, protURL, openKey} {
		if code, body := fetch(t, u, ""); code != 200 { // fills B's caches
			t.Fatalf("GET %s on B = %d %s", u, code, body)
		}
	}
	api := "http://" + a.Addr("api")
	acct := api + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	tok := token(t, api)
	manage := func(method, path string, body ...string) {
		t.Helper()
		req, _ := http.NewRequest(method, acct+path+"?api-version=2022-08-01", strings.NewReader(strings.Join(body, "")))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s on A: %d %s", method, path, resp.StatusCode, answer)
		}
	}
	// refused polls B until u answers want; the deadline is far above
	// the one second aimed at and far below the hour-long cache TTL.
	refused := func(what, u string, want int) {
		t.Helper()
		start := time.Now()
		deadline := start.Add(15 * time.Second)
		for {
			code, _ := fetch(t, u, "")
			if code == want {
				t.Logf("%s: node B answers %d after %v", what, want, time.Since(start).Round(time.Millisecond))
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: node B still answers %d for %s", what, code, u)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	manage(http.MethodDelete, "/streamingLocators/demo-aes")
	refused("locator deleted on A", openURL, http.StatusNotFound)
	// Key delivery caches content keys by key id for the hour too: the
	// deleted locator's key must stop on B through the bus alone.
	refused("locator deleted on A, its key on B", openKey, http.StatusNotFound)
	if code, _ := fetch(t, protURL, ""); code != 200 {
		t.Fatalf("other locator on B after the delete: %d", code)
	}
	manage(http.MethodPost, "/streamingEndpoints/default/stop")
	refused("endpoint stopped on A", protURL, http.StatusForbidden)
	manage(http.MethodPost, "/streamingEndpoints/default/start")
	refused("endpoint started on A", protURL, http.StatusOK)
	// Key delivery's account cache: an allow-list set on A holds on B.
	manage(http.MethodPatch, "", `{"properties":{"keyDelivery":{"accessControl":{"defaultAction":"Deny","ipAllowList":["192.0.2.1"]}}}}`)
	refused("key delivery allow-list set on A", openKey, http.StatusForbidden)

	// STS signing keys (JWKS): a key revoked on A leaves B's JWKS at once,
	// not after the key set's 30 s cache.
	kids := func(n *core.Core) []string {
		t.Helper()
		code, b := fetch(t, "http://"+n.Addr("api")+"/sts/jwks", "")
		var set struct {
			Keys []struct {
				KID string `json:"kid"`
			} `json:"keys"`
		}
		if err := json.Unmarshal(b, &set); code != 200 || err != nil {
			t.Fatalf("JWKS: %d %v", code, err)
		}
		var out []string
		for _, k := range set.Keys {
			out = append(out, k.KID)
		}
		return out
	}
	revoked := kids(b)[0]
	if err := a.STS().RemoveKey(context.Background(), revoked); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for slices.Contains(kids(b), revoked) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("node B still publishes revoked key %s", revoked)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("STS key revoked on A: gone from B's JWKS after %v", time.Since(start).Round(time.Millisecond))
}
