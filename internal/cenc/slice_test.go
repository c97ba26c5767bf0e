package cenc

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/hevc"

	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// TestSliceHeaderSizes compares the slice header sizes of cenc's parsers
// with those of mp4ff's (which Bento4 agrees with) on every slice of
// encodes that exercise the header's optional parts: multiple slices per
// picture, several references with weighted prediction, B-pyramids
// (reference list reordering, memory management), interlaced coding,
// CAVLC, and for H.265 multiple slices, weighted prediction and
// wavefront entry points.
func TestSliceHeaderSizes(t *testing.T) {
	mediatest.Require(t)
	src := []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30,noise=alls=8:allf=t", "-t", "2", "-pix_fmt", "yuv420p"}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"h264-high-refs-weighted-slices", []string{"-c:v", "libx264", "-preset", "medium", "-profile:v", "high",
			"-x264-params", "ref=4:bframes=3:b-pyramid=normal:weightp=2:weightb=1:slices=3:keyint=30"}},
		{"h264-interlaced", []string{"-c:v", "libx264", "-preset", "fast", "-x264-params", "interlaced=1:bframes=2:ref=3:keyint=30"}},
		{"h264-baseline-cavlc", []string{"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline", "-x264-params", "slices=2:ref=3:keyint=30"}},
		{"h265-weighted-slices", []string{"-c:v", "libx265", "-preset", "fast", "-tag:v", "hvc1",
			"-x265-params", "weightp=1:weightb=1:ref=4:bframes=4:slices=2:keyint=30:log-level=error"}},
		{"h265-wpp", []string{"-c:v", "libx265", "-preset", "medium", "-tag:v", "hvc1",
			"-x265-params", "wpp=1:bframes=3:b-pyramid=1:keyint=30:log-level=error"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mediatest.FFmpeg(t, dir, append(append(append([]string{}, src...), tc.args...), "-movflags", "+faststart", "v.mp4")...)
			st, err := os.Stat(filepath.Join(dir, "v.mp4"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := media.Load(context.Background(), mediatest.NewDirSource(dir), []media.Ref{{File: "v.mp4", Size: st.Size()}}, media.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tr := p.Video()[0]
			init, err := cmaf.Init(tr)
			if err != nil {
				t.Fatal(err)
			}
			pr, err := NewProtection(init, Params{Scheme: CBCS})
			if err != nil {
				t.Fatal(err)
			}
			slices := 0
			for k := range tr.Segments {
				d, err := media.ReadSegment(context.Background(), mediatest.NewDirSource(dir), tr, k)
				if err != nil {
					t.Fatal(err)
				}
				for i := range d.Samples {
					for b := d.SampleBytes(i); len(b) > 4; {
						n := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
						nal := b[4 : 4+n]
						b = b[4+n:]
						if !pr.isSlice(nal[0]) {
							continue
						}
						slices++
						got, err := pr.ps.sliceHeaderSize(nal, pr.media)
						if err != nil {
							t.Fatalf("sample %d: %v", i, err)
						}
						var want uint32
						if pr.media == h264 {
							sh, err := avc.ParseSliceHeader(nal, pr.ps.avcSPS, pr.ps.avcPPS)
							if err != nil {
								t.Fatal(err)
							}
							want = sh.Size
						} else {
							sh, err := hevc.ParseSliceHeader(nal, pr.ps.hevcSPS, pr.ps.hevcPPS)
							if err != nil {
								t.Fatal(err)
							}
							want = sh.Size
						}
						if got != int(want) {
							t.Fatalf("segment %d sample %d: slice header of %d bytes, mp4ff says %d", k, i, got, want)
						}
					}
				}
			}
			t.Logf("%d slices", slices)
		})
	}
}
