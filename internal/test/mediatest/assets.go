package mediatest

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// Encoding parameters shared by every set.
const (
	// FrameRate is the video frame rate of every set.
	FrameRate = 30
	// GOP is the fixed keyframe interval: -g 60 -keyint_min 60
	// -sc_threshold 0 at 30 fps, so every 2 s boundary is a keyframe.
	GOP = 2 * time.Second
	// SampleRate is the audio sampling rate (AAC-LC, stereo).
	SampleRate = 48000
	// LadderDuration is Ladder's length.
	LadderDuration = 12 * time.Second
)

var gopFrames = strconv.Itoa(int(GOP.Seconds() * FrameRate))

// Ladder returns an AMS-style multi-file asset of LadderDuration (see
// LadderOf).
func Ladder(t testing.TB) *Set {
	t.Helper()
	return LadderOf(t, LadderDuration)
}

// LadderOf returns an AMS-style multi-file asset of length d (a multiple
// of GOP keeps every segment full):
//
//	ladder_1280x720_1500.mp4       H.264 High, 1500 kb/s
//	ladder_960x540_800.mp4         H.264 Main,  800 kb/s
//	ladder_640x360_400.mp4         H.264 Main,  400 kb/s
//	ladder_AACAudio_eng_128.mp4    AAC-LC 48 kHz stereo, 440 Hz sine, language eng
//	ladder_AACAudio_spa_96.mp4     AAC-LC 48 kHz stereo, 660 Hz sine, language spa
//	ladder.ism                     SMIL: trackName "video" ×3, "aac_eng_2_…_1_1", "aac_spa_2_…_1_1"
//
// Video is testsrc2 (a running clock, so a screenshot shows the position),
// yuv420p, 30 fps, fixed 2 s GOP, two B-frames; each rendition is its own
// progressive faststart MP4 with one track (ID 1). The renditions come
// from one source through split, so their frames share timestamps.
func LadderOf(t testing.TB, d time.Duration) *Set {
	t.Helper()
	sec := secs(d)
	args := []string{
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=1280x720:rate=%d:duration=%s", FrameRate, sec),
		"-f", "lavfi", "-i", sine(440, sec),
		"-f", "lavfi", "-i", sine(660, sec),
		"-filter_complex", "[0:v]format=yuv420p,split=3[v0][v1][v2];[v1]scale=960:540[v1s];[v2]scale=640:360[v2s]",
	}
	p := plan{Name: "ladder", Duration: d, ISM: true}
	for _, r := range []struct {
		label, size, profile string
		kbps                 int
	}{
		{"[v0]", "1280x720", "high", 1500},
		{"[v1s]", "960x540", "main", 800},
		{"[v2s]", "640x360", "main", 400},
	} {
		name := fmt.Sprintf("ladder_%s_%d.mp4", r.size, r.kbps)
		args = append(args, "-map", r.label)
		args = append(args, h264(r.profile, r.kbps)...)
		args = append(args, "-movflags", "+faststart", name)
		p.Outputs = append(p.Outputs, output{Name: name, Kind: "video"})
	}
	for i, a := range []struct {
		lang string
		kbps int
	}{{"eng", 128}, {"spa", 96}} {
		name := fmt.Sprintf("ladder_AACAudio_%s_%d.mp4", a.lang, a.kbps)
		args = append(args, "-map", fmt.Sprintf("%d:a", i+1))
		args = append(args, aac(a.kbps)...)
		args = append(args, "-metadata:s:a:0", "language="+a.lang, "-movflags", "+faststart", name)
		p.Outputs = append(p.Outputs, output{Name: name, Kind: "audio"})
	}
	p.Args = args
	return get(t, p)
}

// HEVC returns one 8 s progressive MP4, hevc_640x360.mp4: H.265 Main
// (libx265, tag hvc1, closed 2 s GOP) 640x360 at 500 kb/s with AAC-LC
// 128 kb/s muxed (video track 1, audio track 2, language eng), and an
// .ism naming both tracks.
func HEVC(t testing.TB) *Set {
	t.Helper()
	const d = 8 * time.Second
	sec := secs(d)
	name := "hevc_640x360.mp4"
	args := []string{
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=640x360:rate=%d:duration=%s", FrameRate, sec),
		"-f", "lavfi", "-i", sine(440, sec),
		"-map", "0:v", "-map", "1:a",
		"-vf", "format=yuv420p",
		"-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
		"-g", gopFrames, "-keyint_min", gopFrames,
		"-x265-params", "scenecut=0:open-gop=0:log-level=error",
		"-b:v", "500k",
	}
	args = append(args, aac(128)...)
	args = append(args, "-metadata:s:a:0", "language=eng", "-movflags", "+faststart", name)
	return get(t, plan{Name: "hevc", Duration: d, Args: args, ISM: true,
		Outputs: []output{{Name: name, Kind: "muxed"}}})
}

