package dash_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/dash"
)

// The test reads MPDs back with its own minimal model, independent of the
// package's.
type parsedMPD struct {
	XMLName                   xml.Name `xml:"urn:mpeg:dash:schema:mpd:2011 MPD"`
	Profiles                  string   `xml:"profiles,attr"`
	Type                      string   `xml:"type,attr"`
	MediaPresentationDuration string   `xml:"mediaPresentationDuration,attr"`
	MinBufferTime             string   `xml:"minBufferTime,attr"`
	Periods                   []struct {
		Sets []parsedSet `xml:"AdaptationSet"`
	} `xml:"Period"`
}

type parsedSet struct {
	ContentType      string `xml:"contentType,attr"`
	MimeType         string `xml:"mimeType,attr"`
	Lang             string `xml:"lang,attr"`
	SegmentAlignment string `xml:"segmentAlignment,attr"`
	StartWithSAP     string `xml:"startWithSAP,attr"`
	Role             *struct {
		Value string `xml:"value,attr"`
	} `xml:"Role"`
	ContentProtection []struct {
		SchemeIDURI string `xml:"schemeIdUri,attr"`
		DefaultKID  string `xml:"urn:mpeg:cenc:2013 default_KID,attr"`
		Pssh        string `xml:"urn:mpeg:cenc:2013 pssh"`
	} `xml:"ContentProtection"`
	Template *parsedTemplate `xml:"SegmentTemplate"`
	Reps     []struct {
		ID          string `xml:"id,attr"`
		Bandwidth   uint64 `xml:"bandwidth,attr"`
		Codecs      string `xml:"codecs,attr"`
		Width       int    `xml:"width,attr"`
		Height      int    `xml:"height,attr"`
		FrameRate   string `xml:"frameRate,attr"`
		SampleRate  int    `xml:"audioSamplingRate,attr"`
		ChannelConf *struct {
			Scheme string `xml:"schemeIdUri,attr"`
			Value  string `xml:"value,attr"`
		} `xml:"AudioChannelConfiguration"`
		Template *parsedTemplate `xml:"SegmentTemplate"`
	} `xml:"Representation"`
}

type parsedTemplate struct {
	Timescale uint32  `xml:"timescale,attr"`
	PTO       *uint64 `xml:"presentationTimeOffset,attr"`
	Init      string  `xml:"initialization,attr"`
	Media     string  `xml:"media,attr"`
	S         []struct {
		T *uint64 `xml:"t,attr"`
		D uint64  `xml:"d,attr"`
		R int     `xml:"r,attr"`
	} `xml:"SegmentTimeline>S"`
}

// expand lists the segment start times and durations a timeline describes.
func (pt *parsedTemplate) expand() (starts, durs []uint64) {
	var at uint64
	for _, s := range pt.S {
		if s.T != nil {
			at = *s.T
		}
		for range s.R + 1 {
			starts, durs = append(starts, at), append(durs, s.D)
			at += s.D
		}
	}
	return starts, durs
}

func parseMPD(t *testing.T, b []byte) *parsedMPD {
	t.Helper()
	var m parsedMPD
	if err := xml.Unmarshal(b, &m); err != nil {
		t.Fatalf("unmarshal MPD: %v\n%s", err, b)
	}
	if len(m.Periods) != 1 {
		t.Fatalf("%d periods", len(m.Periods))
	}
	return &m
}

// templateOf returns the template in force for Representation i of set.
func templateOf(s *parsedSet, i int) *parsedTemplate {
	if s.Reps[i].Template != nil {
		return s.Reps[i].Template
	}
	return s.Template
}

