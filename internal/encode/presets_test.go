package encode

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// More built-in and custom presets through real ffmpeg, on small clips.

func encodeWith(t *testing.T, e *Encoder, in []Input, base, preset string) (string, *Result) {
	t.Helper()
	out := t.TempDir()
	res, err := e.Encode(context.Background(), in, Output{Preset: mustPreset(t, preset), Dir: out, BaseName: base}, nil)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return out, res
}

// TestContentAwareEncoding: the complexity probe runs, the ladder honours
// configurations (height, layer count, bitrate bounds, 3 s GOP,
// non-interleaved) and the result streams with aligned segments.
func TestContentAwareEncoding(t *testing.T) {
	e := newEncoder(t)
	src := makeClip(t, t.TempDir(), "cae.mp4", 9*time.Second, "960x540", 2500)
	out, res := encodeWith(t, e, []Input{{Path: src}}, "cae", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"ContentAwareEncoding",
		"configurations":{"maxHeight":540,"minHeight":270,"maxLayers":2,"maxBitrateBps":1500000,"minBitrateBps":150000,"keyFrameIntervalInSeconds":3,"interleaveOutput":"NonInterleavedOutput"}}`)
	var videos []string
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".mp4") && !strings.Contains(f, "AACAudio") {
			videos = append(videos, f)
		}
	}
	if len(videos) == 0 || len(videos) > 2 || !hasFile(res.Files, "cae_AACAudio_128.mp4") {
		t.Fatalf("files %v", res.Files)
	}
	var keys []int64
	for i, f := range videos {
		p := mediatest.Probe(t, filepath.Join(out, f))
		v := p.Video()[0]
		if len(p.Audio()) != 0 || v.Height > 540 || v.Height < 270 || v.BitRate > 1500000*115/100 {
			t.Fatalf("%s: %dx%d %d bps, %d audio streams", f, v.Width, v.Height, v.BitRate, len(p.Audio()))
		}
		k := keyTimes(t, filepath.Join(out, f))
		if i == 0 {
			keys = k
		} else if !slices.Equal(k, keys) {
			t.Fatalf("keyframes differ: %v %v", k, keys)
		}
	}
	if !slices.Equal(keys, []int64{0, 3000, 6000}) {
		t.Fatalf("keyframes %v; want every 3 s", keys)
	}
	_, pres := loadISM(t, out, "cae.ism", 3*time.Second)
	checkAligned(t, pres)
}

// TestSingleBitrateHEVCAndAudio: H265SingleBitrate720p writes one
// interleaved HEVC (hev1) + AAC file the origin can package;
// AACGoodQualityAudio an audio-only file at 192 kb/s.
func TestSingleBitrateHEVCAndAudio(t *testing.T) {
	e := newEncoder(t)
	src := makeClip(t, t.TempDir(), "h.mp4", 4*time.Second, "640x360", 1000)
	out, res := encodeWith(t, e, []Input{{Path: src}}, "h", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"H265SingleBitrate720p"}`)
	var mp4s []string
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".mp4") {
			mp4s = append(mp4s, f)
		}
	}
	if len(mp4s) != 1 || !strings.HasPrefix(mp4s[0], "h_640x360_AACAudio_") {
		t.Fatalf("files %v", res.Files)
	}
	p := mediatest.Probe(t, filepath.Join(out, mp4s[0]))
	if len(p.Video()) != 1 || p.Video()[0].Codec != "hevc" || p.Video()[0].Tag != "hev1" || len(p.Audio()) != 1 {
		t.Fatalf("streams %+v", p.Streams)
	}
	_, pres := loadISM(t, out, "h.ism", 2*time.Second)
	if len(pres.Video()) != 1 || !strings.HasPrefix(pres.Video()[0].Codec, "hev1") {
		t.Fatalf("presentation video %+v", pres.Video())
	}

	out, res = encodeWith(t, e, []Input{{Path: src}}, "h", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AACGoodQualityAudio"}`)
	if !hasFile(res.Files, "h_AACAudio_192.mp4") {
		t.Fatalf("files %v", res.Files)
	}
	p = mediatest.Probe(t, filepath.Join(out, "h_AACAudio_192.mp4"))
	if len(p.Video()) != 0 || len(p.Audio()) != 1 || p.Audio()[0].BitRate < 150000 {
		t.Fatalf("streams %+v", p.Streams)
	}
}

