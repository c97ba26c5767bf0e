package core_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads a node's /metrics and parses it with Prometheus's own
// text parser.
func scrape(t *testing.T, addr string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	code, b := fetch(t, "http://"+addr+"/metrics", "")
	if code != 200 {
		t.Fatalf("GET /metrics = %d", code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams, string(b)
}

// value sums the samples of a family whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
	var sum float64
	found := false
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum, found
}

// TestMetrics runs a player's requests (manifests, a segment twice, keys
// granted, refused and unknown, a token) and a bad URL through a node,
// then checks the families and counts /metrics reports — and that no
// label carries a locator, a key id, a token or a path.
func TestMetrics(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.Metrics.Listen = "127.0.0.1:0"
	n := start(t, c)
	defer n.Close(context.Background())
	var buf bytes.Buffer
	n.PrintBanner(&buf)
	banner := buf.String()
	api := "http://" + n.Addr("api")

	master := bannerURL(t, banner, "demo-aes")
	key, seg := keyAndSegment(t, master) // master + media playlist
	for range 2 {
		if code, b := fetch(t, seg, ""); code != 200 || len(b) == 0 {
			t.Fatalf("segment: %d", code)
		}
	}
	if code, _ := fetch(t, key, ""); code != 200 {
		t.Fatalf("open key: %d", code)
	}
	unknown := regexp.MustCompile(`kid=[0-9a-f-]+`).ReplaceAllString(key, "kid=00000000-0000-0000-0000-0000000000ff")
	if code, _ := fetch(t, unknown, ""); code != http.StatusNotFound {
		t.Fatalf("unknown kid: %d", code)
	}
	protKey := keyURL(t, bannerURL(t, banner, "demo-token"))
	if code, _ := fetch(t, protKey, ""); code != http.StatusUnauthorized {
		t.Fatalf("protected key without token: %d", code)
	}
	tok := runTokenCommand(t, banner) // the STS token endpoint
	if code, _ := fetch(t, protKey, tok); code != 200 {
		t.Fatalf("protected key with token: %d", code)
	}
	if code, _ := fetch(t, "http://"+n.Addr("origin")+"/not-a-locator/x.ism/manifest", ""); code < 400 {
		t.Fatalf("bad origin URL: %d", code)
	}
	if code, _ := fetch(t, api+"/healthz", ""); code != 200 {
		t.Fatal("healthz")
	}

	fams, text := scrape(t, n.Addr("metrics"))
	for _, name := range []string{
		"lockstream_http_requests_total", "lockstream_http_request_duration_seconds", "lockstream_http_response_bytes_total",
		"lockstream_http_in_flight_requests", "lockstream_key_requests_total", "lockstream_token_verification_seconds",
		"lockstream_store_operation_seconds", "lockstream_blob_operation_seconds", "lockstream_cache_requests_total",
		"lockstream_cache_entries", "lockstream_cache_bytes", "lockstream_event_queue_up", "lockstream_event_deliveries",
		"lockstream_event_delivery_lag_seconds", "lockstream_event_outbox_pending",
		"lockstream_job_queue_up", "lockstream_job_queue_jobs", "lockstream_job_queue_oldest_queued_age_seconds",
		"lockstream_encode_workers", "lockstream_encode_jobs_running", "lockstream_encode_progress_ratio", "go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total",
	} {
		if _, ok := fams[name]; !ok {
			t.Errorf("family %s missing", name)
		}
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		min    float64 // at least (other tests' requests never reach this node)
		exact  bool
	}{
		{"lockstream_http_requests_total", map[string]string{"listener": "origin", "family": "origin", "kind": "manifest", "format": "m3u8-aapl", "scheme": "cbc", "code": "200"}, 2, true}, // both locators
		{"lockstream_http_requests_total", map[string]string{"listener": "origin", "kind": "playlist", "format": "m3u8-aapl", "scheme": "cbc", "code": "200"}, 2, true},
		{"lockstream_http_requests_total", map[string]string{"listener": "origin", "kind": "fragment", "format": "m3u8-aapl", "scheme": "cbc", "code": "200"}, 2, true},
		{"lockstream_http_requests_total", map[string]string{"listener": "origin", "kind": "invalid"}, 1, true},
		{"lockstream_http_requests_total", map[string]string{"listener": "api", "family": "sts", "kind": "token", "code": "200"}, 1, true},
		{"lockstream_http_requests_total", map[string]string{"listener": "api", "family": "health", "code": "200"}, 1, true},
		{"lockstream_key_requests_total", map[string]string{"route": "aes", "outcome": "granted"}, 2, true},
		{"lockstream_key_requests_total", map[string]string{"route": "aes", "outcome": "unauthenticated"}, 1, true},
		{"lockstream_key_requests_total", map[string]string{"route": "aes", "outcome": "not_found"}, 1, true},
		{"lockstream_token_verification_seconds", map[string]string{"result": "granted"}, 2, true},
		{"lockstream_token_verification_seconds", map[string]string{"result": "refused"}, 1, true},
		{"lockstream_http_response_bytes_total", map[string]string{"listener": "origin", "kind": "fragment"}, 1000, false},
		{"lockstream_cache_requests_total", map[string]string{"component": "origin", "cache": "presentations", "result": "hit"}, 1, false},
		{"lockstream_cache_requests_total", map[string]string{"component": "origin", "cache": "locators", "result": "hit"}, 1, false},
		{"lockstream_cache_entries", map[string]string{"component": "origin", "cache": "presentations"}, 1, true},
		{"lockstream_cache_requests_total", map[string]string{"component": "keydelivery", "cache": "accounts", "result": "miss"}, 1, false},
		// Content keys are cached by key id: the protected key's second
		// request (with the token) is served without a store read.
		{"lockstream_cache_requests_total", map[string]string{"component": "keydelivery", "cache": "contentKeys", "result": "hit"}, 1, false},
		{"lockstream_store_operation_seconds", map[string]string{"op": "content_keys_by_kid", "result": "ok"}, 2, false},
		{"lockstream_blob_operation_seconds", map[string]string{"op": "read_range", "result": "ok"}, 1, false},
		{"lockstream_event_queue_up", nil, 1, true},
		{"lockstream_event_deliveries", map[string]string{"state": "dead"}, 0, true},
	} {
		v, ok := value(fams, tc.name, tc.labels)
		if !ok || v < tc.min || tc.exact && v != tc.min {
			t.Errorf("%s%v = %v (found %v), want %s%v", tc.name, tc.labels, v, ok, map[bool]string{true: "", false: ">="}[tc.exact], tc.min)
		}
	}
	// Bounded cardinality: no label value is a locator id, a key id, a
	// token or a path.
	kid := regexp.MustCompile(`kid=([0-9a-f-]+)`).FindStringSubmatch(key)[1]
	locator := strings.Split(strings.TrimPrefix(master, "http://"+n.Addr("origin")+"/"), "/")[0]
	for _, secret := range []string{kid, locator, tok[:20], "demo-aes", "not-a-locator", "/keydelivery/", ".ism"} {
		if strings.Contains(text, secret) {
			t.Errorf("/metrics contains %q", secret)
		}
	}
}

// TestMetricsOff: without --metrics-listen there is no metrics listener.
func TestMetricsOff(t *testing.T) {
	n := start(t, testConf(t, t.TempDir()))
	defer n.Close(context.Background())
	if a := n.Addr("metrics"); a != "" {
		t.Fatalf("metrics listener at %s without --metrics-listen", a)
	}
}
