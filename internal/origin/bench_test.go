package origin_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/Eyevinn/dash-mpd/mpd"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

var (
	benchOnce sync.Once
	benchN    *node
	benchP    paths
	benchEnc  map[string]paths // by encryption= value family
)

// segmentURLs lists every video segment URL of one rendition of a
// presentation, from its manifest.
func segmentURLs(b testing.TB, n *node, h http.Handler, manifest string) []string {
	b.Helper()
	get := func(u string) []byte {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, n.origin+u, nil))
		if w.Code != 200 {
			b.Fatalf("%s: %d %s", u, w.Code, w.Body.String())
		}
		return w.Body.Bytes()
	}
	base := manifest[:strings.Index(manifest, ".ism/")+5]
	body := get(manifest)
	var out []string
	switch {
	case strings.Contains(manifest, "m3u8"):
		// First media playlist of the master, then its segments.
		var pl string
		for _, l := range strings.Split(string(body), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				pl = l
				break
			}
		}
		dir := base + pl[:strings.LastIndex(pl, "/")+1]
		for _, l := range strings.Split(string(get(base+pl)), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, dir+l)
			}
		}
	case strings.Contains(manifest, "mpd"):
		// First video representation, through dash-mpd's reader.
		m, err := mpd.ReadFromString(string(body))
		if err != nil {
			b.Fatalf("%s: %v", manifest, err)
		}
		for _, as := range m.Periods[0].AdaptationSets {
			if as.ContentType != "video" || len(out) > 0 {
				continue
			}
			rep := as.Representations[0]
			st := rep.SegmentTemplate
			if st == nil {
				st = as.SegmentTemplate
			}
			var at uint64
			for _, s := range st.SegmentTimeline.S {
				if s.T != nil {
					at = *s.T
				}
				for range s.R + 1 {
					out = append(out, base+strings.NewReplacer("$RepresentationID$", rep.Id, "$Bandwidth$", fmt.Sprint(rep.Bandwidth), "$Time$", fmt.Sprint(at)).Replace(st.Media))
					at += s.D
				}
			}
		}
	}
	if len(out) == 0 {
		b.Fatalf("no segments in %s", manifest)
	}
	return out
}

// BenchmarkOriginSegments serves every video segment of the 1080p asset
// through the origin's full handler (middleware, locator checks, range
// reads from local disk, packaging) on one goroutine, so MB/s is per core.
// Nothing caches responses: every request packages afresh from range
// reads of the stored MP4 ("cold" output); only the parsed sample tables
// stay cached, as they do in service.
func BenchmarkOriginSegments(b *testing.B) {
	benchOnce.Do(func() {
		set := mediatest.Bench1080p(b)
		benchN = startNode(&onceTB{TB: b})
		benchN.t = b
		benchN.upload("bench", set)
		benchP = benchN.locator("bench-clear", "bench", "Predefined_ClearStreamingOnly", nil)
		all := map[string]any{"download": false, "dash": true, "hls": true, "smoothStreaming": true}
		benchN.do(http.MethodPut, "/streamingPolicies/bench-cenc", map[string]any{"properties": map[string]any{
			"commonEncryptionCenc": map[string]any{"enabledProtocols": all, "drm": map[string]any{"playReady": map[string]any{}, "widevine": map[string]any{}}}}}, 201, nil)
		benchN.do(http.MethodPut, "/streamingPolicies/bench-cbcs", map[string]any{"properties": map[string]any{
			"commonEncryptionCbcs": map[string]any{"enabledProtocols": map[string]any{"download": false, "dash": true, "hls": true, "smoothStreaming": false},
				"drm": map[string]any{"fairPlay": map[string]any{"allowPersistentLicense": false}, "widevine": map[string]any{}}}}}, 201, nil)
		benchEnc = map[string]paths{
			"cbc":  benchN.locator("bench-aes", "bench", "Predefined_ClearKey", map[string]any{"defaultContentKeyPolicyName": "demo-open-clearkey"}),
			"cenc": benchN.locator("bench-cenc", "bench", "bench-cenc", map[string]any{"defaultContentKeyPolicyName": "demo-open-clearkey"}),
			"cbcs": benchN.locator("bench-cbcs", "bench", "bench-cbcs", map[string]any{"defaultContentKeyPolicyName": "demo-open-clearkey"}),
		}
	})
	if benchN == nil {
		b.Fatal("bench node did not start")
	}
	benchN.t = b
	h := benchN.core.Handler("origin")
	for _, tc := range []struct{ name, enc, proto, format string }{
		{"hls-ts", "", "Hls", "format=m3u8-aapl)"},
		{"hls-ts-aes128", "cbc", "Hls", "format=m3u8-aapl,"},
		{"hls-cmaf", "", "Hls", "format=m3u8-cmaf)"},
		{"hls-cmaf-aes128", "cbc", "Hls", "format=m3u8-cmaf,"},
		{"hls-cmaf-cbcs", "cbcs", "Hls", "format=m3u8-cmaf,"},
		{"dash", "", "Dash", "format=mpd-time-csf)"},
		{"dash-cenc", "cenc", "Dash", "format=mpd-time-csf,"},
		{"dash-cmaf-cbcs", "cbcs", "Dash", "format=mpd-time-cmaf,"},
	} {
		loc := benchP
		if tc.enc != "" {
			loc = benchEnc[tc.enc]
		}
		urls := segmentURLs(b, benchN, h, loc.find(b, tc.proto, tc.format))
		b.Run(tc.name, func(b *testing.B) {
			var bytes int64
			for i, u := range urls {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, benchN.origin+u, nil))
				if w.Code != 200 {
					b.Fatalf("segment %d: %d", i, w.Code)
				}
				bytes += int64(w.Body.Len())
			}
			b.SetBytes(bytes / int64(len(urls)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w := discardRecorder{h: http.Header{}}
				h.ServeHTTP(&w, httptest.NewRequest(http.MethodGet, benchN.origin+urls[i%len(urls)], nil))
				if w.code != 200 {
					b.Fatalf("status %d", w.code)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "segments/s")
		})
	}
}

// discardRecorder is a ResponseWriter that drops the body, so the
// benchmark measures the origin rather than buffer growth.
type discardRecorder struct {
	h    http.Header
	code int
}

func (d *discardRecorder) Header() http.Header { return d.h }
func (d *discardRecorder) WriteHeader(c int) {
	if d.code == 0 {
		d.code = c
	}
}
func (d *discardRecorder) Write(p []byte) (int, error) {
	if d.code == 0 {
		d.code = 200
	}
	return len(p), nil
}