// TestCopyAllBitrateNonInterleaved: no re-encoding; the video and audio
// streams land in separate files with the source's packets, and a clip
// (start/end) cuts the copy.
func TestCopyAllBitrateNonInterleaved(t *testing.T) {
	e := newEncoder(t)
	src := makeClip(t, t.TempDir(), "c.mp4", 6*time.Second, "320x180", 400)
	out, res := encodeWith(t, e, []Input{{Path: src}}, "c", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"CopyAllBitrateNonInterleaved"}`)
	var mp4s []string
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".mp4") {
			mp4s = append(mp4s, f)
		}
	}
	if len(mp4s) != 2 || !strings.HasPrefix(mp4s[0], "c_320x180_") || !strings.HasPrefix(mp4s[1], "c_Audio1_") {
		t.Fatalf("files %v", res.Files)
	}
	if a, b := videoPackets(t, src), videoPackets(t, filepath.Join(out, mp4s[0])); len(a) != len(b) {
		t.Fatalf("copy has %d video packets; source %d", len(b), len(a))
	}
	loadISM(t, out, "c.ism", 2*time.Second)
}

// TestClipAndOverlay: AbsoluteClipTime start/end cut the input, a PNG
// logo is overlaid at a position in percent, a second audio input is
// mixed in, and {Best} gives one JPEG thumbnail.
func TestClipAndOverlay(t *testing.T) {
	e := newEncoder(t)
	dir := t.TempDir()
	src := makeClip(t, dir, "main.mp4", 8*time.Second, "640x360", 800)
	logo, _ := mediatest.Make(t, dir, "logo.png", "-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1")
	music, _ := mediatest.Make(t, dir, "music.m4a", "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000:duration=3", "-c:a", "aac")
	preset := `{"@odata.type":"#Microsoft.Media.StandardEncoderPreset",
	  "codecs":[{"@odata.type":"#Microsoft.Media.H264Video","layers":[{"bitrate":500000,"label":"v"}]},{"@odata.type":"#Microsoft.Media.AacAudio","label":"a"},
	    {"@odata.type":"#Microsoft.Media.JpgImage","start":"{Best}","layers":[{"width":"50%","height":"50%","quality":85}]}],
	  "formats":[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"{Basename}_{Label}{Extension}","outputFiles":[{"labels":["v","a"]}]},
	    {"@odata.type":"#Microsoft.Media.JpgFormat","filenamePattern":"{Basename}_best{Extension}"}],
	  "filters":{"overlays":[
	    {"@odata.type":"#Microsoft.Media.VideoOverlay","inputLabel":"logo","position":{"left":"50%","top":"50%","width":"64","height":"64"},"opacity":1},
	    {"@odata.type":"#Microsoft.Media.AudioOverlay","inputLabel":"music","audioGainLevel":0.5,"start":"PT1S"}]}}`
	out, res := encodeWith(t, e, []Input{{Path: src, Start: 2 * time.Second, End: 6 * time.Second}, {Path: logo, Label: "logo"}, {Path: music, Label: "music"}}, "main", preset)
	if !hasFile(res.Files, "main_v.mp4") || !hasFile(res.Files, "main_best.jpg") || slices.ContainsFunc(res.Files, func(f string) bool { return strings.HasSuffix(f, ".jpg") && f != "main_best.jpg" }) {
		t.Fatalf("files %v; want main_v.mp4 and one thumbnail main_best.jpg", res.Files)
	}
	if p := mediatest.Probe(t, filepath.Join(out, "main_best.jpg")); len(p.Video()) != 1 || p.Video()[0].Codec != "mjpeg" || p.Video()[0].Width != 320 {
		t.Fatalf("thumbnail %+v", p.Streams)
	}
	path := filepath.Join(out, "main_v.mp4")
	p := mediatest.Probe(t, path)
	if d := p.Duration; d < 3900*time.Millisecond || d > 4200*time.Millisecond {
		t.Fatalf("duration %v; want the 4 s clip", d)
	}
	// The pixel at the logo's centre is red: decode one frame as raw RGB.
	raw := filepath.Join(t.TempDir(), "f.rgb")
	mediatest.FFmpeg(t, "", "-ss", "1", "-i", path, "-frames:v", "1", "-vf", "crop=2:2:350:210", "-f", "rawvideo", "-pix_fmt", "rgb24", raw)
	b, err := os.ReadFile(raw)
	if err != nil || len(b) < 3 || b[0] < 200 || b[1] > 60 || b[2] > 60 {
		t.Fatalf("pixel at the logo %v (%v); want red", b[:min(3, len(b))], err)
	}
}

// TestPresetInputMismatch: a preset the input cannot satisfy fails as
// ConfigurationUnsupported before ffmpeg runs.
func TestPresetInputMismatch(t *testing.T) {
	e := newEncoder(t)
	audioOnly, _ := mediatest.Make(t, t.TempDir(), "a.m4a", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac")
	_, err := e.Encode(context.Background(), []Input{{Path: audioOnly}},
		Output{Preset: mustPreset(t, `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`), Dir: t.TempDir(), BaseName: "a"}, nil)
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != CodeConfigurationUnsupported || !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err = %v; want ConfigurationUnsupported", err)
	}
	// Two outputs with one name.
	src := makeClip(t, t.TempDir(), "x.mp4", 2*time.Second, "320x180", 300)
	_, err = e.Encode(context.Background(), []Input{{Path: src}}, Output{Dir: t.TempDir(), BaseName: "x",
		Preset: mustPreset(t, `{"@odata.type":"#Microsoft.Media.StandardEncoderPreset","codecs":[{"@odata.type":"#Microsoft.Media.H264Video","layers":[{"bitrate":300000},{"bitrate":200000}]}],"formats":[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"{Basename}{Extension}"}]}`)}, nil)
	if !errors.As(err, &ee) || ee.Code != CodeConfigurationUnsupported || !strings.Contains(ee.Message, "same name") {
		t.Fatalf("err = %v; want a name clash", err)
	}
}

// TestSequence joins two inputs (JobInputSequence): a 3 s 16:9 clip with
// audio and the 0.5–2 s part of a 4:3 clip without audio. The output is
// one 4.5 s timeline in the first clip's frame, with audio throughout
// (silence under the second part).
func TestSequence(t *testing.T) {
	e := newEncoder(t)
	dir := t.TempDir()
	first := makeClip(t, dir, "first.mp4", 3*time.Second, "640x360", 600)
	second, _ := mediatest.Make(t, dir, "second.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	out, res := encodeWith(t, e, []Input{{Path: first}, {Path: second, Start: 500 * time.Millisecond, End: 2 * time.Second}}, "first",
		`{"@odata.type":"#Microsoft.Media.StandardEncoderPreset",
		  "codecs":[{"@odata.type":"#Microsoft.Media.H264Video","layers":[{"bitrate":400000}]},{"@odata.type":"#Microsoft.Media.AacAudio"}],
		  "formats":[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"{Basename}_{Resolution}{Extension}"}]}`)
	if !hasFile(res.Files, "first_640x360.mp4") {
		t.Fatalf("files %v", res.Files)
	}
	p := mediatest.Probe(t, filepath.Join(out, "first_640x360.mp4"))
	if len(p.Video()) != 1 || len(p.Audio()) != 1 {
		t.Fatalf("streams %+v", p.Streams)
	}
	v, a := p.Video()[0], p.Audio()[0]
	if v.Width != 640 || v.Height != 360 {
		t.Fatalf("video %dx%d", v.Width, v.Height)
	}
	if v.Frames < 134 || v.Frames > 136 { // 4.5 s at 30 fps
		t.Fatalf("%d video frames; want 135 (4.5 s at 30 fps)", v.Frames)
	}
	if a.Duration < 4400*time.Millisecond || a.Duration > 4700*time.Millisecond {
		t.Fatalf("audio lasts %v; want 4.5 s", a.Duration)
	}
	_, pres := loadISM(t, out, "first.ism", 2*time.Second)
	checkAligned(t, pres)

	// An audio preset over the same sequence: audio of the first part,
	// then silence for the second.
	out, res = encodeWith(t, e, []Input{{Path: first}, {Path: second, Start: 500 * time.Millisecond, End: 2 * time.Second}}, "first",
		`{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AACGoodQualityAudio"}`)
	if !hasFile(res.Files, "first_AACAudio_192.mp4") {
		t.Fatalf("files %v", res.Files)
	}
	p = mediatest.Probe(t, filepath.Join(out, "first_AACAudio_192.mp4"))
	if len(p.Video()) != 0 || len(p.Audio()) != 1 || p.Audio()[0].Duration < 4400*time.Millisecond || p.Audio()[0].Duration > 4700*time.Millisecond {
		t.Fatalf("audio-only sequence: %+v", p.Streams)
	}
}

