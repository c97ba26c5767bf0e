package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// TestDemoShowsProtection starts a node as "serve --demo" does and follows
// its banner like a newcomer: it names the player, one open and one
// token-protected locator and the command that gets a token; the open
// locator's key URL answers anyone, the protected one refuses an anonymous
// request and serves the holder of the printed command's token.
func TestDemoShowsProtection(t *testing.T) {
	n := start(t, testConf(t, t.TempDir()))
	defer n.Close(context.Background())
	var buf bytes.Buffer
	n.PrintBanner(&buf)
	banner := buf.String()
	api := "http://" + n.Addr("api")
	for _, want := range []string{
		"Player:                            " + api + "/player\n",
		"Demo locator demo-aes (OPEN:",
		"Demo locator demo-token (PROTECTED:",
		"curl -s " + api + "/sts/token -d grant_type=password -d username=demo-viewer -d password=",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	openKey := keyURL(t, bannerURL(t, banner, "demo-aes"))
	if code, b := fetch(t, openKey, ""); code != 200 || len(b) != 16 {
		t.Fatalf("open locator's key, anonymous: %d, %d bytes", code, len(b))
	}
	protKey := keyURL(t, bannerURL(t, banner, "demo-token"))
	if code, b := fetch(t, protKey, ""); code != http.StatusUnauthorized {
		t.Fatalf("protected key, anonymous: %d %s", code, b)
	}
	tok := runTokenCommand(t, banner)
	if code, b := fetch(t, protKey, tok); code != 200 || len(b) != 16 {
		t.Fatalf("protected key with the banner's token: %d %q", code, b)
	}
	// The protected key is a different key from the open one: holding the
	// open key does not play the protected locator.
	_, ob := fetch(t, openKey, "")
	_, pb := fetch(t, protKey, tok)
	if bytes.Equal(ob, pb) {
		t.Fatal("open and protected locators share a key")
	}
	// Restart on the same data dir: seeding is idempotent, and the
	// password is not printed again (it was shown once).
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	n2 := start(t, n.Conf)
	defer n2.Close(context.Background())
	buf.Reset()
	n2.PrintBanner(&buf)
	if strings.Contains(buf.String(), "password=") && !strings.Contains(buf.String(), "password=<") {
		t.Fatalf("restart printed a password again:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "Demo locator demo-token (PROTECTED:") {
		t.Fatalf("restart banner lacks the protected locator:\n%s", buf.String())
	}
}

// bannerURL returns the locator's HLS (TS, AES-128) URL printed under its
// heading.
func bannerURL(t *testing.T, banner, locator string) string {
	t.Helper()
	_, rest, ok := strings.Cut(banner, "Demo locator "+locator+" (")
	if !ok {
		t.Fatalf("banner lacks locator %s", locator)
	}
	for _, line := range strings.Split(rest, "\n")[1:] {
		if !strings.HasPrefix(line, "    ") {
			break
		}
		if u := strings.TrimSpace(line); strings.Contains(u, "format=m3u8-aapl,") || strings.Contains(u, "format=m3u8-aapl)") {
			if strings.Contains(u, "encryption=cbc") {
				return u
			}
		}
	}
	t.Fatalf("no HLS AES-128 URL for %s in:\n%s", locator, banner)
	return ""
}

var keyURI = regexp.MustCompile(`#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"`)

// keyURL reads the master playlist and its first variant, as a player
// does, and returns the variant's key URL.
func keyURL(t *testing.T, master string) string {
	t.Helper()
	k, _ := keyAndSegment(t, master)
	return k
}

// keyAndSegment returns the first variant's key URL and first segment URL.
func keyAndSegment(t *testing.T, master string) (key, segment string) {
	t.Helper()
	return keyAndSegmentWith(t, http.DefaultClient, master)
}

func keyAndSegmentWith(t *testing.T, client *http.Client, master string) (key, segment string) {
	t.Helper()
	code, b := fetchWith(t, client, master, "")
	if code != 200 {
		t.Fatalf("GET %s = %d %s", master, code, b)
	}
	var variant string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			variant = l
			break
		}
	}
	mu, _ := url.Parse(master)
	vu, err := mu.Parse(variant)
	if err != nil || variant == "" {
		t.Fatalf("no variant in %s", b)
	}
	code, b = fetchWith(t, client, vu.String(), "")
	if code != 200 {
		t.Fatalf("GET %s = %d", vu, code)
	}
	m := keyURI.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no AES-128 key tag in %s", b)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			su, err := vu.Parse(l)
			if err != nil {
				t.Fatal(err)
			}
			return string(m[1]), su.String()
		}
	}
	t.Fatalf("no segment in %s", b)
	return "", ""
}

