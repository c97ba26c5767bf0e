package cluster_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// benchCluster starts n nodes behind HAProxy and returns the demo-aes
// master URL through the load balancer.
func benchCluster(b *testing.B, n int, extra ...string) (*cluster, string) {
	b.Helper()
	c := newCluster(b, pgtest.Start(b), n, append([]string{"--log-level", "error"}, extra...)...)
	c.start(c.nodes[0])
	banner := waitBanner(b, c.nodes[0])
	for _, nd := range c.nodes[1:] {
		c.start(nd)
	}
	c.startHAProxy()
	return c, bannerURL(b, banner, "demo-aes")
}

// segmentURLs resolves a player's requests once: media playlist, key and
// every segment of the first variant.
func segmentURLs(b *testing.B, master string) (key string, segs []string) {
	b.Helper()
	p := &player{client: http.DefaultClient, master: master}
	ctx := context.Background()
	m, err := p.get(ctx, master)
	if err != nil {
		b.Fatal(err)
	}
	media := resolve(master, uris(m)[0])
	pl, err := p.get(ctx, media)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range uris(pl) {
		segs = append(segs, resolve(media, s))
	}
	return resolve(media, string(keyTag.FindSubmatch(pl)[1])), segs
}

// BenchmarkSegmentsThroughHAProxy: encrypted HLS segments (AES-128,
// packaged per request) through HAProxy, 1 vs 2 nodes. On this 2-core
// machine the nodes, HAProxy, PostgreSQL and the load generator share
// the cores, so a second node adds no CPU; the figure shows the
// overhead of spreading, not a scale-out gain.
//
//	go test -run '^$' -bench SegmentsThroughHAProxy -benchtime 2000x ./internal/test/cluster
func BenchmarkSegmentsThroughHAProxy(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			_, master := benchCluster(b, n)
			_, segs := segmentURLs(b, master)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var mu sync.Mutex
			var bytesOut int64
			b.SetParallelism(8)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					resp, err := client.Get(segs[i%len(segs)])
					i++
					if err != nil {
						b.Error(err)
						return
					}
					nb, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("segment: %d", resp.StatusCode)
						return
					}
					mu.Lock()
					bytesOut += nb
					mu.Unlock()
				}
			})
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N)/el, "segments/s")
			b.ReportMetric(float64(bytesOut)/el/1e6, "MB/s")
		})
	}
}

// BenchmarkKeyDeliveryUnderLimiter: AES-128 key requests through HAProxy
// to two nodes with the rate limiter on (default per-IP limit, HAProxy
// trusted so X-Forwarded-For names the client; 16 clients with distinct
// addresses), reporting the latency percentiles of the granted ones.
//
//	go test -run '^$' -bench KeyDeliveryUnderLimiter -benchtime 4000x ./internal/test/cluster
func BenchmarkKeyDeliveryUnderLimiter(b *testing.B) {
	_, master := benchCluster(b, 2)
	key, _ := segmentURLs(b, master)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	var lat []time.Duration
	limited := 0
	var clientN sync.Mutex
	next := 0
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		clientN.Lock()
		ip := fmt.Sprintf("198.51.100.%d", next%250+1)
		next++
		clientN.Unlock()
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, key, nil)
			req.Header.Set("X-Forwarded-For", ip)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(t0)
			mu.Lock()
			switch resp.StatusCode {
			case 200:
				lat = append(lat, d)
			case http.StatusTooManyRequests:
				limited++
			default:
				b.Errorf("key: %d", resp.StatusCode)
			}
			mu.Unlock()
		}
	})
	b.StopTimer()
	if len(lat) == 0 {
		b.Fatal("no key granted")
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(limited), "429s")
}
