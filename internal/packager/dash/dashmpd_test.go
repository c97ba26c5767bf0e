// This test reads MPDs back with github.com/Eyevinn/dash-mpd, an
// independent DASH schema model.
package dash_test

import (
	"testing"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/dash"
)

func TestMPDRoundTripDashMPD(t *testing.T) {
	f := newFixture(t)
	b, err := dash.MPD(packager.Full(f.P, ",format=mpd-time-cmaf"), dash.Options{
		Format: dash.FormatCMAF,
		ContentProtection: func([]*media.Track) []dash.ContentProtection {
			return []dash.ContentProtection{
				{SchemeIDURI: "urn:mpeg:dash:mp4protection:2011", Value: "cenc", DefaultKID: "a7e61c37-3e21-9033-c210-91fa607bf3b8"},
				{SchemeIDURI: mpd.DRM_WIDEVINE, Pssh: "AAAAOHBzc2g="},
				{SchemeIDURI: mpd.DRM_PLAYREADY, Pro: "AAAA"},
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := mpd.MPDFromBytes(b)
	if err != nil {
		t.Fatalf("dash-mpd: %v\n%s", err, b)
	}
	if m.GetType() != mpd.STATIC_TYPE || string(m.Profiles) != mpd.PROFILE_LIVE+","+mpd.PROFILE_CMAF || len(m.Periods) != 1 {
		t.Fatalf("MPD = type %s profiles %s periods %d", m.GetType(), m.Profiles, len(m.Periods))
	}
	sets := m.Periods[0].AdaptationSets
	if len(sets) != 3 || len(sets[0].Representations) != 2 || sets[1].Lang != "eng" {
		t.Fatalf("AdaptationSets read back wrong\n%s", b)
	}
	cp := sets[0].ContentProtections
	if len(cp) != 3 || cp[0].DefaultKID != "a7e61c37-3e21-9033-c210-91fa607bf3b8" || cp[1].Pssh == nil || cp[1].Pssh.Value != "AAAAOHBzc2g=" ||
		cp[2].MSPro == nil || cp[2].MSPro.Value != "AAAA" {
		t.Errorf("ContentProtection read back as %+v", cp)
	}
	for i, tr := range f.P.Video() {
		r := sets[0].Representations[i]
		if uint64(r.Bandwidth) != tr.Bitrate || r.Codecs != tr.Codec || r.Width != uint32(tr.Width) {
			t.Errorf("Representation %s: bandwidth %d codecs %s", r.Id, r.Bandwidth, r.Codecs)
		}
		st := sets[0].SegmentTemplate
		if st == nil || st.SegmentTimeline == nil || st.GetTimescale() != tr.Timescale {
			t.Fatalf("video SegmentTemplate = %+v", st)
		}
		var n int
		for _, s := range st.SegmentTimeline.S {
			n += s.R + 1
		}
		if n != len(tr.Segments) {
			t.Errorf("timeline lists %d segments; want %d", n, len(tr.Segments))
		}
	}
	// dash-mpd writes it back, and reads that back the same.
	out, err := m.WriteToString("", false)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := mpd.ReadFromString(out)
	if err != nil {
		t.Fatal(err)
	}
	if out2, _ := m2.WriteToString("", false); out2 != out {
		t.Errorf("dash-mpd round trip differs:\n%s\n%s", out, out2)
	}
}
