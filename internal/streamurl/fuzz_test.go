package streamurl_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/streamurl"
)

// FuzzParse checks, for any input, that Parse does not panic, that a
// failure is a 400/404 *Error with a bounded message, and that an accepted
// path re-rendered canonically parses to the same Request (and renders to
// the same canonical path again).
//
// Corpus entries in testdata/fuzz/FuzzParse/ reproduce these findings:
//
//   - (none so far)
func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		"/",
		base + "manifest",
		base + "Manifest",
		base + "manifest(format=m3u8-aapl,encryption=cbcs-aapl)",
		base + "manifest(format=m3u8-aapl).m3u8",
		base + "manifest(format=mpd-time-csf,filter=f1;f2).mpd",
		base + "manifest(format=m3u8-cmaf,encryption=cbcs)",
		base + "manifest(format=m3u8-aapl-v3,audiotrack=aac_eng_2_128041_2_1,audio-only=false)",
		base + "manifest(format=fmp4-v20,filter=a.b;c-d)",
		base + "QualityLevels(128041)/Fragments(aac_eng_2_128041_2_1=i,format=mpd-time-csf)",
		base + "QualityLevels(3400000)/Fragments(video=20000000,format=mpd-time-cmaf,encryption=cenc)",
		base + "QualityLevels(3400000)/Fragments(video=0,format=m3u8-aapl).ts",
		base + "QualityLevels(3400000)/Manifest(video,format=m3u8-aapl,type=keyframes)",
		base + "QualityLevels(3400000)/Manifest(video,format=m3u8-aapl).m3u8",
		base + "QualityLevels(3400000)/Fragments(video=18446744073709551615)",
		base + "QualityLevels(1)/Fragments(audio%20eng=5)",
		"/" + locUpper + "/Big%20Buck%20Bunny.ISM/MANIFEST(FORMAT=MPD-TIME-CSF).MPD",
		"/" + loc + "/caf%C3%A9%20(1).ism/manifest",
		"/" + loc + "/video_3400000.mp4",
		"/" + loc + "/sub%20dir/a+b/clip.mp4",
		"/" + loc + "/a/../b.mp4",
		"/" + loc + "/a%2Fb.mp4",
		"/" + loc + "/%2e%2e/x",
		"/" + loc + "/a%00.mp4",
		base + "manifest(format=m3u8-aapl,format=m3u8-aapl)",
		base + "manifest(filter=a;;b)",
		base + "QualityLevels(-1)/Fragments(video=0)",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		r, err := streamurl.Parse(p)
		if err != nil {
			if r != nil {
				t.Fatalf("Parse returned both a Request and an error")
			}
			var e *streamurl.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *streamurl.Error", err)
			}
			switch {
			case e.Status == http.StatusBadRequest && e.Code == streamurl.CodeBadURLSyntax:
			case e.Status == http.StatusNotFound && e.Code == streamurl.CodeResourceNotFound:
			default:
				t.Fatalf("unexpected status/code %d %s", e.Status, e.Code)
			}
			// A message is a fixed text plus at most two quoted prefixes
			// of the input (each ≤ 64 bytes before quoting).
			if len(e.Msg) > 400 || e.Msg == "" {
				t.Fatalf("message of %d bytes: %q", len(e.Msg), e.Msg)
			}
			return
		}
		checkInvariants(t, r)
		canon := r.Path()
		again, err := streamurl.Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its canonical form %q fails: %v", p, canon, err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip %q -> %q\n got %+v\nwant %+v", p, canon, *again, *r)
		}
		if c2 := again.Path(); c2 != canon {
			t.Fatalf("canonical form not stable: %q then %q", canon, c2)
		}
	})
}

// checkInvariants states what every accepted Request satisfies, so that the
// origin can rely on it without re-checking.
func checkInvariants(t *testing.T, r *streamurl.Request) {
	t.Helper()
	if len(r.LocatorID) != 36 || strings.ToLower(r.LocatorID) != r.LocatorID {
		t.Fatalf("bad locator %q", r.LocatorID)
	}
	switch r.Kind {
	case streamurl.KindDownload:
		if r.Name != "" || r.File == "" || r.Track != "" || !reflect.DeepEqual(r.Args, streamurl.Args{}) {
			t.Fatalf("bad download request %+v", *r)
		}
		for _, s := range strings.Split(r.File, "/") {
			if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "\\\x00") {
				t.Fatalf("unsafe file %q", r.File)
			}
		}
	case streamurl.KindManifest, streamurl.KindPlaylist, streamurl.KindFragment:
		if r.Name == "" || strings.ContainsAny(r.Name, "/\\\x00") || r.File != "" {
			t.Fatalf("bad streaming request %+v", *r)
		}
		if (r.Kind == streamurl.KindManifest) != (r.Track == "") {
			t.Fatalf("track/kind mismatch %+v", *r)
		}
		if r.Init && (r.Kind != streamurl.KindFragment || r.Time != 0) {
			t.Fatalf("bad init %+v", *r)
		}
		if r.Track != "" && streamurl.CheckTrackName(r.Track) != nil {
			t.Fatalf("bad track %q", r.Track)
		}
	default:
		t.Fatalf("bad kind %v", r.Kind)
	}
	if r.Format.Protocol() == "" || r.Encryption < streamurl.EncNone || r.Encryption > streamurl.EncCBCS {
		t.Fatalf("bad enum %+v", *r)
	}
	if r.Filters != nil && len(r.Filters) == 0 {
		t.Fatalf("empty non-nil filters")
	}
}
