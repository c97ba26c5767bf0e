package encode

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// Planning tests: presets → layers and ffmpeg arguments, without running
// ffmpeg. The probed sources are written out as ffprobe would report them.

func videoSource(w, h, fpsNum, fpsDen int, bps int64, audio bool) source {
	info := &SourceInfo{Duration: 60 * time.Second, Video: []StreamInfo{{Codec: "h264", Width: w, Height: h, FPSNum: fpsNum, FPSDen: fpsDen, BitRate: bps}}}
	if audio {
		info.Audio = []StreamInfo{{Codec: "aac", Channels: 2, SampleRate: 48000, BitRate: 128000, Language: "eng"}}
	}
	return source{info: info, duration: info.Duration}
}

func builtin(t *testing.T, name string, src source, probeKbps float64) *plan {
	t.Helper()
	p, err := resolveBuiltIn(&defs.BuiltInStandardEncoderPreset{PresetName: name}, src, probeKbps)
	if err != nil {
		t.Fatal(err)
	}
	p.prepare(src.info)
	return p
}

type layer struct{ w, h, kbps int }

func layers(p *plan) []layer {
	var out []layer
	for _, v := range p.videos {
		out = append(out, layer{v.w, v.h, v.bitrate / 1000})
	}
	return out
}

// near compares ladders allowing 2 % on bitrates (the documented AMS
// ladders are rounded).
func near(a, b []layer) bool {
	return slices.EqualFunc(a, b, func(x, y layer) bool {
		return x.w == y.w && x.h == y.h && math.Abs(float64(x.kbps-y.kbps)) <= 0.02*float64(y.kbps)
	})
}

// TestAdaptiveLadders reproduces the three documented AdaptiveStreaming
// results (encoding-and-events.md §1.2).
func TestAdaptiveLadders(t *testing.T) {
	for _, c := range []struct {
		name string
		src  source
		want []layer
	}{
		{"1080p 29.97", videoSource(1920, 1080, 30000, 1001, 12_000_000, true),
			[]layer{{1920, 1080, 6780}, {1280, 720, 3520}, {960, 540, 2210}, {640, 360, 1150}, {480, 270, 720}, {320, 180, 380}}},
		{"720p 23.97", videoSource(1280, 720, 24000, 1001, 5_000_000, true),
			[]layer{{1280, 720, 2940}, {960, 540, 1850}, {640, 360, 960}, {480, 270, 600}, {320, 180, 320}}},
		{"360p 29.97 at 800 kbps", videoSource(640, 360, 30000, 1001, 800_000, true),
			[]layer{{640, 360, 700}, {480, 270, 440}, {320, 180, 230}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := builtin(t, defs.PresetAdaptiveStreaming, c.src, 0)
			if got := layers(p); !near(got, c.want) {
				t.Fatalf("ladder %v; want %v", got, c.want)
			}
			// Non-interleaved: one video-only file per layer and one
			// audio-only file.
			if len(p.files) != len(c.want)+1 {
				t.Fatalf("%d files", len(p.files))
			}
			for i, f := range p.files[:len(c.want)] {
				if len(f.audios) != 0 || !slices.Equal(f.videos, []int{i}) || f.pattern != patternVideoOnly {
					t.Fatalf("file %d %+v", i, f)
				}
			}
			if a := p.files[len(c.want)]; len(a.videos) != 0 || len(a.audios) != 1 || p.audios[0].bitrate != 128000 || p.audios[0].channels != 2 {
				t.Fatalf("audio file %+v", a)
			}
		})
	}
}