// runTokenCommand performs the banner's curl command: a password grant
// against the STS.
func runTokenCommand(t *testing.T, banner string) string {
	t.Helper()
	return runTokenCommandWith(t, http.DefaultClient, banner)
}

func runTokenCommandWith(t *testing.T, client *http.Client, banner string) string {
	t.Helper()
	m := regexp.MustCompile(`curl -s (\S+) -d grant_type=(\S+) -d username=(\S+) -d password=(\S+)\n`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("no token command in:\n%s", banner)
	}
	resp, err := client.PostForm(m[1], url.Values{"grant_type": {m[2]}, "username": {m[3]}, "password": {m[4]}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		t.Fatalf("token command: status %d, %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

// fetch GETs u, with a bearer token when tok is set.
func fetch(t *testing.T, u, tok string) (int, []byte) {
	t.Helper()
	return fetchWith(t, http.DefaultClient, u, tok)
}

func fetchWith(t *testing.T, client *http.Client, u, tok string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestDemoTwoNodesSharedPostgres: two nodes with --demo share one
// PostgreSQL but not their disks (the second node's blob store is empty
// while the store already holds the demo). Each must start, seed its own
// copy of the demo media, and stream it.
func TestDemoTwoNodesSharedPostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	var nodes []*core.Core
	for range 2 {
		c := testConf(t, t.TempDir())
		c.Store.Driver, c.Store.DSN = "postgres", conf.Secret(dsn)
		// Nodes sharing a store share the key-encryption key.
		c.Keys.KEK = "3333333333333333333333333333333333333333333333333333333333333333"
		n := start(t, c)
		defer n.Close(context.Background())
		nodes = append(nodes, n)
	}
	for i, n := range nodes {
		var buf bytes.Buffer
		n.PrintBanner(&buf)
		master := bannerURL(t, buf.String(), "demo-token")
		if code, b := fetch(t, master, ""); code != 200 {
			t.Fatalf("node %d: GET %s = %d %s", i, master, code, b)
		}
		// The segments come from this node's own disk.
		_, seg := keyAndSegment(t, master)
		if code, b := fetch(t, seg, ""); code != 200 || len(b) == 0 {
			t.Fatalf("node %d: GET %s = %d %s", i, seg, code, b)
		}
	}
	// Only the first start generated the viewer's password.
	var b0, b1 bytes.Buffer
	nodes[0].PrintBanner(&b0)
	nodes[1].PrintBanner(&b1)
	if !strings.Contains(b0.String(), "password=") || strings.Contains(b1.String(), "-d password=") && !strings.Contains(b1.String(), "password=<") {
		t.Fatalf("password printing:\n%s\n%s", b0.String(), b1.String())
	}
}

// TestDemoProtectionHS256: with an HS256 STS the protected demo policy
// holds the symmetric key instead of a discovery URL, and still works.
func TestDemoProtectionHS256(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.STS.KeyType = "HS256"
	c.STS.HMACKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes
	n := start(t, c)
	defer n.Close(context.Background())
	var buf bytes.Buffer
	n.PrintBanner(&buf)
	key := keyURL(t, bannerURL(t, buf.String(), "demo-token"))
	if code, _ := fetch(t, key, ""); code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", code)
	}
	if code, b := fetch(t, key, runTokenCommand(t, buf.String())); code != 200 || len(b) != 16 {
		t.Fatalf("with token: %d %q", code, b)
	}
}
