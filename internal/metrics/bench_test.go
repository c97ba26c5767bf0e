package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lockstream/lockstream/internal/metrics"
)

// BenchmarkOriginMiddleware: what the metrics add to one segment request
// (URL parse for format and scheme, counters, histogram), against an
// empty handler.
//
//	go test -run '^$' -bench OriginMiddleware -benchmem ./internal/metrics
func BenchmarkOriginMiddleware(b *testing.B) {
	m := metrics.New()
	h := m.Middleware("origin", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) }))
	r := httptest.NewRequest(http.MethodGet, "/6f754708-f80f-4d14-b111-2a56691a0fa6/demo.ism/QualityLevels(400000)/Fragments(video=40000000,format=mpd-time-cmaf,encryption=cenc)", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}
