package origin_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/lockstream/lockstream/internal/test/mediatest"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

// TestSlowReadersBoundedHeap: 200 players fetching 2 MB 1080p segments
// (clear and cenc DASH, clear and AES-128 HLS MPEG-TS) that read the
// first KiB and then stop reading keep the origin's live heap far below
// what holding their segments would take. Each client's receive buffer
// is tiny, so the server's writes block mid-body, every request in
// flight at once; the heap is measured (after a GC) while all of them
// are. Building segments whole needs 200 × ~2 MB ≈ 400 MB here;
// streaming holds a chunk and at most one sample per request (TS: an
// output chunk, or one I-frame's PES, and a sample per track).
func TestSlowReadersBoundedHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 200 segments at once")
	}
	set := mediatest.Bench1080p(t)
	n := nodetest.Start(t, slog.LevelWarn)
	nd := &node{t: t, core: n.Core, api: n.API, origin: n.Origin, acct: n.Account, token: n.Token(t)}
	nd.upload("slow", set)
	clearPaths := nd.locator("slow-clear", "slow", "Predefined_ClearStreamingOnly", nil)
	nd.do(http.MethodPut, "/streamingPolicies/slow-cenc", map[string]any{"properties": map[string]any{
		"commonEncryptionCenc": map[string]any{"enabledProtocols": map[string]any{"download": false, "dash": true, "hls": true, "smoothStreaming": true},
			"drm": map[string]any{"widevine": map[string]any{}}}}}, 201, nil)
	cenc := nd.locator("slow-cenc", "slow", "slow-cenc", map[string]any{"defaultContentKeyPolicyName": "demo-open-clearkey"})
	aes := nd.locator("slow-aes", "slow", "Predefined_ClearKey", map[string]any{"defaultContentKeyPolicyName": "demo-open-clearkey"})

	h := goldenOrigin(t, n, goldenMapped)
	// Small socket buffers on both ends, as a slow network's would be
	// full: otherwise loopback's buffers take megabytes per connection
	// and the server finishes writing however it holds the segment.
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = smallBufListener{srv.Listener}
	srv.Start()
	defer srv.Close()
	var urls []string
	for _, p := range []paths{clearPaths, cenc} {
		for _, u := range segmentURLs(t, nd, h, p.find(t, "Dash", "format=mpd-time-csf")) {
			if !strings.HasSuffix(u, "=i,format=mpd-time-csf)") && !strings.Contains(u, "=i,") {
				urls = append(urls, u)
			}
		}
	}
	// HLS MPEG-TS, clear and AES-128: muxed a chunk at a time too.
	dash := len(urls)
	urls = append(urls, segmentURLs(t, nd, h, clearPaths.find(t, "Hls", "format=m3u8-aapl)"))...)
	urls = append(urls, segmentURLs(t, nd, h, aes.find(t, "Hls", "format=m3u8-aapl,"))...)
	must(t, dash >= 8 && len(urls)-dash >= 8, "only %d DASH and %d TS segment URLs", dash, len(urls)-dash)
	for _, u := range urls[dash:] {
		must(t, strings.Contains(u, "m3u8-aapl"), "not a TS segment: %s", u)
	}

	const clients = 200
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc

	conns := make([]net.Conn, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	addr := strings.TrimPrefix(srv.URL, "http://")
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
			_ = c.(*net.TCPConn).SetReadBuffer(4 << 10)
			u, _ := url.Parse(urls[i%len(urls)])
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", u.EscapedPath(), addr)
			br := bufio.NewReaderSize(c, 1024)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				errs <- err
				return
			}
			if resp.StatusCode != http.StatusOK || resp.ContentLength < 512<<10 {
				errs <- fmt.Errorf("%s: %d, %d bytes", u.Path, resp.StatusCode, resp.ContentLength)
				return
			}
			if _, err := io.ReadFull(resp.Body, make([]byte, 1024)); err != nil {
				errs <- err
			}
			// Then stop reading: the server blocks writing the rest.
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	grown := int64(ms.HeapAlloc) - int64(base)
	for _, c := range conns {
		c.Close()
	}
	t.Logf("live heap with %d slow readers in flight: +%.1f MiB (%.0f KiB per request)", clients, float64(grown)/(1<<20), float64(grown)/clients/1024)
	// Generous: a chunk (32 KiB; TS 64 KiB or an I-frame's PES), one
	// sample and the headers per request stay well under 1 MiB; whole
	// segments would need about 2 MiB each.
	if limit := int64(clients) << 20; grown > limit {
		t.Errorf("live heap grew %d MiB with %d slow readers; want < %d MiB", grown>>20, clients, limit>>20)
	}
}

// smallBufListener gives accepted connections a small send buffer.
type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}
