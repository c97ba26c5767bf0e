package encode

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// childCPU is the CPU time (user+system) of every child process waited
// for so far.
func childCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAdaptiveStreaming1080p times a 60 s 1080p30 AdaptiveStreaming
// encode through Encoder.Encode (probe, plan, ffmpeg, naming, .ism/.ismc,
// metadata) next to the bare ffmpeg command line it runs, same source,
// same machine, one after the other, and prints both command lines and
// the wall and CPU times. bench/encode.sh runs it. LOCKSTREAM_BENCH_SPEED
// overrides the encoder speed preset (default: the preset's own).
func BenchmarkAdaptiveStreaming1080p(b *testing.B) {
	mediatest.Require(b)
	dir := filepath.Join(os.TempDir(), "lockstream-bench-encode")
	src := filepath.Join(dir, "src_1920x1080_60s.mp4")
	if _, err := os.Stat(src); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		mediatest.FFmpeg(b, dir, "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=60",
			"-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=60",
			"-c:v", "libx264", "-preset", "veryfast", "-b:v", "8M", "-maxrate", "8M", "-bufsize", "16M", "-pix_fmt", "yuv420p",
			"-c:a", "aac", "-b:a", "128k", "tmp.mp4")
		if err := os.Rename(filepath.Join(dir, "tmp.mp4"), src); err != nil {
			b.Fatal(err)
		}
	}
	e := &Encoder{Speed: os.Getenv("LOCKSTREAM_BENCH_SPEED")}
	if err := e.Initialize(); err != nil {
		b.Fatal(err)
	}
	preset := mustPresetB(b, `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`)
	ctx := context.Background()
	args, err := e.Args(ctx, Input{Path: src}, preset)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		// Bare ffmpeg: exactly the command Encode runs.
		bare := b.TempDir()
		cpu0, t0 := childCPU(), time.Now()
		cmd := exec.Command(e.ffmpeg(), args...)
		cmd.Dir = bare
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("bare ffmpeg: %v\n%s", err, out)
		}
		bareWall, bareCPU := time.Since(t0), childCPU()-cpu0

		out := b.TempDir()
		cpu0, t0 = childCPU(), time.Now()
		res, err := e.Encode(ctx, []Input{{Path: src}}, Output{Preset: preset, Dir: out, BaseName: "src"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		encWall, encCPU := time.Since(t0), childCPU()-cpu0

		fmt.Printf("ffmpeg %s\n\n", shellQuote(args))
		fmt.Printf("outputs: %s\n", strings.Join(res.Files, " "))
		fmt.Printf("%-26s wall %8.2fs  cpu %8.2fs\n", "bare ffmpeg", bareWall.Seconds(), bareCPU.Seconds())
		fmt.Printf("%-26s wall %8.2fs  cpu %8.2fs\n", "Encoder.Encode", encWall.Seconds(), encCPU.Seconds())
		fmt.Printf("%-26s wall %+7.1f%%  cpu %+7.1f%%\n", "overhead", 100*(encWall.Seconds()/bareWall.Seconds()-1), 100*(encCPU.Seconds()/bareCPU.Seconds()-1))
		b.ReportMetric(bareWall.Seconds(), "bare-wall-s")
		b.ReportMetric(encWall.Seconds(), "encode-wall-s")
		b.ReportMetric(bareCPU.Seconds(), "bare-cpu-s")
		b.ReportMetric(encCPU.Seconds(), "encode-cpu-s")
	}
}

func mustPresetB(b *testing.B, js string) *Preset {
	p, err := ParsePreset("preset", []byte(js))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " ;[]()'*,=:$") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			q[i] = a
		}
	}
	return strings.Join(q, " ")
}
