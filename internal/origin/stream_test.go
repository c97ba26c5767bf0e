package origin_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// compareStreamed checks that every segment the streaming origin (get)
// answers is byte for byte, header for header, what the origin building
// segments whole in memory (whole) answers: the full body, HEAD, and byte
// ranges that start and end in the headers, across sample boundaries, in
// the middle and at the end, so that the stream's seeks land everywhere.
func compareStreamed(t *testing.T, get func(u string, hdr ...string) (*http.Response, []byte), whole http.Handler, segments []string) {
	t.Helper()
	wget := func(method, u string, hdr ...string) (*http.Response, []byte) {
		req := httptest.NewRequest(method, "http://origin.golden.example"+u, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		whole.ServeHTTP(w, req)
		resp := w.Result()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	same := func(u, what string, a *http.Response, ab []byte, b *http.Response, bb []byte) {
		t.Helper()
		// Multipart answers carry a random boundary each.
		for _, x := range []struct {
			r *http.Response
			b *[]byte
		}{{a, &ab}, {b, &bb}} {
			if _, p, ok := strings.Cut(x.r.Header.Get("Content-Type"), "boundary="); ok {
				*x.b = bytes.ReplaceAll(*x.b, []byte(p), []byte("BOUNDARY"))
				x.r.Header.Set("Content-Type", strings.ReplaceAll(x.r.Header.Get("Content-Type"), p, "BOUNDARY"))
				x.r.Header.Del("Content-Length")
			}
		}
		for _, h := range []string{"Content-Type", "Content-Length", "Content-Range", "ETag", "Cache-Control", "Accept-Ranges", "Last-Modified"} {
			if a.Header.Get(h) != b.Header.Get(h) {
				t.Errorf("%s %s: %s streamed %q, whole %q", u, what, h, a.Header.Get(h), b.Header.Get(h))
			}
		}
		if a.StatusCode != b.StatusCode || !bytes.Equal(ab, bb) {
			t.Errorf("%s %s: streamed %d (%d bytes), whole %d (%d bytes)", u, what, a.StatusCode, len(ab), b.StatusCode, len(bb))
		}
	}
	n := 0
	for _, u := range segments {
		sr, sb := get(u)
		wr, wb := wget(http.MethodGet, u)
		same(u, "GET", sr, sb, wr, wb)
		if wr.StatusCode != http.StatusOK {
			continue
		}
		n++
		size := len(wb)
		hr, hb := wget(http.MethodHead, u)
		if hr.Header.Get("Content-Length") != strconv.Itoa(size) || len(hb) != 0 {
			t.Errorf("%s HEAD (whole): %q", u, hr.Header.Get("Content-Length"))
		}
		// The whole-body fast path answers what http.ServeContent does
		// (a condition that does not hold sends the request through it).
		vr, vb := get(u, "If-None-Match", `"other"`)
		same(u, "fast path vs ServeContent", sr, sb, vr, vb)
		for _, c := range [][]string{{"If-None-Match", wr.Header.Get("ETag")}, {"If-None-Match", `"other"`}, {"If-Range", wr.Header.Get("ETag"), "Range", "bytes=10-20"}} {
			sr, sb := get(u, c...)
			wr, wb := wget(http.MethodGet, u, c...)
			same(u, strings.Join(c, " "), sr, sb, wr, wb)
		}
		ranges := []string{"bytes=0-0", "bytes=0-99", "bytes=7-1500", "bytes=-1", "bytes=-5000",
			fmt.Sprintf("bytes=%d-%d", size/3, size/3+70000), fmt.Sprintf("bytes=%d-", size/2), fmt.Sprintf("bytes=%d-%d", size-2, size-1),
			"bytes=0-9,500-599"}
		for _, rg := range ranges {
			sr, sb := get(u, "Range", rg)
			wr, wb := wget(http.MethodGet, u, "Range", rg)
			same(u, rg, sr, sb, wr, wb)
		}
		if t.Failed() {
			return
		}
	}
	if n == 0 {
		t.Fatal("no segment compared")
	}
	t.Logf("streamed = whole for %d segments × %d requests", n, 13)
}
