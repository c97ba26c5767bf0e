package speke_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

// benchRequest is a SPEKE 2.0 request for 10 keys (5 periods × video +
// audio) with Widevine and PlayReady DASH signalling for each.
func benchRequest(b *testing.B, contentID string) []byte {
	b.Helper()
	d := &cpix.Document{ContentID: contentID, Version: cpix.Version23}
	for p := range 5 {
		idx := int64(p)
		id := fmt.Sprintf("p%d", p)
		d.Periods = append(d.Periods, cpix.ContentKeyPeriod{ID: id, Index: &idx})
		for _, tr := range []string{"VIDEO", "AUDIO"} {
			kid, err := keys.NewKID(rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			d.ContentKeys = append(d.ContentKeys, cpix.ContentKey{KID: kid, CommonEncryptionScheme: "cenc"})
			for _, sys := range []drm.SystemID{drm.Widevine, drm.PlayReady} {
				d.DRMSystems = append(d.DRMSystems, cpix.DRMSystem{KID: kid, SystemID: sys, PSSH: cpix.Set(nil), ContentProtectionData: cpix.Set(nil)})
			}
			r := cpix.UsageRule{KID: kid, IntendedTrackType: tr, KeyPeriodFilters: []string{id}}
			if tr == "VIDEO" {
				r.VideoFilters = []cpix.VideoFilter{{}}
			} else {
				r.AudioFilters = []cpix.AudioFilter{{}}
			}
			d.UsageRules = append(d.UsageRules, r)
		}
	}
	out, err := d.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// benchSPEKE posts requests from parallel clients and reports requests/s
// and the p99 latency. fresh mints 10 new keys per request (a new
// content id each time); otherwise every request asks for the same 10
// keys again (the packager restarting or a second packager of the same
// content).
func benchSPEKE(b *testing.B, fresh bool) {
	n := startNode(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := n.API + "/speke/v2/" + n.MSID
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	same := benchRequest(b, "bench-same")
	// Pre-build bodies outside the timer.
	bodies := make([][]byte, 0)
	if fresh {
		for i := range b.N + 64 {
			bodies = append(bodies, benchRequest(b, fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)))
		}
	}
	b.SetParallelism(8) // 16 concurrent clients on 2 CPUs
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			body := same
			if fresh {
				body = bodies[seq.Add(1)-1]
			}
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+n.Owner)
			req.Header.Set("X-Speke-Version", "2.0")
			req.Header.Set("Content-Type", "application/xml")
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(resp.Body)
			resp.Body.Close()
			mine = append(mine, time.Since(t0))
			if resp.StatusCode != 200 {
				b.Errorf("status %d: %s", resp.StatusCode, buf.Bytes())
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	// CPU per request (server and client share the process): the figure
	// that holds when other work shares the machine.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/req")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkSPEKE10KeysNew(b *testing.B)    { benchSPEKE(b, true) }
func BenchmarkSPEKE10KeysRepeat(b *testing.B) { benchSPEKE(b, false) }
