package encode

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/ism"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// TestAdaptiveStreaming encodes an 8 s 720p clip with the built-in
// AdaptiveStreaming preset and checks the result as a player and the
// origin would see it: five video-only layers from 720p down to 180p with
// bitrates near the plan, identical keyframe times every 2 s in closed
// GOPs, one audio-only AAC file, an .ism the origin parses and segments
// into aligned fragments, and an .ismc.
func TestAdaptiveStreaming(t *testing.T) {
	e := newEncoder(t)
	in := t.TempDir()
	src := makeClip(t, in, "clip.mp4", 8*time.Second, "1280x720", 3000)
	out := t.TempDir()
	var prog []int
	res, err := e.Encode(context.Background(), []Input{{Path: src}},
		Output{Preset: mustPreset(t, `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`), Dir: out, BaseName: "clip"},
		func(p int) { prog = append(prog, p) })
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	t.Logf("files: %v", res.Files)
	checkProgress(t, prog)

	srcInfo, err := e.Probe(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	plan := adaptiveLadder(720, 30, srcInfo.Video[0].BitRate)
	wantHeights := []int{720, 540, 360, 270, 180}
	if len(plan) != len(wantHeights) {
		t.Fatalf("ladder %v", plan)
	}
	var videos, audios []string
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".mp4") {
			if strings.HasPrefix(f, "clip_AACAudio_") {
				audios = append(audios, f)
			} else {
				videos = append(videos, f)
			}
		}
	}
	if len(videos) != 5 || len(audios) != 1 {
		t.Fatalf("want 5 video files and 1 audio file; got %v and %v", videos, audios)
	}
	var keys [][]int64
	for i, f := range videos {
		p := mediatest.Probe(t, filepath.Join(out, f))
		if len(p.Video()) != 1 || len(p.Audio()) != 0 {
			t.Fatalf("%s: %d video, %d audio streams; want a video-only file", f, len(p.Video()), len(p.Audio()))
		}
		v := p.Video()[0]
		if v.Height != wantHeights[i] || v.Width != even(wantHeights[i]*16/9) {
			t.Errorf("%s: %dx%d; want height %d at 16:9", f, v.Width, v.Height, wantHeights[i])
		}
		want := plan[i].kbps * 1000
		if v.BitRate > want*115/100 || v.BitRate < want*40/100 {
			t.Errorf("%s: %d bps; planned %d", f, v.BitRate, want)
		}
		if v.BitRate >= int(srcInfo.Video[0].BitRate) {
			t.Errorf("%s: %d bps is not below the source's %d", f, v.BitRate, srcInfo.Video[0].BitRate)
		}
		if !strings.HasPrefix(f, "clip_"+strconv.Itoa(v.Width)+"x"+strconv.Itoa(v.Height)+"_") {
			t.Errorf("%s: name does not follow {Basename}_{Resolution}_{Bitrate}", f)
		}
		keys = append(keys, keyTimes(t, filepath.Join(out, f)))
	}
	for i, k := range keys {
		if !slices.Equal(k, keys[0]) {
			t.Fatalf("keyframes of %s %v differ from %s %v", videos[i], k, videos[0], keys[0])
		}
	}
	if want := []int64{0, 2000, 4000, 6000}; !slices.Equal(keys[0], want) {
		t.Fatalf("keyframes at %v ms; want every 2 s: %v", keys[0], want)
	}
	a := mediatest.Probe(t, filepath.Join(out, audios[0]))
	if len(a.Video()) != 0 || len(a.Audio()) != 1 || a.Audio()[0].Codec != "aac" || a.Audio()[0].Channels != 2 {
		t.Fatalf("audio file streams %+v", a.Streams)
	}

	for _, f := range []string{"clip.ism", "clip.ismc", "clip_manifest.json", "clip_metadata.json"} {
		if !hasFile(res.Files, f) {
			t.Errorf("Result lacks %s", f)
		}
	}
	m, pres := loadISM(t, out, "clip.ism", 2*time.Second)
	if len(m.Entries) != 6 || m.Entries[5].Kind != ism.KindAudio || m.Entries[5].Language != "eng" {
		t.Fatalf(".ism entries %+v", m.Entries)
	}
	if len(pres.Video()) != 5 || len(pres.Audio()) != 1 {
		t.Fatalf("presentation has %d video and %d audio tracks", len(pres.Video()), len(pres.Audio()))
	}
	if len(pres.Boundaries) != 4 {
		t.Fatalf("segment boundaries %v; want 4 segments of 2 s", pres.Boundaries)
	}
	checkAligned(t, pres)
	ismc, err := os.ReadFile(filepath.Join(out, "clip.ismc"))
	if err != nil || !strings.Contains(string(ismc), "<SmoothStreamingMedia") {
		t.Fatalf(".ismc: %v %.200s", err, ismc)
	}
	// Nothing but the listed files is left behind.
	ents, _ := os.ReadDir(out)
	if len(ents) != len(res.Files) {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v; Result lists %v", names, res.Files)
	}
}