func TestMPD(t *testing.T) {
	f := newFixture(t)
	v := packager.Full(f.P, ",format=mpd-time-csf")
	b, err := dash.MPD(v, dash.Options{Format: dash.FormatCSF})
	if err != nil {
		t.Fatal(err)
	}
	m := parseMPD(t, b)
	if m.Profiles != dash.ProfileLive || m.Type != "static" {
		t.Errorf("profiles %q type %q", m.Profiles, m.Type)
	}
	if m.MediaPresentationDuration != "PT12S" && !strings.HasPrefix(m.MediaPresentationDuration, "PT12.0") {
		t.Errorf("mediaPresentationDuration = %s", m.MediaPresentationDuration)
	}
	sets := m.Periods[0].Sets
	if len(sets) != 3 {
		t.Fatalf("%d AdaptationSets; want video, eng, fra\n%s", len(sets), b)
	}
	video, eng, fra := &sets[0], &sets[1], &sets[2]
	if video.ContentType != "video" || video.MimeType != "video/mp4" || len(video.Reps) != 2 || video.SegmentAlignment != "true" || video.StartWithSAP != "1" {
		t.Errorf("video set = %+v", video)
	}
	if eng.Lang != "eng" || eng.Role == nil || eng.Role.Value != "main" || eng.MimeType != "audio/mp4" || len(eng.Reps) != 1 {
		t.Errorf("eng set = %+v", eng)
	}
	if fra.Lang != "fra" || fra.Role == nil || fra.Role.Value == "main" {
		t.Errorf("fra set = %+v", fra)
	}
	if video.Template == nil {
		t.Errorf("aligned video renditions should share one AdaptationSet template")
	}
	// Each Representation matches its track and its timeline the track's
	// segments.
	trackOf := map[string]*media.Track{}
	for i, set := range [][]*media.Track{f.P.Video(), {f.P.Audio()[0]}, {f.P.Audio()[1]}} {
		for j, tr := range set {
			r := sets[i].Reps[j]
			trackOf[r.ID] = tr
			if r.Bandwidth != tr.Bitrate || r.Codecs != tr.Codec {
				t.Errorf("%s: bandwidth %d codecs %s; track %d %s", r.ID, r.Bandwidth, r.Codecs, tr.Bitrate, tr.Codec)
			}
			if tr.Kind == media.Video && (r.Width != tr.Width || r.Height != tr.Height || r.FrameRate != "30") {
				t.Errorf("%s: %dx%d @%s", r.ID, r.Width, r.Height, r.FrameRate)
			}
			if tr.Kind == media.Audio && (r.SampleRate != 48000 || r.ChannelConf == nil || r.ChannelConf.Value != "2" ||
				r.ChannelConf.Scheme != "urn:mpeg:dash:23003:3:audio_channel_configuration:2011") {
				t.Errorf("%s: audio attributes %+v", r.ID, r)
			}
			st := templateOf(&sets[i], j)
			if st.Timescale != tr.Timescale || st.PTO == nil || *st.PTO != tr.Segments[0].Start {
				t.Errorf("%s: timescale %d pto %v", r.ID, st.Timescale, st.PTO)
			}
			if want := "QualityLevels($Bandwidth$)/Fragments(" + tr.Name + "=$Time$,format=mpd-time-csf)"; st.Media != want {
				t.Errorf("media = %s; want %s", st.Media, want)
			}
			if want := "QualityLevels($Bandwidth$)/Fragments(" + tr.Name + "=i,format=mpd-time-csf)"; st.Init != want {
				t.Errorf("initialization = %s; want %s", st.Init, want)
			}
			starts, durs := st.expand()
			if len(starts) != len(tr.Segments) {
				t.Fatalf("%s: %d S entries; %d segments", r.ID, len(starts), len(tr.Segments))
			}
			var sum uint64
			for k, s := range tr.Segments {
				if starts[k] != s.Start || durs[k] != s.Dur {
					t.Errorf("%s: S %d = %d+%d; segment %d+%d", r.ID, k, starts[k], durs[k], s.Start, s.Dur)
				}
				sum += durs[k]
			}
			frame := uint64(tr.Timescale / 30)
			if tr.Kind == media.Audio {
				frame = 1024
			}
			if diff := int64(sum) - int64(tr.Duration); diff > int64(frame) || -diff > int64(frame) {
				t.Errorf("%s: timeline sums to %d; track lasts %d", r.ID, sum, tr.Duration)
			}
		}
	}
	if len(trackOf) != 4 {
		t.Errorf("Representation ids not unique: %v", trackOf)
	}
	// Same request, same bytes.
	b2, err := dash.MPD(v, dash.Options{Format: dash.FormatCSF})
	if err != nil || !bytes.Equal(b, b2) {
		t.Errorf("MPD not deterministic (%v)", err)
	}
}

