package httpx_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/httpx"
)

func TestChain(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var seenID string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seenID = httpx.ID(r.Context())
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		_, _ = w.Write([]byte("ok"))
	})
	chain := httpx.RequestID(httpx.AccessLog(log, httpx.Recover(log, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "internal", http.StatusInternalServerError)
	}, h)))
	for _, tc := range []struct {
		name, path string
		want       int
	}{
		{name: "ok", path: "/x?token=secret-token-value", want: 200},
		{name: "panic becomes 500", path: "/panic", want: 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			req.Header.Set("x-ms-client-request-id", "client-1")
			chain.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status = %d, want %d", rec.Code, tc.want)
			}
			id := rec.Header().Get("x-ms-request-id")
			if len(id) != 32 || id != seenID {
				t.Fatalf("request id %q, handler saw %q", id, seenID)
			}
			if rec.Header().Get("x-ms-client-request-id") != "client-1" {
				t.Fatal("client request id not echoed")
			}
		})
	}
	if strings.Contains(logs.String(), "secret-token-value") {
		t.Fatal("access log leaked the query string")
	}
	if !strings.Contains(logs.String(), "panic") || !strings.Contains(logs.String(), "status=500") {
		t.Fatalf("logs lack panic or status: %s", logs.String())
	}
}

// TestAccessLogBelowInfo: with the logger above info the access log
// writes nothing and leaves the response as the handler wrote it; at
// info the line carries the status and size.
func TestAccessLogBelowInfo(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{"text/plain"}
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("short and stout"))
	})
	for _, level := range []slog.Level{slog.LevelWarn, slog.LevelInfo} {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level}))
		rec := httptest.NewRecorder()
		httpx.AccessLog(log, h).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/pot", nil))
		if rec.Code != http.StatusTeapot || rec.Body.String() != "short and stout" || rec.Header().Get("Content-Type") != "text/plain" {
			t.Fatalf("%v: response %d %q %v", level, rec.Code, rec.Body, rec.Header())
		}
		switch line := logs.String(); {
		case level > slog.LevelInfo && line != "":
			t.Fatalf("%v: logged %q", level, line)
		case level <= slog.LevelInfo && (!strings.Contains(line, "status=418") || !strings.Contains(line, "bytes=15") || !strings.Contains(line, "path=/pot")):
			t.Fatalf("%v: line %q lacks status, bytes or path", level, line)
		}
	}
}