// TestTransportStreamAndImagesOnly: TransportStreamFormat writes an
// MPEG-TS file (CRF rate control, passthrough timing) and no .ism, since
// the origin streams MP4 only; a thumbnails-only preset writes just the
// images, at percentages of the duration.
func TestTransportStreamAndImagesOnly(t *testing.T) {
	e := newEncoder(t)
	src := makeClip(t, t.TempDir(), "ts.mp4", 4*time.Second, "320x180", 400)
	out, res := encodeWith(t, e, []Input{{Path: src}}, "ts", `{"@odata.type":"#Microsoft.Media.StandardEncoderPreset",
	  "codecs":[{"@odata.type":"#Microsoft.Media.H264Video","rateControlMode":"CRF","syncMode":"Passthrough","layers":[{"bitrate":300000,"crf":28,"label":"v"}]},{"@odata.type":"#Microsoft.Media.AacAudio","label":"a"}],
	  "formats":[{"@odata.type":"#Microsoft.Media.TransportStreamFormat","filenamePattern":"{Basename}_{Label}_{Codec}{Extension}"}]}`)
	if !hasFile(res.Files, "ts_v_H264.ts") || hasFile(res.Files, "ts.ism") {
		t.Fatalf("files %v", res.Files)
	}
	p := mediatest.Probe(t, filepath.Join(out, "ts_v_H264.ts"))
	if !strings.Contains(p.FormatName, "mpegts") || len(p.Video()) != 1 || len(p.Audio()) != 1 {
		t.Fatalf("probe %+v", p)
	}

	_, res = encodeWith(t, e, []Input{{Path: src}}, "ts", `{"@odata.type":"#Microsoft.Media.StandardEncoderPreset",
	  "codecs":[{"@odata.type":"#Microsoft.Media.JpgImage","start":"0%","step":"25%","range":"100%","layers":[{"width":"160","height":"90","label":"small"},{"label":"full"}]}],
	  "formats":[{"@odata.type":"#Microsoft.Media.JpgFormat","filenamePattern":"{Basename}_{Label}_{Index}{Extension}"}]}`)
	var jpgs []string
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".jpg") {
			jpgs = append(jpgs, f)
		}
	}
	// 0 %, 25 %, 50 %, 75 % of 4 s (100 % is past the last frame), at two sizes.
	want := []string{"ts_small_000001.jpg", "ts_small_000002.jpg", "ts_small_000003.jpg", "ts_small_000004.jpg",
		"ts_full_000001.jpg", "ts_full_000002.jpg", "ts_full_000003.jpg", "ts_full_000004.jpg"}
	if !slices.Equal(jpgs, want) || hasFile(res.Files, "ts.ism") {
		t.Fatalf("files %v; want %v", res.Files, want)
	}
}
