package mediatest

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// frames is the video frame count of d at FrameRate.
func frames(d time.Duration) int { return int(d.Seconds() * FrameRate) }

func TestLadder(t *testing.T) {
	s := Ladder(t)
	if s.Duration != 12*time.Second || frames(s.Duration) != 360 {
		t.Fatalf("Duration %s", s.Duration)
	}
	want := []struct {
		name, kind, codec, profile, lang string
		w, h                             int
	}{
		{"ladder_1280x720_1500.mp4", "video", "h264", "High", "", 1280, 720},
		{"ladder_960x540_800.mp4", "video", "h264", "Main", "", 960, 540},
		{"ladder_640x360_400.mp4", "video", "h264", "Main", "", 640, 360},
		{"ladder_AACAudio_eng_128.mp4", "audio", "aac", "LC", "eng", 0, 0},
		{"ladder_AACAudio_spa_96.mp4", "audio", "aac", "LC", "spa", 0, 0},
	}
	if len(s.Files) != len(want) {
		t.Fatalf("%d files, want %d: %+v", len(s.Files), len(want), s.Files)
	}
	for i, w := range want {
		f := s.Files[i]
		t.Run(w.name, func(t *testing.T) {
			if f.Name != w.name || f.Kind != w.kind || f.Codec != w.codec || f.Profile != w.profile ||
				f.Language != w.lang || f.Width != w.w || f.Height != w.h {
				t.Fatalf("got %+v, want %+v", f, w)
			}
			if f.Path != filepath.Join(s.Dir, f.Name) || f.Size == 0 || len(f.Streams) != 1 || f.Streams[0].ID != 1 {
				t.Fatalf("file %+v", f)
			}
			// Re-probe independently of the cached description.
			p := Probe(t, f.Path)
			if len(p.Streams) != 1 || p.Streams[0].Frames != f.Frames {
				t.Fatalf("probe %+v, cached frames %d", p.Streams, f.Frames)
			}
			st := p.Streams[0]
			if w.kind == "video" {
				if f.Frames != 360 || !st.BFrames || st.Tag != "avc1" {
					t.Fatalf("video stream %+v", st)
				}
				// 1500/800/400 kb/s targets; allow the rate control slack.
				if f.Bitrate < 200_000 || f.Bitrate > 2_000_000 {
					t.Fatalf("bitrate %d", f.Bitrate)
				}
			} else {
				// 12 s at 48 kHz is 562.5 AAC frames: 563 decoded.
				if f.Frames < 562 || f.Frames > 564 || st.SampleRate != SampleRate || st.Channels != 2 {
					t.Fatalf("audio stream %+v", st)
				}
			}
			if d := p.Duration - s.Duration; d < -50*time.Millisecond || d > 50*time.Millisecond {
				t.Fatalf("duration %s, want %s", p.Duration, s.Duration)
			}
		})
	}

	// GOP: a keyframe exactly every 2 s, in every rendition.
	for _, f := range s.Files[:3] {
		keys := keyframeTimes(t, f.Path)
		if len(keys) != 6 {
			t.Fatalf("%s: keyframes at %v, want 0, 2, …, 10 s", f.Name, keys)
		}
		for i, k := range keys {
			if want := GOP * time.Duration(i); k != want {
				t.Fatalf("%s: keyframes at %v, want every %s", f.Name, keys, GOP)
			}
		}
	}

	// The .ism names every track.
	if s.ISM != "ladder.ism" {
		t.Fatalf("ISM %q", s.ISM)
	}
	doc := parseISM(t, s.Path(s.ISM))
	if len(doc.Refs) != 5 || len(s.Tracks) != 5 {
		t.Fatalf(".ism %+v, tracks %+v", doc, s.Tracks)
	}
	for i, r := range doc.Refs {
		tr := s.Tracks[i]
		if r.XMLName.Local != tr.Kind || r.Src != tr.File || r.Param("trackName") != tr.TrackName || r.Param("trackID") != "1" ||
			r.SystemBitrate != tr.Bitrate || r.SystemLanguage != tr.Language {
			t.Fatalf("entry %d: %+v, track %+v", i, r, tr)
		}
	}
	if got := s.Tracks[0].TrackName; got != "video" {
		t.Fatalf("video trackName %q", got)
	}
	if got := s.Tracks[3].TrackName; !strings.HasPrefix(got, "aac_eng_2_") || !strings.HasSuffix(got, "_1_1") {
		t.Fatalf("audio trackName %q", got)
	}
	if got := s.Tracks[4].TrackName; !strings.HasPrefix(got, "aac_spa_2_") {
		t.Fatalf("audio trackName %q", got)
	}

	// A second call reuses the set.
	if again := Ladder(t); again.Dir != s.Dir {
		t.Fatalf("second Ladder in %s, first in %s", again.Dir, s.Dir)
	}
}

