package smooth_test

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/smooth"
)

func parseManifest(t *testing.T, b []byte) *smooth.Media {
	t.Helper()
	var m smooth.Media
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatalf("unmarshal manifest: %v\n%s", err, b)
	}
	return &m
}

// expand lists the chunk start times and durations of a stream, reading r
// as the number of chunks a c element stands for.
func expand(cs []smooth.Chunk) (starts, durs []uint64) {
	var at uint64
	for _, c := range cs {
		if c.T != nil {
			at = *c.T
		}
		for range max(c.R, 1) {
			starts, durs = append(starts, at), append(durs, c.D)
			at += c.D
		}
	}
	return starts, durs
}

func TestManifest(t *testing.T) {
	f := newFixture(t)
	v := packager.Full(f.P, "")
	b, err := smooth.Manifest(v, smooth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := parseManifest(t, b)
	if m.MajorVersion != 2 || m.MinorVersion != 2 || m.TimeScale != media.HNS || m.Duration != v.Duration() {
		t.Errorf("root = %d.%d timescale %d duration %d", m.MajorVersion, m.MinorVersion, m.TimeScale, m.Duration)
	}
	if len(m.Streams) != 3 {
		t.Fatalf("%d StreamIndex; want video, eng, fra\n%s", len(m.Streams), b)
	}
	video, eng, fra := m.Streams[0], m.Streams[1], m.Streams[2]
	if video.Type != "video" || video.Name != "video" || video.QualityLevels != 2 || len(video.Levels) != 2 ||
		video.MaxWidth != 320 || video.MaxHeight != 180 || video.DisplayWidth != 320 || video.DisplayHeight != 180 {
		t.Errorf("video stream = %+v", video)
	}
	if video.URL != "QualityLevels({bitrate})/Fragments(video={start time})" {
		t.Errorf("video Url = %s", video.URL)
	}
	if eng.Type != "audio" || eng.Language != "eng" || fra.Language != "fra" || eng.QualityLevels != 1 {
		t.Errorf("audio streams = %+v / %+v", eng, fra)
	}
	if want := "QualityLevels({bitrate})/Fragments(" + f.P.Audio()[0].Name + "={start time})"; eng.URL != want {
		t.Errorf("audio Url = %s; want %s", eng.URL, want)
	}
	for i, tr := range f.P.Video() {
		q := video.Levels[i]
		cpd := "00000001" + strings.ToUpper(hex.EncodeToString(tr.ParamSets[0])) + "00000001" + strings.ToUpper(hex.EncodeToString(tr.ParamSets[1]))
		if q.Index != i || q.Bitrate != tr.Bitrate || q.FourCC != "H264" || q.MaxWidth != tr.Width || q.MaxHeight != tr.Height || q.CodecPrivateData != cpd {
			t.Errorf("video level %d = %+v; want bitrate %d CodecPrivateData %s", i, q, tr.Bitrate, cpd)
		}
	}
	for i, tr := range f.P.Audio() {
		q := m.Streams[1+i].Levels[0]
		if q.Bitrate != tr.Bitrate || q.FourCC != "AACL" || q.AudioTag != 255 || q.SamplingRate != 48000 || q.Channels != 2 ||
			q.BitsPerSample != 16 || q.PacketSize != 4 || q.CodecPrivateData != strings.ToUpper(hex.EncodeToString(tr.ASC)) {
			t.Errorf("audio level = %+v; ASC %x", q, tr.ASC)
		}
	}
	// Chunks: start times are the segments' in HNS, durations add up to the
	// track, and FindSegment maps every start back, for every track of the
	// stream.
	groups := [][]*media.Track{f.P.Video(), {f.P.Audio()[0]}, {f.P.Audio()[1]}}
	for i, s := range m.Streams {
		starts, durs := expand(s.Chunk)
		if s.Chunks != len(starts) {
			t.Errorf("%s: Chunks=%d; c elements describe %d", s.Name, s.Chunks, len(starts))
		}
		for _, tr := range groups[i] {
			if len(starts) != len(tr.Segments) {
				t.Fatalf("%s: %d chunks; %d segments", tr.Name, len(starts), len(tr.Segments))
			}
			var sum uint64
			for k := range starts {
				if k+1 < len(starts) && starts[k]+durs[k] != starts[k+1] {
					t.Errorf("%s: chunk %d ends at %d; next starts at %d", tr.Name, k, starts[k]+durs[k], starts[k+1])
				}
				if got := smooth.FindSegment(tr, starts[k]); got != k {
					t.Errorf("%s: FindSegment(%d) = %d; want %d", tr.Name, starts[k], got, k)
				}
				sum += durs[k]
			}
			frame := tr.ToHNS(uint64(tr.Samples[0].Dur))
			if d := int64(sum) - int64(tr.ToHNS(tr.Duration)); d > int64(frame) || -d > int64(frame) {
				t.Errorf("%s: chunks sum to %d; track lasts %d", tr.Name, sum, tr.ToHNS(tr.Duration))
			}
			if int64(m.Duration)-int64(sum) > int64(frame) && tr.Kind == media.Audio {
				t.Errorf("%s: chunks sum to %d; presentation lasts %d", tr.Name, sum, m.Duration)
			}
		}
	}
	if !bytes.Contains(b, []byte(`<c t="0" d="40000000" r="3"></c>`)) {
		t.Errorf("video chunks not compressed with r:\n%s", b)
	}
	b2, err := smooth.Manifest(v, smooth.Options{})
	if err != nil || !bytes.Equal(b, b2) {
		t.Errorf("manifest not deterministic (%v)", err)
	}
}

func TestManifestV20(t *testing.T) {
	f := newFixture(t)
	v := packager.Full(f.P, ",format=fmp4-v20")
	b, err := smooth.Manifest(v, smooth.Options{Format: smooth.FormatV20})
	if err != nil {
		t.Fatal(err)
	}
	m := parseManifest(t, b)
	if m.MinorVersion != 0 || bytes.Contains(b, []byte(" r=")) {
		t.Errorf("fmp4-v20: MinorVersion %d, r present: %v", m.MinorVersion, bytes.Contains(b, []byte(" r=")))
	}
	for _, s := range m.Streams {
		if len(s.Chunk) != s.Chunks || !strings.HasSuffix(s.URL, "={start time},format=fmp4-v20)") {
			t.Errorf("%s: %d c elements for %d chunks, Url %s", s.Name, len(s.Chunk), s.Chunks, s.URL)
		}
	}
	if _, err := smooth.Manifest(v, smooth.Options{Format: "bogus"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestManifestWindowAndProtection(t *testing.T) {
	f := newFixture(t)
	v := &packager.View{P: f.P, Tracks: f.P.Tracks, Start: 4 * media.HNS, End: 8 * media.HNS}
	prot := &smooth.Protection{Headers: []smooth.ProtectionHeader{{SystemID: "9A04F079-9840-4286-AB92-E65BE0885F95", Data: "AAAA"}}}
	b, err := smooth.Manifest(v, smooth.Options{Protection: prot})
	if err != nil {
		t.Fatal(err)
	}
	m := parseManifest(t, b)
	if m.Duration != 4*media.HNS {
		t.Errorf("Duration = %d", m.Duration)
	}
	if m.Protection == nil || len(m.Protection.Headers) != 1 || m.Protection.Headers[0] != prot.Headers[0] {
		t.Errorf("Protection = %+v", m.Protection)
	}
	for i, s := range m.Streams {
		tr := f.P.Tracks[[]int{0, 2, 3}[i]]
		if s.Chunks != 1 || len(s.Chunk) != 1 || s.Chunk[0].T == nil || *s.Chunk[0].T != tr.ToHNS(tr.Segments[1].Start) {
			t.Errorf("%s: window chunks %+v", s.Name, s.Chunk)
		}
	}
}

// TestFindSegment checks the ±1 tick tolerance on a timescale whose
// segment starts are not whole HNS values (30000/1001 fps at 30 kHz).
func TestFindSegment(t *testing.T) {
	tr := &media.Track{Timescale: 30000}
	for k := range 5 {
		tr.Segments = append(tr.Segments, media.Segment{Start: uint64(k) * 7 * 1001, Dur: 7 * 1001})
	}
	for k, s := range tr.Segments {
		hns := tr.ToHNS(s.Start)
		for _, at := range []uint64{hns, hns + 1, hns - min(hns, 1)} {
			if got := smooth.FindSegment(tr, at); got != k {
				t.Errorf("FindSegment(%d) = %d; want %d (start %d)", at, got, k, hns)
			}
		}
		if got := smooth.FindSegment(tr, hns+2); got != -1 {
			t.Errorf("FindSegment(%d) = %d; want -1", hns+2, got)
		}
	}
	if got := smooth.FindSegment(tr, 1<<60); got != -1 {
		t.Errorf("FindSegment past the end = %d", got)
	}
}
