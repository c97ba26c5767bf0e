package core_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

func retryAfter(t *testing.T, resp *http.Response) int {
	t.Helper()
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || n < 1 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	return n
}

func getResp(t *testing.T, u, tok string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestRateLimitPerIP: key delivery and the token endpoints (STS and
// identity share the per-address budget) answer 429 with Retry-After
// once a client spent its budget; the origin is not limited. Limits of
// one request a minute, so no refill can happen during the test.
func TestRateLimitPerIP(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.Metrics.Listen = "127.0.0.1:0"
	c.RateLimit.KeysPerIP, c.RateLimit.KeysPerToken, c.RateLimit.TokensPerIP, c.RateLimit.Burst = 1, 0, 1, 1
	n := start(t, c)
	defer n.Close(context.Background())
	var buf bytes.Buffer
	n.PrintBanner(&buf)
	banner := buf.String()
	master := bannerURL(t, banner, "demo-aes")
	key, seg := keyAndSegment(t, master)
	if code, _ := fetch(t, key, ""); code != 200 {
		t.Fatalf("first key request: %d", code)
	}
	resp := getResp(t, key, "")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second key request: %d, want 429", resp.StatusCode)
	}
	retryAfter(t, resp)
	for range 3 { // the origin has no limit
		if code, _ := fetch(t, seg, ""); code != 200 {
			t.Fatalf("segment: %d", code)
		}
	}
	runTokenCommand(t, banner) // spends the token endpoints' budget
	api := "http://" + n.Addr("api")
	for _, u := range []string{api + "/sts/token", api + "/" + c.Identity.TenantID + "/oauth2/v2.0/token"} {
		resp, err := http.PostForm(u, url.Values{"grant_type": {"client_credentials"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("POST %s after the budget: %d, want 429", u, resp.StatusCode)
		}
		retryAfter(t, resp)
	}
	fams, _ := scrape(t, n.Addr("metrics"))
	for labels, want := range map[[2]string]float64{{"keydelivery", "ip"}: 1, {"token", "ip"}: 2} {
		if v, _ := value(fams, "lockstream_ratelimit_rejected_total", map[string]string{"group": labels[0], "by": labels[1]}); v != want {
			t.Errorf("rejected %v = %v, want %v", labels, v, want)
		}
	}
	if v, _ := value(fams, "lockstream_key_requests_total", map[string]string{"outcome": "rate_limited"}); v != 1 {
		t.Errorf("key outcome rate_limited = %v, want 1", v)
	}
}

// TestRateLimitPerToken: one token's budget is its own; a fresh token
// from the same address is served.
func TestRateLimitPerToken(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.RateLimit.KeysPerIP, c.RateLimit.KeysPerToken, c.RateLimit.Burst = 0, 1, 1
	n := start(t, c)
	defer n.Close(context.Background())
	var buf bytes.Buffer
	n.PrintBanner(&buf)
	banner := buf.String()
	protKey := keyURL(t, bannerURL(t, banner, "demo-token"))
	tokA := runTokenCommand(t, banner)
	if code, _ := fetch(t, protKey, tokA); code != 200 {
		t.Fatalf("token A, first: %d", code)
	}
	resp := getResp(t, protKey, tokA)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("token A, second: %d, want 429", resp.StatusCode)
	}
	retryAfter(t, resp)
	tokB := runTokenCommand(t, banner)
	if tokB == tokA {
		t.Fatal("the STS issued the same token twice")
	}
	if code, _ := fetch(t, protKey, tokB); code != 200 {
		t.Fatalf("token B: %d", code)
	}
}
