package teste2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/player"
	"github.com/lockstream/lockstream/internal/test/browser"
)

// TestPlaybackMatrix is the seeds' test matrix in a real browser, through
// Lockstream's own origin (dynamic encryption) and key delivery (content
// key policy with a token restriction requiring groups=premium), with
// tokens from Lockstream's STS or signed like an operator's own issuer:
//
//   - an entitled viewer plays DASH cenc with W3C Clear Key (Shaka Player)
//     and HLS AES-128 (hls.js), token in the Authorization header or the
//     token= query parameter;
//   - an unentitled viewer (no premium group) gets 403, an expired token
//     and a token for another audience get 401: no key, no frame decoded;
//   - a token with maxuses=k gets exactly k keys; the run after the uses
//     are spent is refused and decodes nothing.
func TestPlaybackMatrix(t *testing.T) {
	browser.Require(t)
	p := startPlayback(t)
	ctx := testCtx(t, 10*time.Minute)

	entitled := p.stsToken(t, ctx, entitledUser, 0)
	own := p.mint(t, nil)
	tokens := []struct {
		name, token string
		status      int // key delivery's answer
	}{
		{"entitled", entitled, http.StatusOK},
		{"entitled-own-issuer", own, http.StatusOK},
		{"unentitled", p.stsToken(t, ctx, unentitledUser, 0), http.StatusForbidden},
		// Past the policy's 5 min clock skew.
		{"expired", p.mint(t, func(c map[string]any) {
			c["nbf"], c["exp"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-10*time.Minute).Unix()
		}), http.StatusUnauthorized},
		{"wrong-audience", p.mint(t, func(c map[string]any) { c["aud"] = "urn:someone-else" }), http.StatusUnauthorized},
		{"no-token", "", http.StatusUnauthorized},
	}

	// Key delivery answers each token the same way whichever carries it;
	// checked directly first, so a browser failure below is about
	// playback, not about the decision.
	t.Run("key-delivery", func(t *testing.T) {
		for _, tc := range tokens {
			for _, via := range []string{"aes-header", "aes-query", "clearkey-header"} {
				if got := p.keyStatus(t, ctx, via, tc.token); got != tc.status {
					t.Errorf("%s via %s: status %d, want %d", tc.name, via, got, tc.status)
				}
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	dash := browser.Options{Player: browser.Shaka, URL: p.dash, ClearKeyLicenseURL: p.clearKeyURL}
	hls := browser.Options{Player: browser.HLSJS, URL: p.hls}
	with := func(o browser.Options, token, placement string) browser.Options {
		o.Token, o.TokenPlacement = token, placement
		return o
	}

	t.Run("entitled", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opts browser.Options
		}{
			{"dash-cenc-clearkey-shaka-sts-token", with(dash, entitled, browser.TokenHeader)},
			{"hls-aes128-hlsjs-header", with(hls, own, browser.TokenHeader)},
			{"hls-aes128-hlsjs-query", with(hls, entitled, browser.TokenQuery)},
		} {
			t.Run(tc.name, func(t *testing.T) { wantPlays(t, tc.opts) })
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range tokens {
			if tc.status == http.StatusOK || tc.token == "" {
				continue
			}
			for _, o := range []struct {
				name string
				opts browser.Options
			}{{"dash-cenc-clearkey-shaka", dash}, {"hls-aes128-hlsjs", hls}} {
				t.Run(tc.name+"/"+o.name, func(t *testing.T) {
					wantRefused(t, with(o.opts, tc.token, browser.TokenHeader), tc.status)
				})
			}
		}
	})

	t.Run("maxuses", func(t *testing.T) {
		// maxuses is one of the uses key delivery counts per token
		// signature; the STS adds the claim on request.
		const k = 3
		tok := p.stsToken(t, ctx, entitledUser, k)
		r := wantPlays(t, with(hls, tok, browser.TokenHeader))
		used := 0
		for _, rq := range r.KeyRequests {
			if rq.Status == http.StatusOK {
				used++
			}
		}
		if used == 0 || used > k {
			t.Fatalf("played with %d successful key requests; want 1..%d", used, k)
		}
		t.Logf("the browser spent %d of %d uses", used, k)
		// Spend the rest outside the browser: exactly k succeed in all.
		for used < k {
			if st := p.keyStatus(t, ctx, "aes-header", tok); st != http.StatusOK {
				t.Fatalf("use %d of %d: status %d", used+1, k, st)
			}
			used++
		}
		if st := p.keyStatus(t, ctx, "aes-header", tok); st != http.StatusUnauthorized {
			t.Fatalf("use %d of a maxuses=%d token: status %d, want 401", k+1, k, st)
		}
		wantRefused(t, with(hls, tok, browser.TokenHeader), http.StatusUnauthorized)
		wantRefused(t, with(dash, tok, browser.TokenHeader), http.StatusUnauthorized)
	})
}

// wantPlays plays o for 8 s and requires decoded frames and a key or
// license from key delivery.
func wantPlays(t *testing.T, o browser.Options) browser.Report {
	t.Helper()
	o.Seconds = 8
	r := browser.Play(t, o)
	if !r.Pass || r.TotalVideoFrames == 0 {
		t.Fatalf("did not play: %s", r)
	}
	n := 0
	for _, rq := range append(r.LicenseRequests, r.KeyRequests...) {
		if rq.Status == http.StatusOK {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("played without a key from key delivery: %s", r.Details())
	}
	return r
}

// wantRefused plays o and requires that every license or key request got
// status and that no frame was decoded.
func wantRefused(t *testing.T, o browser.Options, status int) {
	t.Helper()
	o.Seconds, o.Timeout = 4, 25*time.Second
	r := browser.Play(t, o)
	if r.Pass || r.TotalVideoFrames > 0 {
		t.Fatalf("played without entitlement: outcome %s, %.2f s, %d frames", r.Outcome, r.PlayedSeconds, r.TotalVideoFrames)
	}
	reqs := append(r.LicenseRequests, r.KeyRequests...)
	if len(reqs) == 0 {
		t.Fatalf("no license or key request reached key delivery: %s", r.Details())
	}
	for _, rq := range reqs {
		if rq.Status != status {
			t.Errorf("%s %s: status %d, want %d", rq.Method, rq.URL, rq.Status, status)
		}
	}
}

// keyStatus asks key delivery for the locators' key with token and
// returns the status: via "aes-header" / "aes-query" (HLS AES-128 key,
// token in the Authorization header or the token= parameter) or
// "clearkey-header" (Clear Key license). A 200 must carry a key.
func (p *playback) keyStatus(t *testing.T, ctx context.Context, via, token string) int {
	t.Helper()
	method, u, body := http.MethodGet, p.aesKeyURL, []byte(nil)
	if via == "clearkey-header" {
		method, u, body = http.MethodPost, p.clearKeyURL, p.clearKeyRequest
	}
	if via == "aes-query" && token != "" {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := pu.Query()
		q.Set("token", token)
		pu.RawQuery = q.Encode()
		u = pu.String()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if via != "aes-query" && token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := p.h.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, via, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK {
		switch {
		case via != "clearkey-header" && len(b) != 16:
			t.Errorf("AES key of %d bytes", len(b))
		case via == "clearkey-header" && !bytes.Contains(b, []byte(`"kty":"oct"`)):
			t.Errorf("Clear Key license without a key: %s", b)
		}
	}
	return resp.StatusCode
}

// TestPlayerPage checks that a node serves the player page on its API
// listener with its policy, the embedded Shaka Player, and the STS
// discovery document the page probes.
func TestPlayerPage(t *testing.T) {
	h := startServer(t, nil)
	ctx := testCtx(t, time.Minute)
	for _, tc := range []struct{ path, contentType string }{
		{player.Prefix, "text/html; charset=utf-8"},
		{player.Prefix + "/player.js", "text/javascript; charset=utf-8"},
		{player.Prefix + "/shaka-player.compiled.js", "text/javascript; charset=utf-8"},
		{"/sts/.well-known/openid-configuration", "application/json"},
	} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.APIURL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := h.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) {
			t.Errorf("GET %s: %d %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if tc.path != "/sts/.well-known/openid-configuration" && resp.Header.Get("Content-Security-Policy") != player.ContentSecurityPolicy {
			t.Errorf("GET %s: CSP %q", tc.path, resp.Header.Get("Content-Security-Policy"))
		}
	}
}
