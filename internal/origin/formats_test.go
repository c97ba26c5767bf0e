package origin_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// shared is one node with the test assets published, reused by the
// format tests (media generation and startup are the slow part).
type shared struct {
	n                                 *node
	ladder, hevc, muxed, frag         paths
	ladderSet, hevcSet, muxSet, fragS *mediatest.Set
}

var (
	sharedOnce sync.Once
	sharedNode *shared
	sharedErr  string
)

// published starts (once per test binary) a node holding the four test
// assets, each with a clear locator. Its cleanup is the process's end:
// the node's temp dir is removed by the first test's cleanup, so the
// node lives in a directory of its own.
func published(t *testing.T) *shared {
	t.Helper()
	mediatest.Require(t)
	sharedOnce.Do(func() {
		s := &shared{}
		tb := &onceTB{TB: t}
		s.n = startNode(tb)
		s.ladderSet, s.hevcSet, s.muxSet, s.fragS = mediatest.Ladder(t), mediatest.HEVC(t), mediatest.Muxed(t), mediatest.Fragmented(t)
		s.n.upload("ladder", s.ladderSet)
		s.n.upload("hevc", s.hevcSet)
		s.n.upload("muxed", s.muxSet)
		s.n.upload("fragmented", s.fragS)
		s.ladder = s.n.locator("ladder-clear", "ladder", "Predefined_ClearStreamingOnly", nil)
		s.hevc = s.n.locator("hevc-clear", "hevc", "Predefined_ClearStreamingOnly", nil)
		s.muxed = s.n.locator("muxed-clear", "muxed", "Predefined_DownloadAndClearStreaming", nil)
		s.frag = s.n.locator("frag-clear", "fragmented", "Predefined_ClearStreamingOnly", nil)
		if t.Failed() {
			sharedErr = "setup failed in " + t.Name()
			return
		}
		sharedNode = s
	})
	if sharedNode == nil {
		t.Fatalf("shared node unavailable: %s", sharedErr)
	}
	sharedNode.n.t = t
	return sharedNode
}

// onceTB keeps resources made during shared setup alive past the test
// that happened to run it: cleanups are dropped (the process exit ends
// the node) and temp dirs come from os.MkdirTemp.
type onceTB struct {
	testing.TB
}

func (o *onceTB) Cleanup(func()) {}
func (o *onceTB) TempDir() string {
	d, err := osMkdirTemp()
	if err != nil {
		o.Fatal(err)
	}
	return d
}

// videoFrames sums the source video frames of a set.
func sourceFrames(set *mediatest.Set, kind string) []int {
	var out []int
	for _, tr := range set.Tracks {
		if tr.Kind == kind {
			out = append(out, tr.Frames)
		}
	}
	return out
}

// checkDecode decodes url with ffmpeg (every stream of the presentation)
// and compares per-stream frame counts with the source.
//
// Two allowances, both from the readers rather than the streams (the
// packager tests compare every sample byte for byte with the source):
// ffmpeg 5.1's DASH demuxer drops the last packet or two of some
// representations when it reads several at once, so video may be up to 2
// frames short; and the sources' edit list hides the AAC priming frame
// from ffprobe's count of the source, while the packaged stream carries
// it, so audio may be 1 frame over. An HLS master lists the default audio
// rendition twice (in its group and as the audio-only variant), so audio
// streams are compared as a set.
func checkDecode(t *testing.T, url string, wantVideo, wantAudio []int) {
	t.Helper()
	streams := mediatest.Decode(t, url)
	var gotV, gotA []int
	for _, s := range streams {
		switch s.Type {
		case "video":
			gotV = append(gotV, s.Frames)
		case "audio":
			gotA = append(gotA, s.Frames)
		}
	}
	gv, wv := sortedInts(gotV), sortedInts(wantVideo)
	ok := len(gv) == len(wv)
	for i := 0; ok && i < len(gv); i++ {
		ok = gv[i] <= wv[i] && gv[i] >= wv[i]-2
	}
	if !ok {
		t.Errorf("%s: video frames per stream %v; source %v", url, gotV, wantVideo)
	}
	if wantAudio == nil {
		return
	}
	if len(gotA) < len(wantAudio) {
		t.Errorf("%s: %d audio streams; source has %d", url, len(gotA), len(wantAudio))
	}
	for _, g := range gotA {
		match := false
		for _, w := range wantAudio {
			match = match || g == w || g == w+1
		}
		if !match {
			t.Errorf("%s: audio stream with %d frames; source %v", url, g, wantAudio)
		}
	}
}