// keyframeTimes lists the presentation times of path's video keyframes.
func keyframeTimes(t *testing.T, path string) []time.Duration {
	t.Helper()
	_, ffprobe, err := tools()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ffprobe, "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe packets: %v", err)
	}
	var keys []time.Duration
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pts, flags, _ := strings.Cut(line, ",")
		if strings.Contains(flags, "K") {
			keys = append(keys, seconds(pts))
		}
	}
	slices.Sort(keys)
	return keys
}

type ismDoc struct {
	Head struct {
		Meta struct {
			Name    string `xml:"name,attr"`
			Content string `xml:"content,attr"`
		} `xml:"meta"`
	} `xml:"head"`
	Body struct {
		Switch struct {
			Refs []ismRef `xml:",any"` // video and audio in document order
		} `xml:"switch"`
	} `xml:"body"`
}

// ismSwitch is the parsed .ism entries.
type ismSwitch struct{ Refs []ismRef }

type ismRef struct {
	XMLName        xml.Name
	Src            string `xml:"src,attr"`
	SystemBitrate  int    `xml:"systemBitrate,attr"`
	SystemLanguage string `xml:"systemLanguage,attr"`
	Params         []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"param"`
}

func (r ismRef) Param(name string) string {
	for _, p := range r.Params {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func parseISM(t *testing.T, path string) ismSwitch {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc ismDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse %s: %v\n%s", path, err, b)
	}
	if doc.Head.Meta.Name != "formats" {
		t.Fatalf("%s: no formats meta:\n%s", path, b)
	}
	return ismSwitch{Refs: doc.Body.Switch.Refs}
}

func TestProbeAndDecode(t *testing.T) {
	s := Ladder(t)
	v360 := s.Files[2]
	v, a := DecodeAll(t, v360.Path)
	if v != 360 || a != 0 || v != v360.Frames {
		t.Fatalf("DecodeAll video %d audio %d, ffprobe %d", v, a, v360.Frames)
	}
	eng := s.Files[3]
	v, a = DecodeAll(t, eng.Path)
	if v != 0 || a != eng.Frames {
		t.Fatalf("DecodeAll audio %d video %d, ffprobe %d", a, v, eng.Frames)
	}

	// Checksums: equal for the same frames, different for other frames.
	d1, d2 := Decode(t, v360.Path), Decode(t, v360.Path)
	other := Decode(t, s.Files[1].Path)
	if d1[0].Checksum != d2[0].Checksum || d1[0].Checksum == other[0].Checksum {
		t.Fatalf("checksums %s %s %s", d1[0].Checksum, d2[0].Checksum, other[0].Checksum)
	}

	// Not media: the error variants fail.
	junk := filepath.Join(t.TempDir(), "junk.mp4")
	if err := os.WriteFile(junk, []byte("not an mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := TryDecode(junk); err == nil {
		t.Fatal("TryDecode of junk: no error")
	}
	if _, err := TryProbe(junk); err == nil {
		t.Fatal("TryProbe of junk: no error")
	}
}

// TestProbeHLS probes and decodes an HLS presentation over HTTP, with
// segment names that end in no known extension.
func TestProbeHLS(t *testing.T) {
	m := Muxed(t)
	dir := t.TempDir()
	FFmpeg(t, dir, "-i", m.Files[0].Path, "-c", "copy", "-bsf:v", "h264_mp4toannexb",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
		"-hls_segment_filename", "Fragments(video=%d)", "index.m3u8")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)

	p := Probe(t, srv.URL+"/index.m3u8")
	if p.FormatName != "hls" || len(p.Video()) != 1 || len(p.Audio()) != 1 {
		t.Fatalf("probe %+v", p)
	}
	if got := p.Video()[0].Frames; got != 300 {
		t.Fatalf("video frames %d, want 300", got)
	}
	v, a := DecodeAll(t, srv.URL+"/index.m3u8")
	if v != 300 || a < m.Files[0].Streams[1].Frames {
		t.Fatalf("decoded video %d audio %d; source audio %d", v, a, m.Files[0].Streams[1].Frames)
	}
}

func TestHEVC(t *testing.T) {
	s := HEVC(t)
	if len(s.Files) != 1 || s.ISM != "hevc.ism" {
		t.Fatalf("set %+v", s)
	}
	f := s.Files[0]
	if f.Kind != "muxed" || f.Codec != "hevc" || f.Width != 640 || f.Height != 360 || f.Frames != frames(8*time.Second) || f.Language != "eng" {
		t.Fatalf("file %+v", f)
	}
	if len(f.Streams) != 2 || f.Streams[0].Tag != "hvc1" || f.Streams[1].Codec != "aac" {
		t.Fatalf("streams %+v", f.Streams)
	}
	doc := parseISM(t, s.Path(s.ISM))
	if len(doc.Refs) != 2 || doc.Refs[0].Param("trackID") != "1" || doc.Refs[1].Param("trackID") != "2" ||
		doc.Refs[0].Src != f.Name || doc.Refs[1].Src != f.Name || doc.Refs[1].SystemLanguage != "eng" {
		t.Fatalf(".ism %+v", doc)
	}
}

func TestMuxed(t *testing.T) {
	s := Muxed(t)
	if len(s.Files) != 1 || s.ISM != "" {
		t.Fatalf("set %+v", s)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "muxed.ism")); !os.IsNotExist(err) {
		t.Fatalf("muxed set has an .ism: %v", err)
	}
	f := s.Files[0]
	if f.Kind != "muxed" || f.Codec != "h264" || f.Frames != 300 || f.Language != "und" || len(f.Streams) != 2 {
		t.Fatalf("file %+v", f)
	}
	if len(s.Tracks) != 2 || s.Tracks[0].TrackName != "video" || !strings.HasPrefix(s.Tracks[1].TrackName, "aac_und_2_") {
		t.Fatalf("tracks %+v", s.Tracks)
	}
}

func TestFragmented(t *testing.T) {
	s := Fragmented(t)
	if len(s.Files) != 2 || s.ISM != "fragmented.ism" {
		t.Fatalf("set %+v", s)
	}
	for _, f := range s.Files {
		b, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		// 10 s in 2 s fragments.
		if n := bytes.Count(b, []byte("moof")); !f.Fragmented || n < 5 || n > 6 {
			t.Fatalf("%s: %d moof boxes", f.Name, n)
		}
		if f.Bitrate == 0 {
			t.Fatalf("%s: no bitrate", f.Name)
		}
	}
	if v := s.Files[0]; v.Kind != "video" || v.Frames != 300 {
		t.Fatalf("video %+v", v)
	}
	if v, a := DecodeAll(t, s.Files[1].Path); v != 0 || a != s.Files[1].Frames || a == 0 {
		t.Fatalf("audio decode %d/%d, ffprobe %d", v, a, s.Files[1].Frames)
	}
}

func TestParseFrameCRC(t *testing.T) {
	in := `#software: Lavf59.27.100
#tb 0: 1/30
#media_type 0: video
#codec_id 0: rawvideo
#tb 1: 1/48000
#media_type 1: audio
0,          0,          0,        1,   345600, 0x8261a452
1,          0,          0,     1024,     4096, 0xcd44d1e3
1,       1024,       1024,     1024,     4096, 0x93920429
0,          1,          1,        1,   345600, 0x02eede9d, S=1,        8, 0x00000000
`
	got, err := parseFrameCRC(bytes.NewBufferString(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Type != "video" || got[0].Frames != 2 || got[1].Type != "audio" || got[1].Frames != 2 ||
		got[0].Checksum == "" || got[0].Checksum == got[1].Checksum {
		t.Fatalf("%+v", got)
	}
	if _, err := parseFrameCRC(bytes.NewBufferString("0, 1\n")); err == nil {
		t.Fatal("short line accepted")
	}
}

func TestISM(t *testing.T) {
	got := string(ism([]Track{
		{File: "a_1280x720.mp4", Kind: "video", TrackID: 1, TrackName: "video", Bitrate: 1500000},
		{File: "a_aac.mp4", Kind: "audio", TrackID: 1, TrackName: "aac_eng_2_128041_1_1", Bitrate: 128041, Language: "eng"},
	}))
	want := `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<smil xmlns="http://www.w3.org/2001/SMIL20/Language">
  <head>
    <meta name="formats" content="mp4-v2" />
  </head>
  <body>
    <switch>
      <video src="a_1280x720.mp4" systemBitrate="1500000">
        <param name="trackID" value="1" valuetype="data" />
        <param name="trackName" value="video" valuetype="data" />
      </video>
      <audio src="a_aac.mp4" systemBitrate="128041" systemLanguage="eng">
        <param name="trackID" value="1" valuetype="data" />
        <param name="trackName" value="aac_eng_2_128041_1_1" valuetype="data" />
      </audio>
    </switch>
  </body>
</smil>
`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestCache covers reuse, rebuilding a set that lost a file, and losing
// the race to another test binary.
func TestCache(t *testing.T) {
	Require(t)
	p := plan{Name: "cachetest", Duration: time.Second, Outputs: []output{{Name: "a.mp4", Kind: "audio"}},
		Args: []string{"-f", "lavfi", "-i", sine(440, "1"), "-c:a", "aac", "a.mp4"}}
	dir := filepath.Join(t.TempDir(), "set")

	s, generated, err := loadOrGenerate(p, dir)
	if err != nil || !generated || s.Dir != dir || s.Files[0].Frames == 0 {
		t.Fatalf("first: %+v, %v, %v", s, generated, err)
	}
	if _, generated, err := loadOrGenerate(p, dir); err != nil || generated {
		t.Fatalf("second: generated %v, %v", generated, err)
	}

	// A file went missing: the set is rebuilt in place.
	if err := os.Remove(s.Files[0].Path); err != nil {
		t.Fatal(err)
	}
	if _, generated, err := loadOrGenerate(p, dir); err != nil || !generated {
		t.Fatalf("after removal: generated %v, %v", generated, err)
	}
	if _, err := load(dir); err != nil {
		t.Fatalf("rebuilt set: %v", err)
	}

	// No partial directories are left behind.
	if left, _ := filepath.Glob(dir + ".partial-*"); len(left) != 0 {
		t.Fatalf("left over: %v", left)
	}
}
