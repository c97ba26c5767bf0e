package core_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/lockstream/lockstream/internal/core"
)

// collector is an OTLP/HTTP traces receiver written from the public
// OTLP specification (protobuf ExportTraceServiceRequest POSTed to
// /v1/traces, optionally gzip): the contract the exporter speaks.
type collector struct {
	mu    sync.Mutex
	spans map[string][]string // trace id (hex) → span names
	attrs []string            // every attribute value seen
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil || r.URL.Path != "/v1/traces" {
		http.Error(w, "bad request", 400)
		return
	}
	var req coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				id := hex.EncodeToString(s.TraceId)
				c.spans[id] = append(c.spans[id], s.Name)
				for _, a := range s.Attributes {
					c.attrs = append(c.attrs, a.GetValue().GetStringValue())
				}
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	_, _ = w.Write(out)
}

// TestTracing: with --otel-endpoint a segment request continuing a
// caller's trace (traceparent) yields the origin's server span and its
// packaging, store and blob children in that trace; a key request
// yields key delivery's policy and store spans; the access log names the
// trace; no attribute holds a path or a locator.
func TestTracing(t *testing.T) {
	col := &collector{spans: map[string][]string{}}
	srv := httptest.NewServer(col)
	defer srv.Close()
	c := testConf(t, t.TempDir())
	c.OTel.Endpoint = srv.URL + "/v1/traces"
	var logs bytes.Buffer
	var logMu sync.Mutex
	n := &core.Core{Conf: c, Log: slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))}
	if err := n.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n.PrintBanner(&buf)
	master := bannerURL(t, buf.String(), "demo-aes")
	key, seg := keyAndSegment(t, master)
	const segTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest(http.MethodGet, seg, nil)
	req.Header.Set("traceparent", "00-"+segTrace+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("segment: %d", resp.StatusCode)
	}
	const keyTrace = "0af7651916cd43dd8448eb211c80319c"
	req, _ = http.NewRequest(http.MethodGet, key, nil)
	req.Header.Set("traceparent", "00-"+keyTrace+"-b7ad6b7169203331-01")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("key: %d", resp.StatusCode)
	}
	if err := n.Close(context.Background()); err != nil { // flushes the spans
		t.Fatal(err)
	}

	col.mu.Lock()
	defer col.mu.Unlock()
	has := func(trace string, names ...string) {
		t.Helper()
		got := strings.Join(col.spans[trace], ",")
		for _, name := range names {
			if !strings.Contains(","+got+",", ","+name+",") {
				t.Errorf("trace %s lacks span %s: %s", trace, name, got)
			}
		}
	}
	// The presentation was loaded by the playlist requests; the segment's
	// samples come from the local store's mapping of the file.
	has(segTrace, "origin request", "origin.package", "blob.map_range")
	has(keyTrace, "api request", "keydelivery.policy", "store.content_keys_by_kid")
	logMu.Lock()
	defer logMu.Unlock()
	for _, id := range []string{segTrace, keyTrace} {
		if !strings.Contains(logs.String(), "trace_id="+id) {
			t.Errorf("access log lacks trace_id=%s", id)
		}
	}
	locator := regexp.MustCompile(`/([0-9a-f-]{36})/`).FindStringSubmatch(master)[1]
	for _, a := range col.attrs {
		if strings.Contains(a, "/") && a != "" || strings.Contains(a, locator) {
			t.Errorf("span attribute %q looks like a path or names the locator", a)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
