package hls_test

import (
	"encoding/json"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// hlsOpts lets ffmpeg's HLS demuxer (Debian's 5.1 builds check segment
// file extensions) read AMS-style URLs, which have none.
var hlsOpts = []string{"-allowed_segment_extensions", "ALL", "-extension_picky", "0"}

type probeStream struct {
	Index      int    `json:"index"`
	CodecType  string `json:"codec_type"`
	CodecName  string `json:"codec_name"`
	Frames     string `json:"nb_read_frames"`
	SampleRate string `json:"sample_rate"`
	StartTime  string `json:"start_time"`
	Tags       struct {
		Language string `json:"language"`
	} `json:"tags"`
}

func (s probeStream) start() float64 {
	v, _ := strconv.ParseFloat(s.StartTime, 64)
	return v
}

// probe runs ffprobe -count_frames on url and returns its streams; stderr
// must stay empty at level warning.
func probe(t *testing.T, url string, extra ...string) []probeStream {
	t.Helper()
	bin := mediatest.Tool(t, "ffprobe")
	opts := []string{"-v", "warning", "-count_frames", "-show_streams", "-of", "json"}
	if strings.HasPrefix(url, "http") {
		opts = append(opts, hlsOpts...)
	}
	cmd := exec.Command(bin, append(append(opts, extra...), url)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", url, err, stderr.String())
	}
	if s := stderr.String(); s != "" {
		t.Errorf("ffprobe %s stderr:\n%s", url, s)
	}
	var v struct{ Streams []probeStream }
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	return v.Streams
}

// decode runs ffmpeg -i url -f null - and fails on any warning.
func decode(t *testing.T, url string) {
	t.Helper()
	bin := mediatest.Tool(t, "ffmpeg")
	out, err := exec.Command(bin, append(append([]string{"-v", "warning", "-nostdin"}, hlsOpts...), "-i", url, "-map", "0", "-f", "null", "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", url, err, out)
	}
	if len(out) > 0 {
		t.Errorf("ffmpeg %s:\n%s", url, out)
	}
}

// TestEndToEnd plays every playlist the package serves through ffmpeg's
// HLS demuxer over HTTP: all frames decode, without a single warning (no
// continuity, timestamp or bitstream complaints).
func TestEndToEnd(t *testing.T) {
	av := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	hevc := makeAsset(t, "hevc.mp4", 2*time.Second, srcHEVC)
	syncCount := func(tr *media.Track) int {
		n := 0
		for _, s := range tr.Samples {
			if s.Sync {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name       string
		a          *asset
		path       string // under /a.ism/
		start, end uint64
		videoCodec string
		frames     int // video frames per video stream
		audio      bool
	}{
		{"aapl", av, "manifest(format=m3u8-aapl)", 0, 0, "h264", 300, true},
		{"aapl-v3", av, "manifest(format=m3u8-aapl-v3)", 0, 0, "h264", 300, true},
		{"cmaf", av, "manifest(format=m3u8-cmaf)", 0, 0, "h264", 300, true},
		{"aapl window", av, "manifest(format=m3u8-aapl)", 4 * media.HNS, 8 * media.HNS, "h264", 120, true},
		{"v3 window", av, "manifest(format=m3u8-aapl-v3)", 4 * media.HNS, 0, "h264", 180, true},
		{"aapl I-frames", av, "QualityLevels(" + itoa(av.p.Video()[0].Bitrate) + ")/Manifest(video,format=m3u8-aapl,type=keyframes)", 0, 0, "h264", syncCount(av.p.Video()[0]), false},
		{"cmaf I-frames", av, "QualityLevels(" + itoa(av.p.Video()[0].Bitrate) + ")/Manifest(video,format=m3u8-cmaf,type=keyframes)", 0, 0, "h264", syncCount(av.p.Video()[0]), false},
		{"hevc aapl", hevc, "manifest(format=m3u8-aapl)", 0, 0, "hevc", 100, true},
		{"hevc aapl-v3", hevc, "manifest(format=m3u8-aapl-v3)", 0, 0, "hevc", 100, true},
		{"hevc cmaf", hevc, "manifest(format=m3u8-cmaf)", 0, 0, "hevc", 100, true},
		{"hevc I-frames", hevc, "QualityLevels(" + itoa(hevc.p.Video()[0].Bitrate) + ")/Manifest(video,format=m3u8-aapl,type=keyframes)", 0, 0, "hevc", 4, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.a.serve(t, tc.start, tc.end)
			url := srv.URL + "/a.ism/" + tc.path
			streams := probe(t, url)
			var videos, audios int
			var vStart, aStart float64
			for _, s := range streams {
				switch s.CodecType {
				case "video":
					videos++
					vStart = s.start()
					if s.CodecName != tc.videoCodec || s.Frames != strconv.Itoa(tc.frames) {
						t.Errorf("video stream %d: %s with %s frames; want %s with %d", s.Index, s.CodecName, s.Frames, tc.videoCodec, tc.frames)
					}
				case "audio":
					audios++
					aStart = s.start()
					tr := tc.a.p.Audio()[0]
					if s.Tags.Language == "spa" || s.SampleRate == "48000" && tr.SampleRate != 48000 {
						tr = tc.a.p.Audio()[1]
					}
					want := len(tr.Samples)
					if tc.start > 0 || tc.end > 0 {
						lo, hi := tc.a.view(hls.TS, tc.start, tc.end).Window(tr)
						want = tr.Segments[hi-1].End - tr.Segments[lo].First
					}
					if s.CodecName != "aac" || s.Frames != strconv.Itoa(want) {
						t.Errorf("audio stream %d (%s %s Hz): %s with %s frames; want aac with %d", s.Index, s.Tags.Language, s.SampleRate, s.CodecName, s.Frames, want)
					}
				}
			}
			if videos == 0 || (audios > 0) != tc.audio {
				t.Fatalf("%d video and %d audio streams", videos, audios)
			}
			// Renditions share the presentation timeline. (ffmpeg 5.1 delays
			// fMP4 video with negative composition offsets, as libx265's
			// B-frames produce once the edit is folded in, by the most
			// negative offset; MSE players do not.)
			negCTO := false
			for _, s := range tc.a.p.Video()[0].Samples {
				negCTO = negCTO || s.CTO < 0
			}
			if tc.audio && !(negCTO && strings.Contains(tc.path, "cmaf")) && math.Abs(vStart-aStart) > 0.05 {
				t.Errorf("video starts at %.3f s, audio at %.3f s", vStart, aStart)
			}
			decode(t, url)
		})
	}
}