func checkProgress(t *testing.T, prog []int) {
	t.Helper()
	if len(prog) < 2 || prog[0] != 0 || prog[len(prog)-1] != 100 {
		t.Fatalf("progress %v; want 0 … 100", prog)
	}
	for i := 1; i < len(prog); i++ {
		if prog[i] <= prog[i-1] {
			t.Fatalf("progress %v is not increasing", prog)
		}
	}
}

// TestNotMedia: a text file as input fails fast with ContentMalformed and
// a message naming the file.
func TestNotMedia(t *testing.T) {
	e := newEncoder(t)
	in := filepath.Join(t.TempDir(), "notes.mp4")
	if err := os.WriteFile(in, []byte("these are meeting notes, not a video\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_, err := e.Encode(context.Background(), []Input{{Path: in}},
		Output{Preset: mustPreset(t, `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`), Dir: out, BaseName: "notes"}, nil)
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != CodeContentMalformed || ee.Category != "Content" || ee.Retry != "DoNotRetry" {
		t.Fatalf("err = %#v; want *Error ContentMalformed", err)
	}
	t.Logf("message: %s", ee.Message)
	if !strings.Contains(ee.Message, "notes.mp4") || strings.Contains(ee.Message, filepath.Dir(in)) || strings.Contains(ee.Message, " @ 0x") {
		t.Fatalf("message %q should name the file but not the scratch path", ee.Message)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatalf("output directory not empty: %v", ents)
	}
}

// customPreset is the StandardEncoderPreset of the acceptance
// test: two H.264 layers, AAC, PNG thumbnails and file name patterns.
const customPreset = `{
  "@odata.type": "#Microsoft.Media.StandardEncoderPreset",
  "codecs": [
    {"@odata.type": "#Microsoft.Media.AacAudio", "channels": 2, "samplingRate": 48000, "bitrate": 96000, "profile": "AacLc"},
    {"@odata.type": "#Microsoft.Media.H264Video", "keyFrameInterval": "PT2S", "sceneChangeDetection": false,
     "layers": [
       {"width": "640", "height": "360", "bitrate": 900000, "maxBitrate": 1000000, "bFrames": 2, "label": "HD", "profile": "High"},
       {"width": "50%", "height": "50%", "bitrate": 300000, "label": "SD", "profile": "Main"}
     ]},
    {"@odata.type": "#Microsoft.Media.PngImage", "start": "PT1S", "step": "PT2S", "range": "PT6S",
     "layers": [{"width": "320", "height": "180", "label": "thumb"}]}
  ],
  "formats": [
    {"@odata.type": "#Microsoft.Media.Mp4Format", "filenamePattern": "Video-{Basename}-{Label}-{Bitrate}{Extension}"},
    {"@odata.type": "#Microsoft.Media.PngFormat", "filenamePattern": "Thumbnail-{Basename}-{Index}{Extension}"}
  ]
}`

// TestStandardEncoderPreset checks a custom preset: file names follow
// the patterns, each layer has its size, profile and bitrate and carries
// the AAC audio (interleaved), thumbnails are taken at 1, 3, 5 and 7 s,
// and the output streams.
func TestStandardEncoderPreset(t *testing.T) {
	e := newEncoder(t)
	// ultrafast turns CABAC and 8x8 transforms off, which caps every
	// stream at Constrained Baseline; superfast keeps the profiles apart.
	e.Speed = "superfast"
	in := t.TempDir()
	src := makeClip(t, in, "My Clip.mp4", 8*time.Second, "640x360", 1500)
	out := t.TempDir()
	var prog []int
	res, err := e.Encode(context.Background(), []Input{{Path: src}},
		Output{Preset: mustPreset(t, customPreset), Dir: out, BaseName: "My Clip"}, func(p int) { prog = append(prog, p) })
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	checkProgress(t, prog)
	want := []string{"Video-My Clip-HD-900.mp4", "Video-My Clip-SD-300.mp4",
		"Thumbnail-My Clip-000001.png", "Thumbnail-My Clip-000002.png", "Thumbnail-My Clip-000003.png", "Thumbnail-My Clip-000004.png",
		"My Clip.ism", "My Clip.ismc", "My Clip_manifest.json", "My Clip_metadata.json"}
	if !slices.Equal(res.Files, want) {
		t.Fatalf("files %q\nwant %q", res.Files, want)
	}
	for _, c := range []struct {
		name          string
		w, h          int
		profile       string
		bitrate       int
		bframesBefore bool
	}{{want[0], 640, 360, "High", 900000, true}, {want[1], 320, 180, "Main", 300000, true}} {
		p := mediatest.Probe(t, filepath.Join(out, c.name))
		if len(p.Video()) != 1 || len(p.Audio()) != 1 {
			t.Fatalf("%s: %d video %d audio; want one each (interleaved)", c.name, len(p.Video()), len(p.Audio()))
		}
		v, a := p.Video()[0], p.Audio()[0]
		if v.Width != c.w || v.Height != c.h || v.Profile != c.profile {
			t.Errorf("%s: %dx%d %s; want %dx%d %s", c.name, v.Width, v.Height, v.Profile, c.w, c.h, c.profile)
		}
		if v.BitRate > c.bitrate*125/100 || v.BitRate < c.bitrate*40/100 {
			t.Errorf("%s: %d bps; want about %d", c.name, v.BitRate, c.bitrate)
		}
		if a.Codec != "aac" || a.Channels != 2 || a.SampleRate != 48000 || a.BitRate > 110000 || a.BitRate < 80000 {
			t.Errorf("%s audio: %+v", c.name, a)
		}
		if k := keyTimes(t, filepath.Join(out, c.name)); !slices.Equal(k, []int64{0, 2000, 4000, 6000}) {
			t.Errorf("%s: keyframes %v", c.name, k)
		}
	}
	for i := 2; i < 6; i++ {
		p := mediatest.Probe(t, filepath.Join(out, want[i]))
		if len(p.Video()) != 1 || p.Video()[0].Codec != "png" || p.Video()[0].Width != 320 || p.Video()[0].Height != 180 {
			t.Fatalf("%s: %+v", want[i], p.Streams)
		}
	}
	// Each thumbnail is the frame at its time: testsrc2 draws a moving
	// pattern, so the four images differ.
	seen := map[string]bool{}
	for i := 2; i < 6; i++ {
		b, err := os.ReadFile(filepath.Join(out, want[i]))
		if err != nil {
			t.Fatal(err)
		}
		seen[string(b)] = true
	}
	if len(seen) != 4 {
		t.Fatalf("thumbnails are not four different frames")
	}
	m, pres := loadISM(t, out, "My Clip.ism", 2*time.Second)
	if len(m.Entries) != 3 || len(pres.Video()) != 2 || len(pres.Audio()) != 1 {
		t.Fatalf(".ism entries %+v", m.Entries)
	}
	// The audio entry points at the smaller file, as AMS did.
	if m.Entries[2].Src != want[1] {
		t.Errorf("audio taken from %s; want the lowest layer %s", m.Entries[2].Src, want[1])
	}
	checkAligned(t, pres)
}

// TestCancel cancels an encode as soon as ffmpeg reports progress:
// Encode returns the context's error, no ffmpeg is left running in the
// output directory and no temporary file stays behind.
func TestCancel(t *testing.T) {
	e := newEncoder(t)
	e.Speed = "" // the preset's real speed: slow enough to be caught mid-run
	in := t.TempDir()
	src := makeClip(t, in, "long.mp4", 30*time.Second, "1280x720", 3000)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last int
	_, err := e.Encode(ctx, []Input{{Path: src}},
		Output{Preset: mustPreset(t, `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`), Dir: out, BaseName: "long"},
		func(p int) {
			last = p
			if p > 0 {
				cancel()
			}
		})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v after progress %d; want context.Canceled", err, last)
	}
	if last >= 100 {
		t.Fatalf("the encode finished before it was cancelled")
	}
	if ps := processesIn(out); len(ps) > 0 {
		t.Fatalf("processes still running in the output directory: %v", ps)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("left behind: %v", names)
	}
}

// TestTruncatedInput: an MP4 cut in half (an interrupted upload) still
// probes, and ffmpeg would encode the first half without failing; Encode
// reports ContentMalformed instead of a short output.
func TestTruncatedInput(t *testing.T) {
	e := newEncoder(t)
	dir := t.TempDir()
	src, _ := mediatest.Make(t, dir, "whole.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=4",
		"-f", "lavfi", "-i", "sine=duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.mp4")
	if err := os.WriteFile(cut, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_, err = e.Encode(context.Background(), []Input{{Path: cut}},
		Output{Preset: mustPreset(t, `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"H264SingleBitrateSD"}`), Dir: out, BaseName: "cut"}, nil)
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != CodeContentMalformed || !strings.Contains(ee.Message, "truncated") {
		t.Fatalf("err = %v; want ContentMalformed (truncated)", err)
	}
	t.Logf("message: %s", ee.Message)
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatalf("left behind %d files", len(ents))
	}
}
