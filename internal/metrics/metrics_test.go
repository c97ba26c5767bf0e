package metrics_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/metrics"
)

// TestKeyOutcomes drives key-delivery-shaped requests through the
// middleware and reads the outcomes back from the exposition: the
// status decides, except for a replay, which key delivery notes.
func TestKeyOutcomes(t *testing.T) {
	m := metrics.New()
	h := m.Middleware("api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("case") {
		case "replayed":
			httpx.SetNote(r.Context(), httpx.NoteReplayed)
			w.WriteHeader(http.StatusUnauthorized)
		case "forbidden":
			w.WriteHeader(http.StatusForbidden)
		case "limited":
			w.WriteHeader(http.StatusTooManyRequests)
		case "broken":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			_, _ = w.Write(make([]byte, 16))
		}
	}))
	for _, u := range []string{
		"/keydelivery/acct/?kid=x", "/keydelivery/acct/?case=replayed", "/keydelivery/acct/Widevine/?case=forbidden",
		"/keydelivery/acct/PlayReady?case=limited", "/keydelivery/acct/clearkey/?case=broken", "/keydelivery/acct/FairPlay/",
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, u, nil))
	}
	// Not key delivery: no key outcome.
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/subscriptions/x?case=replayed", nil))

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mm := range fams["lockstream_key_requests_total"].GetMetric() {
		var route, outcome string
		for _, l := range mm.Label {
			switch l.GetName() {
			case "route":
				route = l.GetValue()
			case "outcome":
				outcome = l.GetValue()
			}
		}
		got[route+"/"+outcome] = mm.Counter.GetValue()
	}
	want := map[string]float64{"aes/granted": 1, "aes/replayed": 1, "widevine/forbidden": 1, "playready/rate_limited": 1,
		"clearkey/error": 1, "fairplay/granted": 1}
	if len(got) != len(want) {
		t.Fatalf("outcomes %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}

// TestNilMetrics: with metrics off every hook is a no-op.
func TestNilMetrics(t *testing.T) {
	var m *metrics.Metrics
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if h := m.Middleware("api", next); h == nil {
		t.Fatal("nil middleware")
	}
	m.ObserveVerify(0, true)
	m.RateLimited("g", "ip")
	m.AddCaches("x", nil)
	if m.WrapStore(nil) != nil || m.WrapBlob(nil) != nil {
		t.Fatal("nil metrics wrapped")
	}
}

// TestSeparateRegistries: two nodes in one process count apart (no
// global registry).
func TestSeparateRegistries(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.RateLimited("token", "ip")
	for _, tc := range []struct {
		m    *metrics.Metrics
		want bool
	}{{a, true}, {b, false}} {
		rec := httptest.NewRecorder()
		tc.m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if got := bytes.Contains(rec.Body.Bytes(), []byte(`lockstream_ratelimit_rejected_total{by="ip",group="token"} 1`)); got != tc.want {
			t.Errorf("registry has the count: %v, want %v", got, tc.want)
		}
	}
}
