package player_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/player"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	player.New(player.Config{}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// get fetches path without following redirects or decoding gzip.
func get(t *testing.T, srv *httptest.Server, method, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// A transport that neither adds Accept-Encoding nor decodes gzip, so
	// the test sees exactly what the handler sent.
	plain := &http.Transport{DisableCompression: true, DisableKeepAlives: true}
	resp, err := plain.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestHandler(t *testing.T) {
	srv := newServer(t)
	shaka, err := os.ReadFile(filepath.Join("static", "shaka-player.compiled.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path string
		status             int
		contentType        string
		body               string // a substring the body must hold
		location           string
	}{
		{name: "page", method: "GET", path: "/player", status: 200, contentType: "text/html; charset=utf-8", body: `<script src="player/shaka-player.compiled.js"`},
		{name: "page head", method: "HEAD", path: "/player", status: 200, contentType: "text/html; charset=utf-8"},
		{name: "trailing slash", method: "GET", path: "/player/", status: 301, location: "/player"},
		{name: "script", method: "GET", path: "/player/player.js", status: 200, contentType: "text/javascript; charset=utf-8", body: "registerRequestFilter"},
		{name: "style", method: "GET", path: "/player/player.css", status: 200, contentType: "text/css; charset=utf-8"},
		{name: "shaka", method: "GET", path: "/player/shaka-player.compiled.js", status: 200, contentType: "text/javascript; charset=utf-8", body: "SPDX-License-Identifier: Apache-2.0"},
		{name: "shaka licence", method: "GET", path: "/player/shaka-player.LICENSE.txt", status: 200, contentType: "text/plain; charset=utf-8", body: "Apache License"},
		{name: "config", method: "GET", path: "/player/config.json", status: 200, contentType: "application/json", body: `"sts":"sts"`},
		{name: "page by file name", method: "GET", path: "/player/index.html", status: 404},
		{name: "unknown asset", method: "GET", path: "/player/nope.js", status: 404},
		{name: "no directory walk", method: "GET", path: "/player/static/player.js", status: 404},
		{name: "post", method: "POST", path: "/player", status: 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv, tc.method, tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			// Every answer, errors included, carries the policy.
			if got := resp.Header.Get("Content-Security-Policy"); got != player.ContentSecurityPolicy {
				t.Errorf("CSP %q", got)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("security headers %v", resp.Header)
			}
			if tc.contentType != "" && resp.Header.Get("Content-Type") != tc.contentType {
				t.Errorf("content type %q, want %q", resp.Header.Get("Content-Type"), tc.contentType)
			}
			if !strings.Contains(string(body), tc.body) {
				t.Errorf("body lacks %q", tc.body)
			}
			if tc.location != "" && resp.Header.Get("Location") != tc.location {
				t.Errorf("location %q", resp.Header.Get("Location"))
			}
			if tc.method == "HEAD" && (len(body) != 0 || resp.Header.Get("Content-Length") == "0") {
				t.Errorf("HEAD: %d body bytes, Content-Length %q", len(body), resp.Header.Get("Content-Length"))
			}
			if tc.status == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", resp.Header.Get("Allow"))
			}
		})
	}

	t.Run("shaka unchanged with licence header", func(t *testing.T) {
		resp, body := get(t, srv, "GET", "/player/shaka-player.compiled.js")
		if !bytes.Equal(body, shaka) {
			t.Fatalf("served %d bytes, embedded file has %d", len(body), len(shaka))
		}
		if !bytes.HasPrefix(body, []byte("/*\n @license\n Shaka Player\n")) {
			t.Errorf("licence header missing: %q", body[:min(80, len(body))])
		}
		if v := `.version="v` + player.ShakaVersion + `"`; !bytes.Contains(body, []byte(v)) {
			t.Errorf("embedded Shaka Player is not version %s (update ShakaVersion with the file)", player.ShakaVersion)
		}
		etag := resp.Header.Get("ETag")
		if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
		}
		resp, body = get(t, srv, "GET", "/player/shaka-player.compiled.js", "If-None-Match", etag)
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("revalidation: %d with %d bytes", resp.StatusCode, len(body))
		}
	})

	t.Run("gzip", func(t *testing.T) {
		resp, body := get(t, srv, "GET", "/player/shaka-player.compiled.js", "Accept-Encoding", "br, gzip")
		if resp.Header.Get("Content-Encoding") != "gzip" || len(body) >= len(shaka)/2 {
			t.Fatalf("encoding %q, %d bytes", resp.Header.Get("Content-Encoding"), len(body))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(plain, shaka) {
			t.Fatalf("gzip body does not decode to the file: %v", err)
		}
		identity, _ := get(t, srv, "GET", "/player/shaka-player.compiled.js")
		if resp.Header.Get("ETag") == identity.Header.Get("ETag") {
			t.Errorf("gzip and identity share ETag %s", resp.Header.Get("ETag"))
		}
		resp, _ = get(t, srv, "GET", "/player/shaka-player.compiled.js", "Accept-Encoding", "gzip;q=0")
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("gzip sent to a client refusing it")
		}
	})

	t.Run("config", func(t *testing.T) {
		_, body := get(t, srv, "GET", "/player/config.json")
		var cfg map[string]string
		if err := json.Unmarshal(body, &cfg); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"originScheme": "http:", "sts": "sts", "keyDelivery": "keydelivery", "apiVersion": "2023-01-01", "shakaVersion": player.ShakaVersion}
		for k, v := range want {
			if cfg[k] != v {
				t.Errorf("%s = %q, want %q", k, cfg[k], v)
			}
		}
	})
}

// TestPageKeepsItsRules checks statically what the Content-Security-Policy
// would otherwise break at run time (inline code, inline styles, foreign
// scripts) and the page's own rules about tokens.
func TestPageKeepsItsRules(t *testing.T) {
	srv := newServer(t)
	_, page := get(t, srv, "GET", "/player")
	html := string(page)
	for _, tag := range regexp.MustCompile(`(?is)<script\b[^>]*>`).FindAllString(html, -1) {
		if !regexp.MustCompile(`\ssrc="player/[^"]+"`).MatchString(tag) {
			t.Errorf("script without a same-origin src (CSP forbids inline code): %s", tag)
		}
	}
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script\b[^>]*>[^<\s]`), // inline script body
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),        // inline event handler
		regexp.MustCompile(`(?i)\sstyle\s*=`),           // inline style attribute
		regexp.MustCompile(`(?i)<style\b`),
		regexp.MustCompile(`(?i)(src|href)="(https?:)?//`), // anything fetched from elsewhere
	} {
		if m := bad.FindString(html); m != "" {
			t.Errorf("page has %q, which the CSP blocks or the offline rule forbids", m)
		}
	}
	// Every local reference resolves to an asset.
	for _, m := range regexp.MustCompile(`(?:src|href)="(player/[^"]+)"`).FindAllStringSubmatch(html, -1) {
		if resp, _ := get(t, srv, "GET", "/"+m[1]); resp.StatusCode != 200 {
			t.Errorf("%s: %d", m[1], resp.StatusCode)
		}
	}
	js, err := os.ReadFile(filepath.Join("static", "player.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, forbidden := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
		"localStorage", "sessionStorage", "document.cookie", "console.", "history.pushState", "location.hash ="} {
		if bytes.Contains(js, []byte(forbidden)) {
			t.Errorf("player.js uses %s (untrusted text must go through textContent; tokens stay out of storage, logs and the URL)", forbidden)
		}
	}
}
