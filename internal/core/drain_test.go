package core_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
)

// TestDrain: Drain makes /readyz fail at once while the node keeps
// serving; Close then lets a request in flight (a blob upload whose body
// is still arriving) finish with its normal answer, and only then stops.
func TestDrain(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.Demo.Enabled = false
	c.Metrics.Listen = "127.0.0.1:0"
	c.DrainDelay = conf.Duration(time.Hour) // ended by the test's context
	n := start(t, c)
	api := "http://" + n.Addr("api")
	acct := api + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Media/mediaServices/drain"
	tok := token(t, api)
	call := mgmtCall(t, tok)
	sasURL := uploadSAS(t, call, acct, "up")
	base, query, _ := strings.Cut(sasURL, "?")

	// An upload whose body arrives in two parts.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPut, base+"/slow.bin?"+query, pr)
	req.ContentLength = 8
	req.Header.Set("x-ms-blob-type", "BlockBlob")
	req.Header.Set("x-ms-version", "2023-11-03")
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{code: resp.StatusCode}
	}()
	if _, err := pw.Write([]byte("part")); err != nil {
		t.Fatal(err)
	}
	// Wait until the blob listener is serving it.
	for {
		fams, _ := scrape(t, n.Addr("metrics"))
		if v, _ := value(fams, "lockstream_http_in_flight_requests", map[string]string{"listener": "blob"}); v == 1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	if code, _ := fetch(t, api+"/readyz", ""); code != 200 {
		t.Fatalf("readyz before drain: %d", code)
	}
	drainCtx, endDrain := context.WithCancel(context.Background())
	drained := make(chan struct{})
	go func() { n.Drain(drainCtx); close(drained) }()
	for !n.Draining() {
		time.Sleep(time.Millisecond)
	}
	code, b := fetch(t, api+"/readyz", "")
	if code != http.StatusServiceUnavailable || !strings.Contains(string(b), "draining") {
		t.Fatalf("readyz while draining: %d %s", code, b)
	}
	// Still serving while the load balancer notices.
	if code, _ := fetch(t, api+"/healthz", ""); code != 200 {
		t.Fatalf("healthz while draining: %d", code)
	}
	if code, _ := fetch(t, api+"/sts/.well-known/openid-configuration", ""); code != 200 {
		t.Fatalf("STS discovery while draining: %d", code)
	}
	endDrain()
	<-drained

	closed := make(chan error, 1)
	go func() { closed <- n.Close(context.Background()) }()
	// New connections are refused once the listeners closed.
	for {
		resp, err := http.Get(api + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) with an upload in flight", err)
	default:
	}
	if _, err := pw.Write([]byte("done")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	r := <-done
	if r.err != nil || r.code != http.StatusCreated {
		t.Fatalf("in-flight upload: %d %v, want 201", r.code, r.err)
	}
	if err := <-closed; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("close: %v", err)
	}
}
