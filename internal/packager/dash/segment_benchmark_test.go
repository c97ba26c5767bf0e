package dash_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/dash"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

var bench struct {
	once sync.Once
	dir  string
	p    *media.Presentation
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchPresentation generates, once per run, 8 s of 1080p30 H.264 High at
// 4 Mbit/s (the shape of packaging.md's performance media) with AAC.
func benchPresentation(b *testing.B) (*media.Presentation, *mediatest.DirSource) {
	bench.once.Do(func() {
		if bench.dir, bench.err = os.MkdirTemp("", "dashbench"); bench.err != nil {
			return
		}
		_, size := mediatest.Make(b, bench.dir, "src_1080p.mp4", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
			"-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "8",
			"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
			"-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
			"-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart")
		bench.p, bench.err = media.Load(context.Background(), mediatest.NewDirSource(bench.dir),
			[]media.Ref{{File: "src_1080p.mp4", Size: size}}, media.Options{TargetDuration: 4 * time.Second})
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.p, mediatest.NewDirSource(bench.dir)
}

// BenchmarkSegment packages every media segment of the 1080p rendition
// (video and audio) per op, reading samples from a local file; MB/s is
// output bytes.
func BenchmarkSegment(b *testing.B) {
	p, src := benchPresentation(b)
	v := packager.Full(p, ",format=mpd-time-csf")
	ctx := context.Background()
	run := func() int64 {
		var n int64
		for _, t := range p.Tracks {
			for k := range t.Segments {
				seg, err := dash.Segment(ctx, src, v, t, k)
				if err != nil {
					b.Fatal(err)
				}
				n += int64(len(seg))
			}
		}
		return n
	}
	b.SetBytes(run())
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
}
