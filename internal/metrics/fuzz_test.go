package metrics_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lockstream/lockstream/internal/metrics"
)

// FuzzLabels: whatever path a client requests, no part of it reaches a
// label value (labels come from fixed sets), and the exposition parses.
func FuzzLabels(f *testing.F) {
	for _, p := range []string{
		"/keydelivery/acct/?kid=x", "/keydelivery/acct/WideVine/", "/sts/token", "/t/oauth2/v2.0/token",
		"/6f754708-f80f-4d14-b111-2a56691a0fa6/demo.ism/manifest(format=m3u8-aapl,encryption=cbc)",
		"/6f754708-f80f-4d14-b111-2a56691a0fa6/demo.ism/QualityLevels(1)/Fragments(video=0,format=mpd-time-cmaf,encryption=cenc)",
		"/zzsecretzz/x.ism/manifest", "/subscriptions/zzsecretzz",
		"/6f754708-f80f-4d14-b111-2a56691a0fa6/demo.ism/QualityLevels(1)/Fragments(video=0)",
		"/6f754708-f80f-4d14-b111-2a56691a0fa6/demo.ism/manifest(format=fmp4-v20)",
	} {
		f.Add(p, "api")
		f.Add(p, "origin")
	}
	f.Fuzz(func(t *testing.T, path, listener string) {
		if listener != "api" && listener != "origin" && listener != "blob" {
			return
		}
		u, err := url.Parse("http://h" + path)
		if err != nil || !strings.HasPrefix(u.Path, "/") {
			return
		}
		m := metrics.New()
		h := m.Middleware(listener, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL = u
		h.ServeHTTP(httptest.NewRecorder(), r)
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatalf("exposition does not parse: %v", err)
		}
		allowed := map[string]bool{}
		for _, v := range strings.Fields(`api origin blob health keydelivery management sts speke player identity other none
			aes clearkey playready widevine fairplay token discovery invalid manifest playlist fragment download
			smooth fmp4-v20 m3u8-aapl m3u8-aapl-v3 m3u8-cmaf mpd-time-csf mpd-time-cmaf cbc cenc cbcs-aapl 200`) {
			allowed[v] = true
		}
		for _, name := range []string{"lockstream_http_requests_total", "lockstream_key_requests_total"} {
			for _, mm := range fams[name].GetMetric() {
				for _, l := range mm.Label {
					if l.GetName() == "outcome" {
						continue
					}
					if !allowed[l.GetValue()] {
						t.Fatalf("path %q gave label %s=%q", path, l.GetName(), l.GetValue())
					}
				}
			}
		}
	})
}
