package hls_test

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// The encryption benchmarks use internal/origin's benchmark asset: 30 s of
// 1920x1080p30 H.264 High at 4 Mbit/s (2 s GOP) with AAC, one progressive
// MP4 generated once into a directory kept across runs (the one the
// origin and cenc benchmarks share), in 4 s segments.
var bench1080 struct {
	once sync.Once
	a    *asset
}

func bench1080p(b *testing.B) *asset {
	b.Helper()
	bench1080.once.Do(func() {
		set := mediatest.Bench1080p(b)
		bench1080.a = load(b, set.Dir, 4*time.Second, set.Files[0].Name)
	})
	if bench1080.a == nil {
		b.Fatal("benchmark asset unavailable")
	}
	return bench1080.a
}

// BenchmarkTSSegmentEncrypted measures whole TS segment requests (1080p
// video with its AAC muxed in, about 2 MB) from a warm page cache, clear
// and encrypted, appending into one recycled response buffer as a server
// pooling buffers does. MB/s counts output bytes; cpu-MB/s divides them by
// the process's CPU time, steadier than wall time on a shared host. Run
// with -cpu 1 for per-core figures.
func BenchmarkTSSegmentEncrypted(b *testing.B) {
	a := bench1080p(b)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	v := a.view(hls.TS, 0, 0)
	ctx := context.Background()
	c := encCipher(b)
	for _, bc := range []struct {
		name string
		enc  hls.TSEncryption
	}{
		{"clear", hls.TSEncryption{}},
		{"aes128", hls.TSEncryption{Method: hls.TSAES128, Cipher: c}},
		{"sample-aes", hls.TSEncryption{Method: hls.TSSampleAES, Cipher: c, IV: &encIV}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := hls.TSOptions{Encryption: bc.enc}
			n, size := len(video.Segments), 0
			var buf []byte
			for k := range n {
				out, err := hls.TSSegmentWith(ctx, a.src, v, video, k, audio, o)
				if err != nil {
					b.Fatal(err)
				}
				size += len(out)
				if cap(out) > cap(buf) {
					buf = out
				}
			}
			b.SetBytes(int64(size / n))
			b.ReportAllocs()
			cpu := startCPU()
			i := 0
			for b.Loop() {
				if _, err := hls.AppendTSSegmentWith(ctx, buf[:0], a.src, v, video, i%n, audio, o); err != nil {
					b.Fatal(err)
				}
				i++
			}
			cpu.report(b, size/n)
		})
	}
}

// BenchmarkTSSegmentInterleaved runs the clear, AES-128 and SAMPLE-AES
// requests of BenchmarkTSSegmentEncrypted in turn on each segment,
// rotating their order, so that load from other processes falls on all
// three alike, keeps each one's fastest run per segment and reports the
// resulting per-core throughputs (*-MB/s, output bytes) and the encrypted
// ones as a percentage of clear. One op is one segment in all three modes.
func BenchmarkTSSegmentInterleaved(b *testing.B) {
	a := bench1080p(b)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	v := a.view(hls.TS, 0, 0)
	ctx := context.Background()
	c := encCipher(b)
	names := []string{"clear", "aes128", "sample-aes"}
	opts := []hls.TSOptions{{},
		{Encryption: hls.TSEncryption{Method: hls.TSAES128, Cipher: c}},
		{Encryption: hls.TSEncryption{Method: hls.TSSampleAES, Cipher: c, IV: &encIV}}}
	n := len(video.Segments)
	best := make([][]time.Duration, len(opts))
	size := make([][]int, len(opts))
	for m := range opts {
		best[m], size[m] = make([]time.Duration, n), make([]int, n)
	}
	buf := make([]byte, 0, 8<<20)
	i := 0
	for b.Loop() {
		for j := range opts {
			k, m := i%n, (i+j)%len(opts)
			start := time.Now()
			out, err := hls.AppendTSSegmentWith(ctx, buf[:0], a.src, v, video, k, audio, opts[m])
			if err != nil {
				b.Fatal(err)
			}
			if el := time.Since(start); best[m][k] == 0 || el < best[m][k] {
				best[m][k] = el
			}
			size[m][k] = len(out)
		}
		i++
	}
	if i < len(opts)*n {
		return
	}
	mbps := make([]float64, len(opts))
	for m := range opts {
		var total int
		var sum time.Duration
		for k := range n {
			total += size[m][k]
			sum += best[m][k]
		}
		mbps[m] = float64(total) / sum.Seconds() / 1e6
		b.ReportMetric(mbps[m], names[m]+"-MB/s")
	}
	b.ReportMetric(100*mbps[1]/mbps[0], "aes128-%")
	b.ReportMetric(100*mbps[2]/mbps[0], "sample-aes-%")
}

// cpuClock measures the process's CPU time (all threads, GC included)
// over a benchmark loop: "cpu-MB/s" is bytes per op over CPU seconds per
// op, one core's throughput under -cpu 1 even while other processes
// compete for the CPU.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{processCPU()} }

func (c cpuClock) report(b *testing.B, bytesPerOp int) {
	if b.N == 0 {
		return
	}
	perOp := float64(processCPU()-c.start) / float64(b.N)
	b.ReportMetric(perOp, "cpu-ns/op")
	if perOp > 0 {
		b.ReportMetric(float64(bytesPerOp)/perOp*1e3, "cpu-MB/s")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