func sortedInts(a []int) []int {
	b := append([]int{}, a...)
	for i := range b {
		for j := i + 1; j < len(b); j++ {
			if b[j] < b[i] {
				b[i], b[j] = b[j], b[i]
			}
		}
	}
	return b
}

// TestLadderEveryFormat reads each HLS and DASH presentation of an
// AMS-style asset (.ism + per-rendition MP4s, uploaded as AMS wrote them)
// end to end with ffmpeg: every rendition decodes with the source's frame
// count.
func TestLadderEveryFormat(t *testing.T) {
	s := published(t)
	vf := sourceFrames(s.ladderSet, "video")
	af := sourceFrames(s.ladderSet, "audio")
	for _, tc := range []struct{ proto, format string }{
		{"Hls", "format=m3u8-aapl)"},
		{"Hls", "format=m3u8-cmaf)"},
		{"Dash", "format=mpd-time-csf)"},
		{"Dash", "format=mpd-time-cmaf)"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			checkDecode(t, s.n.origin+s.ladder.find(t, tc.proto, tc.format), vf, af)
		})
	}
	t.Run("m3u8-aapl-v3", func(t *testing.T) {
		u := strings.Replace(s.ladder.find(t, "Hls", "format=m3u8-aapl)"), "m3u8-aapl", "m3u8-aapl-v3", 1)
		streams := mediatest.Decode(t, s.n.origin+u)
		var v, a int
		for _, st := range streams {
			switch st.Type {
			case "video":
				v++
				if st.Frames != vf[0] {
					t.Errorf("v3 video stream: %d frames; want %d", st.Frames, vf[0])
				}
			case "audio":
				a++
			}
		}
		if v != len(vf) || a == 0 {
			t.Errorf("v3: %d video and %d audio streams", v, a)
		}
	})
}

func TestHEVCAsset(t *testing.T) {
	s := published(t)
	checkDecode(t, s.n.origin+s.hevc.find(t, "Dash", "format=mpd-time-csf)"), sourceFrames(s.hevcSet, "video"), sourceFrames(s.hevcSet, "audio"))
	checkDecode(t, s.n.origin+s.hevc.find(t, "Hls", "format=m3u8-aapl)"), sourceFrames(s.hevcSet, "video"), nil)
	checkDecode(t, s.n.origin+s.hevc.find(t, "Hls", "format=m3u8-cmaf)"), sourceFrames(s.hevcSet, "video"), nil)
}

// TestDerivedManifest streams an asset without .ism (one muxed MP4).
func TestDerivedManifest(t *testing.T) {
	s := published(t)
	u := s.muxed.find(t, "Dash", "format=mpd-time-csf)")
	if !strings.Contains(u, "/muxed.ism/") {
		t.Fatalf("derived manifest path %s; want the asset name", u)
	}
	checkDecode(t, s.n.origin+u, sourceFrames(s.muxSet, "video"), sourceFrames(s.muxSet, "audio"))
	checkDecode(t, s.n.origin+s.muxed.find(t, "Hls", "format=m3u8-aapl)"), sourceFrames(s.muxSet, "video"), nil)
}

func TestFragmentedInput(t *testing.T) {
	s := published(t)
	checkDecode(t, s.n.origin+s.frag.find(t, "Dash", "format=mpd-time-cmaf)"), sourceFrames(s.fragS, "video"), sourceFrames(s.fragS, "audio"))
	checkDecode(t, s.n.origin+s.frag.find(t, "Hls", "format=m3u8-aapl)"), sourceFrames(s.fragS, "video"), nil)
}

// smoothManifest is the part of SmoothStreamingMedia the test reads.
type smoothManifest struct {
	TimeScale uint64 `xml:"TimeScale,attr"`
	Duration  uint64 `xml:"Duration,attr"`
	Streams   []struct {
		Type   string `xml:"Type,attr"`
		Name   string `xml:"Name,attr"`
		URL    string `xml:"Url,attr"`
		Levels []struct {
			Bitrate uint64 `xml:"Bitrate,attr"`
		} `xml:"QualityLevel"`
		Chunks []struct {
			T *uint64 `xml:"t,attr"`
			D uint64  `xml:"d,attr"`
			R *uint64 `xml:"r,attr"`
		} `xml:"c"`
	} `xml:"StreamIndex"`
}