func TestFixedLaddersAndAspect(t *testing.T) {
	p := builtin(t, defs.PresetH264MultipleBitrate720p, videoSource(1920, 1080, 25, 1, 0, true), 0)
	want := []layer{{1280, 720, 3400}, {960, 540, 2250}, {960, 540, 1500}, {640, 360, 1000}, {640, 360, 650}, {320, 180, 400}}
	if got := layers(p); !slices.Equal(got, want) {
		t.Fatalf("ladder %v", got)
	}
	for i, f := range p.files {
		if len(f.audios) != 1 || f.pattern != patternInterleaved || !slices.Equal(f.videos, []int{i}) {
			t.Fatalf("H264MultipleBitrate files must be interleaved: %+v", f)
		}
	}
	// A 4:3 source keeps its shape inside each rung's box (AutoSize).
	p = builtin(t, defs.PresetH264SingleBitrate720p, videoSource(1440, 1080, 25, 1, 0, true), 0)
	if got := layers(p); !slices.Equal(got, []layer{{960, 720, 4500}}) {
		t.Fatalf("4:3 in a 720p box: %v", got)
	}
	// A portrait phone video (rotation metadata) is laid out upright, the
	// preset's 720 lines bounding its short side.
	src := videoSource(1920, 1080, 30, 1, 0, true)
	src.info.Video[0].Rotation = 90
	p = builtin(t, defs.PresetH264SingleBitrate720p, src, 0)
	if got := layers(p); !slices.Equal(got, []layer{{720, 1280, 4500}}) {
		t.Fatalf("portrait: %v", got)
	}
	// Portrait video gets the ladder turned upright, by its short side.
	p = builtin(t, defs.PresetAdaptiveStreaming, videoSource(1080, 1920, 30, 1, 12_000_000, true), 0)
	if got := layers(p); len(got) != 6 || got[0].w != 1080 || got[0].h != 1920 || got[5].w != 180 || got[5].h != 320 {
		t.Fatalf("portrait ladder: %v", got)
	}
	// Without a stream bitrate (MPEG-TS), the container's minus the audio
	// caps the ladder: 1.2 Mb/s in, top rung at 0.875 × 1.072 Mb/s.
	src = videoSource(1280, 720, 30, 1, 0, true)
	src.info.BitRate = 1_200_000
	p = builtin(t, defs.PresetAdaptiveStreaming, src, 0)
	if top := p.videos[0].bitrate; top < 930_000 || top > 940_000 {
		t.Fatalf("top rung %d bps from a 1.2 Mb/s TS", top)
	}
	// Never upscaled: an SD source gets its own size from a 1080p preset.
	p = builtin(t, defs.PresetH264SingleBitrate1080p, videoSource(640, 360, 30, 1, 0, true), 0)
	if got := layers(p); !slices.Equal(got, []layer{{640, 360, 6750}}) {
		t.Fatalf("small source: %v", got)
	}
	if _, err := resolveBuiltIn(&defs.BuiltInStandardEncoderPreset{PresetName: defs.PresetAACGoodQualityAudio}, videoSource(640, 360, 30, 1, 0, false), 0); err == nil {
		t.Fatal("AACGoodQualityAudio accepted a video-only input")
	}
	if _, err := resolveBuiltIn(&defs.BuiltInStandardEncoderPreset{PresetName: defs.PresetAdaptiveStreaming}, source{info: &SourceInfo{Audio: []StreamInfo{{Codec: "aac"}}}}, 0); err == nil {
		t.Fatal("AdaptiveStreaming accepted an audio-only input")
	}
}

// TestCAELadder: busier content gets more bits; configurations bound the
// ladder.
func TestCAELadder(t *testing.T) {
	easy := caeLadder(1080, 150, caeLimits{})
	hard := caeLadder(1080, 900, caeLimits{})
	if easy[0].kbps >= hard[0].kbps {
		t.Fatalf("easy top %d kbps ≥ hard top %d", easy[0].kbps, hard[0].kbps)
	}
	for _, l := range [][]rung{easy, hard} {
		for i := 1; i < len(l); i++ {
			if float64(l[i-1].kbps) < 1.6*float64(l[i].kbps) || l[i].h > l[i-1].h {
				t.Fatalf("rungs too close or not descending: %v", l)
			}
		}
	}
	lim := caeLimits{maxKbps: 3000, minKbps: 400, maxH: 720, minH: 360, maxLayers: 2}
	l := caeLadder(1080, 900, lim)
	if len(l) == 0 || len(l) > 2 {
		t.Fatalf("maxLayers 2: %v", l)
	}
	for _, r := range l {
		if r.h > 720 || r.h < 360 || r.kbps > 3000 || r.kbps < 400 {
			t.Fatalf("rung %v outside the configurations %+v", r, lim)
		}
	}
	if l := caeLadder(1080, 900, caeLimits{maxLayers: 1}); len(l) != 1 || l[0].h != 1080 {
		t.Fatalf("maxLayers 1: %v", l)
	}
	// A source below every floor still gets one layer.
	if l := caeLadder(240, 50, caeLimits{minKbps: 2000}); len(l) != 1 {
		t.Fatalf("poor source: %v", l)
	}
	p, err := resolveBuiltIn(&defs.BuiltInStandardEncoderPreset{PresetName: defs.PresetContentAwareEncoding,
		Configurations: &defs.PresetConfigurations{KeyFrameIntervalInSeconds: ptr[float32](4), InterleaveOutput: "NonInterleavedOutput", MaxLayers: ptr[int32](3)}},
		videoSource(1920, 1080, 30, 1, 0, true), 600)
	if err != nil {
		t.Fatal(err)
	}
	if p.gop != 4*time.Second || p.videos[0].gop != 4*time.Second || len(p.videos) > 3 || len(p.files) != len(p.videos)+1 {
		t.Fatalf("CAE plan gop %v, %d videos, %d files", p.gop, len(p.videos), len(p.files))
	}
}

