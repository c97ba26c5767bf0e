package hls_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// The benchmark asset: 18 s of 1080p30 H.264 High at 4 Mbit/s (2 s GOPs,
// 2 B-frames) with 128 kbit/s AAC, cut into 6 s segments; generated once
// per test binary (about 20 s of encoding) and removed by TestMain.
var bench struct {
	once sync.Once
	dir  string
	a    *asset
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

func benchAsset(b *testing.B) *asset {
	b.Helper()
	mediatest.Tool(b, "ffmpeg")
	bench.once.Do(func() {
		dir, err := os.MkdirTemp("", "hls-bench-")
		if err != nil {
			b.Fatal(err)
		}
		bench.dir = dir
		mediatest.Make(b, dir, "1080p.mp4",
			"-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
			"-t", "18", "-c:v", "libx264", "-preset", "superfast", "-profile:v", "high", "-pix_fmt", "yuv420p", "-bf", "2",
			"-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
			"-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart")
		bench.a = load(b, dir, 6*time.Second, "1080p.mp4")
	})
	if bench.a == nil {
		b.Fatal("benchmark asset unavailable")
	}
	return bench.a
}

// BenchmarkTSSegment measures whole TS segment requests from a warm page
// cache and a parsed presentation, nothing cached in between: range reads
// of the samples, Annex B / ADTS conversion, PES and TS packetization.
// MB/s counts output bytes. The -recycled variants append into one reused
// response buffer (AppendTSSegment), as a server pooling response buffers
// does; the others allocate every segment.
func BenchmarkTSSegment(b *testing.B) {
	a := benchAsset(b)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	v := a.view(hls.TS, 0, 0)
	for _, bc := range []struct {
		name         string
		video, audio *media.Track
	}{
		{"video", video, nil},
		{"muxed", video, audio},
		{"audio", nil, audio},
	} {
		for _, recycled := range []bool{false, true} {
			name := bc.name
			if recycled {
				name += "-recycled"
			}
			b.Run(name, func(b *testing.B) { benchTS(b, a, v, bc.video, bc.audio, recycled) })
		}
	}
}

func benchTS(b *testing.B, a *asset, v *packager.View, video, audio *media.Track, recycled bool) {
	ctx := context.Background()
	lead := video
	if lead == nil {
		lead = audio
	}
	n := len(lead.Segments)
	size := 0
	var buf []byte
	for k := range n {
		out, err := hls.TSSegment(ctx, a.src, v, video, k, audio)
		if err != nil {
			b.Fatal(err)
		}
		size += len(out)
		if len(out) > cap(buf) {
			buf = out
		}
	}
	b.SetBytes(int64(size / n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		var err error
		if recycled {
			_, err = hls.AppendTSSegment(ctx, buf[:0], a.src, v, video, i%n, audio)
		} else {
			_, err = hls.TSSegment(ctx, a.src, v, video, i%n, audio)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTSMux measures the muxer alone on segments already in memory.
func BenchmarkTSMux(b *testing.B) {
	a := benchAsset(b)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	ctx := context.Background()
	var vds, ads []*media.SegmentData
	size := 0
	for k := range video.Segments {
		vd, err := media.ReadSegment(ctx, a.src, video, k)
		if err != nil {
			b.Fatal(err)
		}
		ad, err := media.ReadSegment(ctx, a.src, audio, k)
		if err != nil {
			b.Fatal(err)
		}
		vds, ads = append(vds, vd), append(ads, ad)
		out, err := hls.MuxTS(k, vd, ad)
		if err != nil {
			b.Fatal(err)
		}
		size += len(out)
	}
	b.SetBytes(int64(size / len(vds)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := i % len(vds)
		if _, err := hls.MuxTS(k, vds[k], ads[k]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCMAFSegment is the fMP4 path for comparison.
func BenchmarkCMAFSegment(b *testing.B) {
	a := benchAsset(b)
	video := a.p.Video()[0]
	v := a.view(hls.CMAF, 0, 0)
	ctx := context.Background()
	n := len(video.Segments)
	size := 0
	for k := range n {
		out, err := hls.CMAFSegment(ctx, a.src, v, video, k)
		if err != nil {
			b.Fatal(err)
		}
		size += len(out)
	}
	b.SetBytes(int64(size / n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := hls.CMAFSegment(ctx, a.src, v, video, i%n); err != nil {
			b.Fatal(err)
		}
	}
}