func TestMPDFormats(t *testing.T) {
	f := newFixture(t)
	v := packager.Full(f.P, ",format=mpd-time-cmaf")
	b, err := dash.MPD(v, dash.Options{Format: dash.FormatCMAF})
	if err != nil {
		t.Fatal(err)
	}
	if m := parseMPD(t, b); m.Profiles != dash.ProfileLive+","+dash.ProfileCMAF {
		t.Errorf("cmaf profiles = %q", m.Profiles)
	}
	if _, err := dash.MPD(v, dash.Options{Format: "mpd-time-bogus"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestMPDTimeWindow(t *testing.T) {
	f := newFixture(t)
	v := &packager.View{P: f.P, Tracks: f.P.Tracks, Start: 4 * media.HNS, End: 8 * media.HNS}
	b, err := dash.MPD(v, dash.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := parseMPD(t, b)
	if m.MediaPresentationDuration != "PT4S" {
		t.Errorf("mediaPresentationDuration = %s", m.MediaPresentationDuration)
	}
	for _, set := range m.Periods[0].Sets {
		for j := range set.Reps {
			st := templateOf(&set, j)
			starts, _ := st.expand()
			var tr *media.Track
			for _, x := range f.P.Tracks {
				if x.Bitrate == set.Reps[j].Bandwidth {
					tr = x
				}
			}
			if len(starts) != 1 || starts[0] != tr.Segments[1].Start || *st.PTO != tr.Segments[1].Start {
				t.Errorf("%s: window timeline %v pto %d; want segment 1 at %d", set.Reps[j].ID, starts, *st.PTO, tr.Segments[1].Start)
			}
		}
	}
	// Segments outside the window are refused.
	tr := f.P.Tracks[0]
	for k, want := range []bool{false, true, false} {
		_, err := dash.Segment(context.Background(), f.Src, v, tr, k)
		if got := err == nil; got != want {
			t.Errorf("segment %d: err %v", k, err)
		}
		if err != nil && !errors.Is(err, dash.ErrNotFound) {
			t.Errorf("segment %d: %v is not ErrNotFound", k, err)
		}
	}
	// A track filtered out of the view is refused too.
	only := &packager.View{P: f.P, Tracks: f.P.Tracks[:1]}
	if _, err := dash.Segment(context.Background(), f.Src, only, f.P.Tracks[1], 0); !errors.Is(err, dash.ErrNotFound) {
		t.Errorf("filtered track: %v", err)
	}
}

func TestMPDContentProtectionHook(t *testing.T) {
	f := newFixture(t)
	v := packager.Full(f.P, "")
	var calls int
	b, err := dash.MPD(v, dash.Options{ContentProtection: func([]*media.Track) []dash.ContentProtection {
		calls++
		return []dash.ContentProtection{
			{SchemeIDURI: "urn:mpeg:dash:mp4protection:2011", Value: "cenc", DefaultKID: "a7e61c37-3e21-9033-c210-91fa607bf3b8"},
			{SchemeIDURI: "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed", Pssh: "AAAAOHBzc2g="},
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 3 {
		t.Errorf("hook called %d times; want once per AdaptationSet", calls)
	}
	for _, s := range []string{`xmlns:cenc="urn:mpeg:cenc:2013"`, `cenc:default_KID="a7e61c37-3e21-9033-c210-91fa607bf3b8"`, `<cenc:pssh>AAAAOHBzc2g=</cenc:pssh>`} {
		if !bytes.Contains(b, []byte(s)) {
			t.Errorf("MPD lacks %s\n%s", s, b)
		}
	}
	m := parseMPD(t, b)
	cp := m.Periods[0].Sets[0].ContentProtection
	if len(cp) != 2 || cp[0].DefaultKID != "a7e61c37-3e21-9033-c210-91fa607bf3b8" || cp[1].Pssh != "AAAAOHBzc2g=" {
		t.Errorf("ContentProtection read back as %+v", cp)
	}
}