// Muxed returns one 10 s progressive faststart MP4, muxed_640x360.mp4:
// H.264 Main 640x360 800 kb/s (track 1) and AAC-LC 128 kb/s stereo (track
// 2, no language: "und"), and no .ism: an uploaded file whose track set
// Lockstream must derive. Set.Tracks holds the names AMS would give.
func Muxed(t testing.TB) *Set {
	t.Helper()
	const d = 10 * time.Second
	sec := secs(d)
	name := "muxed_640x360.mp4"
	args := []string{
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=640x360:rate=%d:duration=%s", FrameRate, sec),
		"-f", "lavfi", "-i", sine(440, sec),
		"-map", "0:v", "-map", "1:a", "-vf", "format=yuv420p",
	}
	args = append(args, h264("main", 800)...)
	args = append(args, aac(128)...)
	args = append(args, "-movflags", "+faststart", name)
	return get(t, plan{Name: "muxed", Duration: d, Args: args,
		Outputs: []output{{Name: name, Kind: "muxed"}}})
}

// Fragmented returns a 10 s CMAF-style asset with an .ism:
//
//	fragmented_640x360_800.mp4        H.264 Main, one fragment per 2 s GOP
//	fragmented_AACAudio_eng_128.mp4   AAC-LC, 2 s fragments, language eng
//
// Both use -movflags +frag_keyframe+empty_moov+default_base_moof (audio
// adds -frag_duration 2000000, since frag_keyframe cuts at video
// keyframes only).
func Fragmented(t testing.TB) *Set {
	t.Helper()
	const d = 10 * time.Second
	sec := secs(d)
	const flags = "+frag_keyframe+empty_moov+default_base_moof"
	video, audio := "fragmented_640x360_800.mp4", "fragmented_AACAudio_eng_128.mp4"
	args := []string{
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=640x360:rate=%d:duration=%s", FrameRate, sec),
		"-f", "lavfi", "-i", sine(440, sec),
		"-map", "0:v", "-vf", "format=yuv420p",
	}
	args = append(args, h264("main", 800)...)
	args = append(args, "-movflags", flags, video, "-map", "1:a")
	args = append(args, aac(128)...)
	args = append(args, "-metadata:s:a:0", "language=eng", "-movflags", flags, "-frag_duration", "2000000", audio)
	return get(t, plan{Name: "fragmented", Duration: d, Args: args, ISM: true,
		Outputs: []output{{Name: video, Kind: "video", Fragmented: true}, {Name: audio, Kind: "audio", Fragmented: true}}})
}

// h264 are libx264 output options: ultrafast for speed, with CABAC, two
// B-frames (ultrafast alone has none) and 8x8 transforms for High, fixed
// GOP.
func h264(profile string, kbps int) []string {
	params := "cabac=1:bframes=2"
	if profile == "high" {
		params += ":8x8dct=1"
	}
	return []string{
		"-c:v", "libx264", "-preset", "ultrafast", "-profile:v", profile, "-x264-params", params,
		"-pix_fmt", "yuv420p", "-g", gopFrames, "-keyint_min", gopFrames, "-sc_threshold", "0",
		"-b:v", fmt.Sprintf("%dk", kbps), "-maxrate", fmt.Sprintf("%dk", kbps), "-bufsize", fmt.Sprintf("%dk", 2*kbps),
	}
}

// aac are AAC-LC output options: 48 kHz stereo at kbps.
func aac(kbps int) []string {
	return []string{"-c:a", "aac", "-b:a", fmt.Sprintf("%dk", kbps), "-ar", strconv.Itoa(SampleRate), "-ac", "2"}
}

func sine(hz int, sec string) string {
	return fmt.Sprintf("sine=frequency=%d:sample_rate=%d:duration=%s", hz, SampleRate, sec)
}

// secs formats d for lavfi's duration option.
func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}