func ptr[T any](v T) *T { return &v }

// TestArgsAlignment: every layer of one run gets the same keyframe
// schedule, closed GOPs, no scene-cut keyframes, and the source is split
// once in a single filter graph.
func TestArgsAlignment(t *testing.T) {
	for _, name := range []string{defs.PresetAdaptiveStreaming, defs.PresetH265AdaptiveStreaming} {
		src := videoSource(1920, 1080, 30000, 1001, 12_000_000, true)
		p := builtin(t, name, src, 0)
		a := p.args("in.mp4", nil, runOpts{threads: 2, fpsNum: 30000, fpsDen: 1001, duration: src.duration})
		joined := strings.Join(a, " ")
		if n := strings.Count(joined, "-filter_complex"); n != 1 {
			t.Fatalf("%s: %d filter graphs", name, n)
		}
		graph := a[slices.Index(a, "-filter_complex")+1]
		if !strings.Contains(graph, "split=6[s0][s1][s2][s3][s4][s5]") {
			t.Fatalf("%s: graph %s", name, graph)
		}
		for j := range 6 {
			if !slices.Contains(a, "[v"+strconv.Itoa(j)+"]") {
				t.Fatalf("layer %d not mapped", j)
			}
		}
		for _, opt := range []string{"-force_key_frames:v:0", "-g:v:0", "-keyint_min:v:0", "-sc_threshold:v:0", "-forced-idr:v:0", "-flags:v:0"} {
			if n := count(a, opt); n != 6 {
				t.Fatalf("%s: %s appears %d times; want once per layer", name, opt, n)
			}
		}
		if v := valuesOf(a, "-force_key_frames:v:0"); !allEqual(v) || v[0] != "expr:gte(t,n_forced*2)" {
			t.Fatalf("keyframe expressions %v", v)
		}
		// 2 s at 29.97 fps is 59.94 frames: the GOP may not exceed 60.
		if v := valuesOf(a, "-g:v:0"); !allEqual(v) || v[0] != "60" {
			t.Fatalf("-g %v", v)
		}
		params := "-x264-params:v:0"
		if name == defs.PresetH265AdaptiveStreaming {
			params = "-x265-params:v:0"
		}
		for _, v := range valuesOf(a, params) {
			if !strings.Contains(v, "scenecut=0") || !strings.Contains(v, "open-gop=0") {
				t.Fatalf("%s %s", params, v)
			}
		}
		if count(a, "+faststart") != 7 || count(a, "-map") != 7 {
			t.Fatalf("%s: want 7 MP4s (6 video-only, 1 audio): %s", name, joined)
		}
		if name == defs.PresetH265AdaptiveStreaming && count(a, "hev1") != 6 {
			t.Fatalf("HEVC not tagged hev1: %s", joined)
		}
	}
}

