package cluster_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/test/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	tenant   = "00000000-0000-0000-0000-00000000a11d"
	audience = "https://management.lockstream.local"
	account  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
)

// managementToken gets a token through the load balancer.
func (c *cluster) managementToken() string {
	c.t.Helper()
	resp, err := http.PostForm(c.apiURL()+"/"+tenant+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {clientSecret}, "scope": {audience + "/.default"}})
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		c.t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

// manage calls the management API of one node directly (base is its
// API URL) or, with the load balancer's URL, of whichever node it picks.
func (c *cluster) manage(tok, base, method, path string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, base+account+path+"?api-version=2022-08-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
}

// onNode rewrites a load-balancer origin URL to one node's origin.
func (c *cluster) onNode(u string, nd *node) string {
	return strings.Replace(u, fmt.Sprintf("127.0.0.1:%d", c.lbOrigin), fmt.Sprintf("127.0.0.1:%d", nd.origin), 1)
}

func status(u string) int {
	resp, err := http.Get(u)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// allRefuse polls every running node directly until each answers want
// for u, and returns the longest time a node took. The deadline is
// generous; the time is reported, not asserted.
func (c *cluster) allRefuse(what, u string, want int) time.Duration {
	c.t.Helper()
	start := time.Now()
	var mu sync.Mutex
	var worst time.Duration
	var wg sync.WaitGroup
	for _, nd := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < 30*time.Second {
				if status(c.onNode(u, nd)) == want {
					mu.Lock()
					worst = max(worst, time.Since(start))
					mu.Unlock()
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			c.t.Errorf("%s: %s still does not answer %d", what, nd.name, want)
		}()
	}
	wg.Wait()
	c.t.Logf("%s: every node answers %d after %v", what, want, worst.Round(time.Millisecond))
	return worst
}

// TestClusterBehindHAProxy: three nodes on one PostgreSQL and one blob
// directory behind HAProxy, players fetching manifests, keys and
// segments through it the whole time.
func TestClusterBehindHAProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three lockstream processes and HAProxy")
	}
	dsn := pgtest.Start(t)
	c := newCluster(t, dsn, 3)
	c.start(c.nodes[0]) // seeds the demo once
	banner := waitBanner(t, c.nodes[0])
	for _, nd := range c.nodes[1:] {
		c.start(nd)
	}
	c.startHAProxy()
	playURL := bannerURL(t, banner, "demo-aes")     // open key
	victimURL := bannerURL(t, banner, "demo-token") // deleted below
	for _, nd := range c.nodes {
		if code := status(c.onNode(victimURL, nd)); code != 200 { // fills each node's cache
			t.Fatalf("%s: demo-token master %d", nd.name, code)
		}
	}

	l := startLoad(playURL, 4)
	defer l.stop()
	if s, ok := l.waitFor(func(s tally) bool { return s.rounds >= 40 }, 2*time.Minute); !ok || s.failed > 0 {
		t.Fatalf("steady state: %d rounds, %d failed, violations %v", s.rounds, s.failed, s.violations)
	}

	tok := c.managementToken()
	c.manage(tok, fmt.Sprintf("http://127.0.0.1:%d", c.nodes[0].api), http.MethodDelete, "/streamingLocators/demo-token")
	c.allRefuse("locator deleted on node1", victimURL, http.StatusNotFound)

	// SIGKILL one node under load.
	before := l.snapshot()
	killed := c.nodes[1]
	killAt := time.Now()
	c.kill(killed)
	// Recovered: 40 rounds in a row succeeded, and at least 150 rounds
	// ran since the kill (HAProxy marks the node down within ~0.4 s).
	after, ok := l.waitFor(func(s tally) bool { return s.rounds >= before.rounds+150 && s.streak >= 40 }, 2*time.Minute)
	if !ok {
		t.Fatalf("no recovery after SIGKILL: %+v", after)
	}
	recovery := time.Duration(0)
	if after.failed > before.failed {
		recovery = after.lastFail.Sub(killAt)
	}
	rounds, failed := after.rounds-before.rounds, after.failed-before.failed
	t.Logf("failures so far by kind: %v", l.failures())
	t.Logf("SIGKILL %s: %d of %d player rounds failed (%.1f%%; %d requests), recovered %v after the kill",
		killed.name, failed, rounds, 100*float64(failed)/float64(rounds), after.requests-before.requests, recovery.Round(time.Millisecond))

	// Restart it: it serves again.
	c.start(killed)
	if code := status(c.onNode(playURL, killed)); code != 200 {
		t.Fatalf("restarted node: %d", code)
	}
	if _, ok := l.waitFor(func(s tally) bool { return s.rounds >= after.rounds+40 }, 2*time.Minute); !ok {
		t.Fatal("load stalled after the restart")
	}

	// Graceful stop under load: SIGTERM makes node3's /readyz fail while
	// it still serves, HAProxy takes it out, then it exits 0.
	stopping := c.nodes[2]
	beforeTerm := l.snapshot()
	if err := stopping.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ready := fmt.Sprintf("http://127.0.0.1:%d/readyz", stopping.api)
	for status(ready) != http.StatusServiceUnavailable {
		select {
		case <-stopping.exited:
			t.Fatal("node3 exited before /readyz failed")
		default:
		}
		time.Sleep(10 * time.Millisecond)
	}
	<-stopping.exited
	if code := stopping.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("node3 exit code %d after SIGTERM", code)
	}
	afterTerm, ok := l.waitFor(func(s tally) bool { return s.rounds >= beforeTerm.rounds+80 }, 2*time.Minute)
	if !ok {
		t.Fatal("load stalled after the graceful stop")
	}
	t.Logf("SIGTERM node3 (drain 2s): %d of %d player rounds failed; failures so far by kind: %v", afterTerm.failed-beforeTerm.failed, afterTerm.rounds-beforeTerm.rounds, l.failures())
	c.start(stopping) // back for the endpoint check below

	// Stopping the endpoint stops every node.
	c.manage(tok, fmt.Sprintf("http://127.0.0.1:%d", c.nodes[2].api), http.MethodPost, "/streamingEndpoints/default/stop")
	c.allRefuse("endpoint stopped on node3", playURL, http.StatusForbidden)
	l.stop()
	final := l.snapshot()
	if len(final.violations) > 0 {
		t.Fatalf("%d violations, first: %v", len(final.violations), final.violations[0])
	}
	t.Logf("players: %d rounds, %d requests, %d failed rounds in all (the rounds refused after the endpoint stop included)", final.rounds, final.requests, final.failed)
}
