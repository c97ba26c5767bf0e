package media_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// FuzzParseFile feeds arbitrary bytes (seeded with real progressive and
// fragmented files, truncated and bit-flipped) to the MP4 reader and, when
// it accepts them, to the timeline and segment reader: errors are fine,
// panics and out-of-range reads are not.
func FuzzParseFile(f *testing.F) {
	if bin, err := exec.LookPath("ffmpeg"); err == nil {
		dir := f.TempDir()
		for i, extra := range [][]string{{"-movflags", "+faststart"}, {"-movflags", "+frag_keyframe+empty_moov+default_base_moof"}} {
			p := filepath.Join(dir, "seed.mp4")
			args := append([]string{"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x36:rate=10", "-f", "lavfi", "-i", "sine=sample_rate=8000",
				"-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-g", "5", "-c:a", "aac", "-b:a", "16k"}, extra...)
			if out, err := exec.Command(bin, append(args, p)...).CombinedOutput(); err != nil {
				f.Fatalf("ffmpeg seed %d: %v %s", i, err, out)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			f.Add(b[:len(b)/2])
			flipped := bytes.Clone(b)
			flipped[len(flipped)/3] ^= 0xff
			f.Add(flipped)
		}
	} else if os.Getenv("CI") != "" {
		f.Fatal("ffmpeg not found (apt-get install -y ffmpeg)")
	}
	f.Add([]byte{0, 0, 0, 8, 'm', 'o', 'o', 'v'})
	f.Add([]byte{0, 0, 0, 1, 'm', 'o', 'o', 'f', 0, 0, 0, 0, 0, 0, 0, 16})
	f.Fuzz(func(t *testing.T, data []byte) {
		src := mediatest.MemSource(data)
		ctx := context.Background()
		tracks, err := media.ParseFile(ctx, src, "f.mp4", int64(len(data)))
		if err != nil {
			if !errors.Is(err, media.ErrMalformed) && !errors.Is(err, media.ErrUnsupported) && !errors.Is(err, media.ErrEncrypted) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		p, err := media.Load(ctx, src, []media.Ref{{File: "f.mp4", Size: int64(len(data))}}, media.Options{TargetDuration: time.Second})
		if err != nil {
			return
		}
		_ = tracks
		for _, tr := range p.Tracks {
			for k := range tr.Segments {
				d, err := media.ReadSegment(ctx, src, tr, k)
				if err != nil {
					continue
				}
				if fr, err := cmaf.Fragment(d, 1); err == nil {
					_, _ = cmaf.FragmentBytes(fr, true)
				}
			}
			_, _ = cmaf.Init(tr)
		}
	})
}