// TestSmooth fetches every fragment the Smooth manifest lists, for every
// quality level, and checks with mp4ff that they hold all source frames
// with the tfxd times the manifest announced.
func TestSmooth(t *testing.T) {
	s := published(t)
	mu := s.ladder.find(t, "SmoothStreaming", "manifest")
	resp, body := s.n.get(mu)
	must(t, resp.StatusCode == 200, "smooth manifest: %d %s", resp.StatusCode, body)
	var m smoothManifest
	if err := xml.Unmarshal(body, &m); err != nil {
		t.Fatalf("smooth manifest: %v\n%s", err, body)
	}
	must(t, m.TimeScale == 10_000_000, "TimeScale %d", m.TimeScale)
	base := strings.TrimSuffix(mu, "manifest")
	vf := sourceFrames(s.ladderSet, "video")
	var videoLevels int
	for _, si := range m.Streams {
		var times []uint64
		var at uint64
		for _, c := range si.Chunks {
			if c.T != nil {
				at = *c.T
			}
			n := uint64(1)
			if c.R != nil {
				n = *c.R
			}
			for range n {
				times = append(times, at)
				at += c.D
			}
		}
		for _, ql := range si.Levels {
			if si.Type == "video" {
				videoLevels++
			}
			samples := 0
			for _, tm := range times {
				u := strings.NewReplacer("{bitrate}", strconv.FormatUint(ql.Bitrate, 10), "{start time}", strconv.FormatUint(tm, 10)).Replace(si.URL)
				resp, frag := s.n.get(base + u)
				must(t, resp.StatusCode == 200, "%s: %d %s", u, resp.StatusCode, frag)
				f, err := mp4.DecodeFile(bytes.NewReader(frag))
				if err != nil || len(f.Segments) != 1 || len(f.Segments[0].Fragments) != 1 {
					t.Fatalf("%s: mp4ff: %v", u, err)
				}
				traf := f.Segments[0].Fragments[0].Moof.Traf
				var tfxd *mp4.UUIDBox
				for _, c := range traf.Children {
					if ub, ok := c.(*mp4.UUIDBox); ok && ub.Tfxd != nil {
						tfxd = ub
					}
				}
				must(t, tfxd != nil && tfxd.Tfxd.FragmentAbsoluteTime == tm, "%s: tfxd %+v; want time %d", u, tfxd, tm)
				samples += int(traf.Trun.SampleCount())
			}
			if si.Type == "video" && samples != vf[0] {
				t.Errorf("smooth %s@%d: %d samples; source %d", si.Name, ql.Bitrate, samples, vf[0])
			}
		}
	}
	must(t, videoLevels == len(vf), "smooth has %d video quality levels; want %d", videoLevels, len(vf))
}

func TestDownload(t *testing.T) {
	s := published(t)
	must(t, len(s.muxed.DownloadPaths) == 1, "download paths %v", s.muxed.DownloadPaths)
	want := readFile(t, s.muxSet.Path(s.muxSet.Files[0].Name))
	resp, b := s.n.get(s.muxed.DownloadPaths[0], "Range", "bytes=100-1099")
	must(t, resp.StatusCode == http.StatusPartialContent && bytes.Equal(b, want[100:1100]), "range download: %d, %d bytes", resp.StatusCode, len(b))
	resp, b = s.n.get(s.muxed.DownloadPaths[0])
	must(t, resp.StatusCode == 200 && bytes.Equal(b, want), "download: %d, %d bytes", resp.StatusCode, len(b))
	// A policy without download refuses it.
	u := strings.Replace(s.muxed.DownloadPaths[0], s.muxed.DownloadPaths[0][1:37], s.ladder.StreamingPaths[0].Paths[0][1:37], 1)
	resp, b = s.n.get(u)
	wantError(t, resp, b, http.StatusForbidden, "MPE_OUTPUT_FORMAT_BLOCKED")
}
