package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/lockstream/lockstream/internal/test/nodetest"
)

// TestServeDemoAsREADME runs "lockstream serve --demo" as the README's
// first command does (ports moved to free ones, a temporary data dir) and
// follows its banner: the player URL, an open and a protected locator and
// the command that gets a token are printed; the protected key URL refuses
// an anonymous request and serves the holder of that command's token; the
// node stops cleanly on SIGINT.
func TestServeDemoAsREADME(t *testing.T) {
	env := map[string]string{
		"LOCKSTREAM_BOOTSTRAP_CLIENT_ID":     "demo-admin",
		"LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET": "change-me-please-0123",
	}
	args := []string{"serve", "--demo", "--data-dir", t.TempDir(), "--log-level", "warn",
		"--api-listen", "127.0.0.1:0", "--origin-listen", "127.0.0.1:0", "--blob-listen", "127.0.0.1:0"}
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	stderr := &nodetest.Buffer{} // written by the node while the test reads
	go func() {
		code := run(args, func(k string) string { return env[k] }, pw, stderr)
		pw.Close()
		done <- code
	}()
	// Read the banner up to its last line (no clock involved: the read
	// blocks until the node has printed it).
	var banner strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "    (the password is shown this once") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	b := banner.String()
	if !strings.Contains(b, "(the password is shown this once") {
		t.Fatalf("banner ended early:\n%s\nstderr:\n%s", b, stderr.String())
	}
	for _, re := range []string{
		`(?m)^  Player: +http://127\.0\.0\.1:\d+/player$`,
		`(?m)^  Demo locator demo-aes \(OPEN: `,
		`(?m)^  Demo locator demo-token \(PROTECTED: `,
		`(?m)^    curl -s http://127\.0\.0\.1:\d+/sts/token -d grant_type=password -d username=demo-viewer -d password=\S+$`,
	} {
		if !regexp.MustCompile(re).MatchString(b) {
			t.Errorf("banner lacks %s:\n%s", re, b)
		}
	}
	_, rest, _ := strings.Cut(b, "Demo locator demo-token (")
	master := regexp.MustCompile(`http://\S+format=m3u8-aapl,encryption=cbc\)`).FindString(rest)
	if master == "" {
		t.Fatalf("no protected HLS URL:\n%s", b)
	}
	code, body := get(t, master, "")
	if code != 200 {
		t.Fatalf("GET %s = %d", master, code)
	}
	key := regexp.MustCompile(`URI="([^"]*keydelivery[^"]*)"`).FindStringSubmatch(string(body))
	if key == nil {
		t.Fatalf("no key URL in %s", body)
	}
	if code, _ := get(t, key[1], ""); code != http.StatusUnauthorized {
		t.Fatalf("anonymous key request = %d, want 401", code)
	}
	m := regexp.MustCompile(`curl -s (\S+) -d grant_type=(\S+) -d username=(\S+) -d password=(\S+)`).FindStringSubmatch(b)
	resp, err := http.PostForm(m[1], url.Values{"grant_type": {m[2]}, "username": {m[3]}, "password": {m[4]}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("token command: %d %v", resp.StatusCode, err)
	}
	if code, k := get(t, key[1], tok.AccessToken); code != 200 || len(k) != 16 {
		t.Fatalf("key with the token = %d, %d bytes", code, len(k))
	}
	// serve registered for SIGINT before printing the banner.
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, stderr.String())
	}
}

func get(t *testing.T, u, bearer string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