// TestArgsStandard: a custom preset's layer settings reach the encoder.
func TestArgsStandard(t *testing.T) {
	pr := mustPreset(t, `{"@odata.type":"#Microsoft.Media.StandardEncoderPreset",
	  "codecs":[{"@odata.type":"#Microsoft.Media.H264Video","keyFrameInterval":"PT4S","rateControlMode":"CBR","complexity":"Quality",
	     "layers":[{"bitrate":2000000,"width":"1280","height":"1280","bFrames":0,"referenceFrames":4,"level":"4.1","profile":"High","entropyMode":"Cavlc","bufferWindow":"PT2S","frameRate":"25","slices":2}]},
	    {"@odata.type":"#Microsoft.Media.AacAudio","bitrate":64000,"channels":1,"samplingRate":44100,"label":"mono"},
	    {"@odata.type":"#Microsoft.Media.JpgImage","start":"{Best}","layers":[{"width":"25%","height":"25%","quality":90}]}],
	  "formats":[{"@odata.type":"#Microsoft.Media.TransportStreamFormat","filenamePattern":"{Basename}{Extension}"},
	    {"@odata.type":"#Microsoft.Media.JpgFormat","filenamePattern":"{Basename}_{Index}{Extension}"}],
	  "filters":{"crop":{"left":"10%","top":"0","width":"80%","height":"100%"},"rotation":"Rotate90","deinterlace":{"parity":"TopFieldFirst","mode":"AutoPixelAdaptive"}}}`)
	src := videoSource(1920, 1080, 30, 1, 0, true)
	p, err := resolveStandard(pr.Definition().Standard, src)
	if err != nil {
		t.Fatal(err)
	}
	p.prepare(src.info)
	a := p.args("in.mp4", nil, runOpts{threads: 2, fpsNum: 30, fpsDen: 1, duration: src.duration})
	joined := strings.Join(a, " ")
	for _, want := range []string{
		"-noautorotate", "yadif=mode=0:parity=0:deint=1", "transpose=clock", "crop=864:1920:108:0",
		"-b:v:0 2000000 -minrate:v:0 2000000", "-maxrate:v:0 2000000 -bufsize:v:0 4000000", "nal-hrd=cbr",
		"-bf:v:0 0", "-refs:v:0 4", "-slices:v:0 2", "-coder:v:0 0", "-profile:v:0 high", "-level:v:0 4.1",
		"-preset:v:0 slow", "fps=25/1", "-g:v:0 100", "gte(t,n_forced*4)",
		"-c:a:0 aac -b:a:0 64000 -ac:a:0 1 -ar:a:0 44100", "-f mpegts",
		"thumbnail=n=300", "-c:v mjpeg -q:v 5", "-frames:v 1",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("missing %q in\n%s", want, joined)
		}
	}
	// AutoSize: a 1280x1280 box over the rotated (1080x1920), cropped 864x1920
	// picture gives 576x1280.
	if v := p.videos[0]; v.w != 576 || v.h != 1280 {
		t.Errorf("layer %dx%d; want 576x1280", v.w, v.h)
	}
}

func TestThumbSchedule(t *testing.T) {
	for _, c := range []struct {
		start, step, rng string
		count            int
		first, every     time.Duration
	}{
		{"PT1S", "PT2S", "PT6S", 4, time.Second, 2 * time.Second},
		{"0", "", "", 10, 0, 6 * time.Second},               // defaults: step 10 %, range 100 %
		{"10%", "30", "1", 1, 6 * time.Second, time.Second}, // range "1": one image
		{"PT0S", "25%", "50%", 3, 0, 15 * time.Second},
	} {
		codec := &defs.Codec{Start: c.start, Step: c.step, Range: c.rng}
		best, start, step, count, err := thumbSchedule(codec, 60*time.Second, 30, 1)
		if err != nil || best || count != c.count || start != c.first || step != c.every {
			t.Errorf("%+v: start %v step %v count %d err %v", c, start, step, count, err)
		}
	}
	if best, _, _, n, _ := thumbSchedule(&defs.Codec{Start: "{Best}"}, time.Minute, 30, 1); !best || n != 1 {
		t.Error("{Best}")
	}
	if _, _, _, _, err := thumbSchedule(&defs.Codec{Start: "PT2M"}, time.Minute, 30, 1); err == nil {
		t.Error("start past the end accepted")
	}
}

func count(a []string, s string) int {
	n := 0
	for _, x := range a {
		if x == s {
			n++
		}
	}
	return n
}

func valuesOf(a []string, opt string) []string {
	var out []string
	for i, x := range a {
		if x == opt && i+1 < len(a) {
			out = append(out, a[i+1])
		}
	}
	return out
}

func allEqual(v []string) bool {
	for _, x := range v {
		if x != v[0] {
			return false
		}
	}
	return len(v) > 0
}

func TestSafeNames(t *testing.T) {
	for in, want := range map[string]string{"clip": "clip", "a/b": "a_b", "..hidden": "hidden", "": "output", "x\ny": "x_y", "Müller's take 2": "Müller's take 2"} {
		if got := safeBase(in); got != want {
			t.Errorf("safeBase(%q) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"eng": "eng", "en-US": "en-US", "und": "und", "": "", `e"g`: "", "english language": "", "x": ""} {
		if got := language(in); got != want {
			t.Errorf("language(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestInitializeMissing(t *testing.T) {
	e := &Encoder{FFmpeg: filepath.Join(t.TempDir(), "no-ffmpeg")}
	if err := e.Initialize(); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("Initialize with a missing ffmpeg: %v", err)
	}
	if e.Version() != "" {
		t.Fatal("version set without ffmpeg")
	}
	if _, err := e.Encode(context.Background(), nil, Output{}, nil); err == nil {
		t.Fatal("Encode ran on an uninitialized encoder")
	}
	e = newEncoder(t)
	if !strings.HasPrefix(e.Version(), "ffmpeg version ") {
		t.Fatalf("Version %q", e.Version())
	}
}
