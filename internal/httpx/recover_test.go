package httpx_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lockstream/lockstream/internal/httpx"
)

// TestRecoverStartedResponse: a panic before anything was written gets
// onPanic's 500; a panic after the response started aborts the connection
// (the client sees an error, never onPanic's text appended to the body),
// whether Recover wraps the writer itself or reuses an outer StatusWriter.
func TestRecoverStartedResponse(t *testing.T) {
	for _, outer := range []bool{false, true} {
		calls := 0
		h := httpx.Recover(slog.New(slog.DiscardHandler), func(w http.ResponseWriter, _ *http.Request) {
			calls++
			http.Error(w, "internal error", http.StatusInternalServerError)
		}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/started" {
				w.Header().Set("Content-Length", "100000")
				_, _ = w.Write(make([]byte, 50000))
			}
			panic("boom")
		}))
		srvH := h
		if outer {
			srvH = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(&httpx.StatusWriter{ResponseWriter: w}, r)
			})
		}
		srv := httptest.NewServer(srvH)
		resp, err := http.Get(srv.URL + "/early")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || calls != 1 {
			t.Fatalf("outer %v: panic before writing: %d %q, onPanic called %d times", outer, resp.StatusCode, b, calls)
		}
		resp, err = http.Get(srv.URL + "/started")
		if err == nil {
			b, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil || calls != 1 {
			t.Fatalf("outer %v: panic mid-body: read %d bytes without error, onPanic called %d times", outer, len(b), calls)
		}
		srv.Close()
	}
}
