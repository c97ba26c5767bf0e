package streamurl_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/streamurl"
)

const (
	loc      = "9d9f2a5c-7a4e-4b8e-9d0b-1f2e3d4c5b6a"
	locUpper = "9D9F2A5C-7A4E-4B8E-9D0B-1F2E3D4C5B6A"
	base     = "/" + loc + "/video.ism/"
)

type R = streamurl.Request
type A = streamurl.Args

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		path string
		want R
		// canon is the expected canonical Path(); "" means path itself.
		canon string
	}{
		// Every example of ams-v3-api.md §9.2.
		{
			name: "smooth manifest",
			path: base + "manifest",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest},
		},
		{
			name:  "smooth manifest capitalised",
			path:  base + "Manifest",
			want:  R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest},
			canon: base + "manifest",
		},
		{
			name: "hls fairplay",
			path: base + "manifest(format=m3u8-aapl,encryption=cbcs-aapl)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest,
				Args: A{Format: streamurl.FormatHLS, Encryption: streamurl.EncCBCS}},
		},
		{
			name: "dash with filters and extension",
			path: base + "manifest(format=mpd-time-csf,filter=f1;f2).mpd",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest, Ext: ".mpd",
				Args: A{Format: streamurl.FormatDASHCSF, Filters: []string{"f1", "f2"}}},
		},
		{
			name: "hls m3u8 extension",
			path: base + "manifest(format=m3u8-aapl).m3u8",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest, Ext: ".m3u8",
				Args: A{Format: streamurl.FormatHLS}},
		},
		{
			name: "extension without args",
			path: base + "manifest.mpd",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest, Ext: ".mpd"},
		},
		{
			name:  "upper-case extension and tokens, order-free keys",
			path:  base + "MANIFEST(Encryption=CENC,FORMAT=MPD-TIME-CMAF).MPD",
			want:  R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest, Ext: ".mpd", Args: A{Format: streamurl.FormatDASHCMAF, Encryption: streamurl.EncCENC}},
			canon: base + "manifest(format=mpd-time-cmaf,encryption=cenc).mpd",
		},
		{
			name: "smooth 2.0",
			path: base + "manifest(format=fmp4-v20)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest, Args: A{Format: streamurl.FormatSmooth20}},
		},
		{
			name: "hls v3 with audiotrack",
			path: base + "manifest(format=m3u8-aapl-v3,audiotrack=aac_eng_2_128041_2_1)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest,
				Args: A{Format: streamurl.FormatHLSv3, AudioTrack: "aac_eng_2_128041_2_1"}},
		},
		{
			name: "hls cmaf cbcs alias",
			path: base + "manifest(format=m3u8-cmaf,encryption=cbcs)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest,
				Args: A{Format: streamurl.FormatHLSCMAF, Encryption: streamurl.EncCBCS}},
			canon: base + "manifest(format=m3u8-cmaf,encryption=cbcs-aapl)",
		},
		{
			name: "dash cbcs alias",
			path: base + "manifest(encryption=cbcs,format=mpd-time-csf)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest,
				Args: A{Format: streamurl.FormatDASHCSF, Encryption: streamurl.EncCBCS}},
			canon: base + "manifest(format=mpd-time-csf,encryption=cbcs-aapl)",
		},
		{
			name: "all arguments, reordered",
			path: base + "manifest(audiotrack=audio,type=keyframes,audio-only=false,filter=a.b;c-d;e_f,encryption=cbc,format=m3u8-aapl)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest,
				Args: A{Format: streamurl.FormatHLS, Encryption: streamurl.EncCBC, Filters: []string{"a.b", "c-d", "e_f"},
					AudioOnlyFalse: true, Keyframes: true, AudioTrack: "audio"}},
			canon: base + "manifest(format=m3u8-aapl,encryption=cbc,filter=a.b;c-d;e_f,audio-only=false,type=keyframes,audiotrack=audio)",
		},
		{
			name: "audio-only FALSE",
			path: base + "manifest(format=m3u8-aapl,audio-only=FALSE)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest,
				Args: A{Format: streamurl.FormatHLS, AudioOnlyFalse: true}},
			canon: base + "manifest(format=m3u8-aapl,audio-only=false)",
		},
		{
			name:  "upper-case locator normalised",
			path:  "/" + locUpper + "/video.ism/manifest",
			want:  R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest},
			canon: base + "manifest",
		},
		{
			name: "name with dots dashes and spaces",
			path: "/" + loc + "/Big%20Buck.Bunny-1080p.ism/manifest",
			want: R{LocatorID: loc, Name: "Big Buck.Bunny-1080p", Kind: streamurl.KindManifest},
		},
		{
			name:  "upper-case .ISM suffix",
			path:  "/" + loc + "/Video.ISM/manifest",
			want:  R{LocatorID: loc, Name: "Video", Kind: streamurl.KindManifest},
			canon: "/" + loc + "/Video.ism/manifest",
		},
		{
			name:  "name with parentheses and non-ASCII",
			path:  "/" + loc + "/caf%C3%A9%20(1).ism/manifest",
			want:  R{LocatorID: loc, Name: "café (1)", Kind: streamurl.KindManifest},
			canon: "/" + loc + "/caf%C3%A9%20(1).ism/manifest",
		},
		{
			name:  "escaped delimiters are the same as literal ones",
			path:  base + "manifest%28format%3Dm3u8-aapl%2Cencryption%3Dcbc%29",
			want:  R{LocatorID: loc, Name: "video", Kind: streamurl.KindManifest, Args: A{Format: streamurl.FormatHLS, Encryption: streamurl.EncCBC}},
			canon: base + "manifest(format=m3u8-aapl,encryption=cbc)",
		},
		{
			name: "smooth fragment",
			path: base + "QualityLevels(3400000)/Fragments(video=0)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 3400000, Track: "video"},
		},
		{
			name: "smooth fragment large time",
			path: base + "QualityLevels(3400000)/Fragments(video=18446744073709551615)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 3400000, Track: "video", Time: 18446744073709551615},
		},
		{
			name: "dash audio init",
			path: base + "QualityLevels(128041)/Fragments(aac_eng_2_128041_2_1=i,format=mpd-time-csf)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 128041,
				Track: "aac_eng_2_128041_2_1", Init: true, Args: A{Format: streamurl.FormatDASHCSF}},
		},
		{
			name: "dash media with encryption",
			path: base + "QualityLevels(3400000)/Fragments(video=20000000,format=mpd-time-csf,encryption=cenc)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 3400000,
				Track: "video", Time: 20000000, Args: A{Format: streamurl.FormatDASHCSF, Encryption: streamurl.EncCENC}},
		},
		{
			name: "hls segment",
			path: base + "QualityLevels(3400000)/Fragments(video=40000000,format=m3u8-aapl)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 3400000,
				Track: "video", Time: 40000000, Args: A{Format: streamurl.FormatHLS}},
		},
		{
			name:  "hls segment with extension, leading zeros",
			path:  base + "qualitylevels(03400000)/fragments(video=040000000,format=m3u8-aapl).TS",
			want:  R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 3400000, Track: "video", Time: 40000000, Ext: ".ts", Args: A{Format: streamurl.FormatHLS}},
			canon: base + "QualityLevels(3400000)/Fragments(video=40000000,format=m3u8-aapl).ts",
		},
		{
			name: "cmaf init with m4s-style extension",
			path: base + "QualityLevels(128041)/Fragments(aac_eng_2_128041_2_1=i,format=m3u8-cmaf,encryption=cbcs-aapl).mp4",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 128041, Track: "aac_eng_2_128041_2_1",
				Init: true, Ext: ".mp4", Args: A{Format: streamurl.FormatHLSCMAF, Encryption: streamurl.EncCBCS}},
		},
		{
			name:  "init upper-case I",
			path:  base + "QualityLevels(1)/Fragments(video=I)",
			want:  R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 1, Track: "video", Init: true},
			canon: base + "QualityLevels(1)/Fragments(video=i)",
		},
		{
			name: "hls media playlist",
			path: base + "QualityLevels(3400000)/Manifest(video,format=m3u8-aapl)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindPlaylist, Bitrate: 3400000, Track: "video", Args: A{Format: streamurl.FormatHLS}},
		},
		{
			name: "hls iframe playlist",
			path: base + "QualityLevels(3400000)/Manifest(video,format=m3u8-aapl,type=keyframes)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindPlaylist, Bitrate: 3400000, Track: "video",
				Args: A{Format: streamurl.FormatHLS, Keyframes: true}},
		},
		{
			name: "hls playlist with extension and no args",
			path: base + "QualityLevels(128041)/Manifest(aac_eng_2_128041_2_1).m3u8",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindPlaylist, Bitrate: 128041, Track: "aac_eng_2_128041_2_1", Ext: ".m3u8"},
		},
		{
			name: "track with escaped space",
			path: base + "QualityLevels(1)/Fragments(audio%20eng=5)",
			want: R{LocatorID: loc, Name: "video", Kind: streamurl.KindFragment, Bitrate: 1, Track: "audio eng", Time: 5},
		},
		{
			name: "download",
			path: "/" + loc + "/video_3400000.mp4",
			want: R{LocatorID: loc, Kind: streamurl.KindDownload, File: "video_3400000.mp4"},
		},
		{
			name: "download in folder with escapes",
			path: "/" + loc + "/sub%20dir/a%2Bb/clip+1.mp4",
			want: R{LocatorID: loc, Kind: streamurl.KindDownload, File: "sub dir/a+b/clip+1.mp4"},
			// '+' is kept literal either way.
			canon: "/" + loc + "/sub%20dir/a+b/clip+1.mp4",
		},
		{
			name: "download of an .ismc file",
			path: "/" + loc + "/video.ismc",
			want: R{LocatorID: loc, Kind: streamurl.KindDownload, File: "video.ismc"},
		},
		{
			name: "download whose folder looks like a sub-resource",
			path: "/" + loc + "/QualityLevels(1)/Fragments(video=0)",
			want: R{LocatorID: loc, Kind: streamurl.KindDownload, File: "QualityLevels(1)/Fragments(video=0)"},
		},
		{
			name: "name of dots only is a name, not navigation",
			path: "/" + loc + "/...ism/manifest",
			want: R{LocatorID: loc, Name: "..", Kind: streamurl.KindManifest},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := streamurl.Parse(tt.path)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.path, err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Fatalf("Parse(%q)\n got %+v\nwant %+v", tt.path, *got, tt.want)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.path
			}
			if p := got.Path(); p != canon {
				t.Errorf("Path() = %q; want %q", p, canon)
			}
			checkRoundTrip(t, got)
		})
	}
}

// checkRoundTrip asserts Parse(r.Path()) == r.
func checkRoundTrip(t testing.TB, r *streamurl.Request) {
	t.Helper()
	p := r.Path()
	again, err := streamurl.Parse(p)
	if err != nil {
		t.Fatalf("Parse(Path()) = %v for %q (from %+v)", err, p, *r)
	}
	if !reflect.DeepEqual(again, r) {
		t.Fatalf("round trip through %q\n got %+v\nwant %+v", p, *again, *r)
	}
}

func TestParseInvalid(t *testing.T) {
	const bad, nf = http.StatusBadRequest, http.StatusNotFound
	long := strings.Repeat("a", 300)
	tests := []struct {
		name    string
		path    string
		status  int
		msgPart string
	}{
		// Not any known shape: 404.
		{"empty", "", bad, "start with '/'"},
		{"relative", loc + "/video.ism/manifest", bad, "start with '/'"},
		{"root", "/", nf, "locator"},
		{"not a guid", "/assets/video.ism/manifest", nf, "locator"},
		{"guid without hyphens", "/9d9f2a5c7a4e4b8e9d0b1f2e3d4c5b6a/video.ism/manifest", nf, "locator"},
		{"guid in braces", "/{" + loc + "}/video.ism/manifest", nf, "locator"},
		{"guid with bad hex", "/9d9f2a5c-7a4e-4b8e-9d0b-1f2e3d4c5b6g/x.mp4", nf, "locator"},
		{"locator only", "/" + loc, nf, "nothing after"},
		{"bare ism", base[:len(base)-1], nf, "nothing after"},
		{"unknown word", base + "foo", nf, "unknown resource"},
		{"manifest prefix", base + "manifests", nf, "unknown resource"},
		{"unknown word with args", base + "Fragments(video=0)", nf, "unknown resource"},
		{"unknown sub word", base + "QualityLevels(1)/Foo(video=0)", nf, "unknown resource"},
		{"not QualityLevels", base + "Levels(1)/Fragments(video=0)", nf, "unknown resource"},
		{"too deep", base + "QualityLevels(1)/Fragments(video=0)/x", nf, "too many"},

		// Recognised shape, bad syntax: 400.
		{"trailing slash", base, bad, "empty path segment"},
		{"double slash", "/" + loc + "//video.ism/manifest", bad, "empty path segment"},
		{"dot segment", "/" + loc + "/./video.ism/manifest", bad, "not allowed"},
		{"dotdot download", "/" + loc + "/a/../b.mp4", bad, "not allowed"},
		{"escaped dotdot", "/" + loc + "/%2E%2E/secret", bad, "not allowed"},
		{"escaped slash", "/" + loc + "/a%2Fb.mp4", bad, "escaped '/'"},
		{"escaped slash in name", "/" + loc + "/a%2F..%2Fb.ism/manifest", bad, "escaped '/'"},
		{"backslash", "/" + loc + "/a%5C..%5Cb.mp4", bad, "backslash"},
		{"raw backslash", "/" + loc + `/a\b.mp4`, bad, "backslash"},
		{"nul", "/" + loc + "/a%00.mp4", bad, "control"},
		{"newline", "/" + loc + "/video.ism/manifest%0A", bad, "control"},
		{"c1 control", "/" + loc + "/a%C2%85.mp4", bad, "control"},
		{"invalid utf-8", "/" + loc + "/a%FF.mp4", bad, "UTF-8"},
		{"bad escape", "/" + loc + "/a%zz.mp4", bad, "percent-escape"},
		{"truncated escape", "/" + loc + "/a%2", bad, "percent-escape"},
		{"long segment", "/" + loc + "/" + long + ".mp4", bad, "longer than 255"},
		{"long path", "/" + loc + "/" + strings.Repeat("a/", 2100), bad, "longer than 4096"},
		{"long file", "/" + loc + "/" + strings.Repeat(strings.Repeat("a", 200)+"/", 6) + "x", bad, "longer than 1024"},
		{"empty name", "/" + loc + "/.ism/manifest", bad, "empty name"},
		{"empty args", base + "manifest()", bad, "empty argument list"},
		{"missing paren", base + "manifest(format=m3u8-aapl", bad, "missing ')'"},
		{"stray paren", base + "manifest)", bad, "unbalanced"},
		{"nested paren", base + "manifest(format=(m3u8-aapl))", bad, "unbalanced"},
		{"text after paren", base + "manifest(format=m3u8-aapl)x", bad, "extension"},
		{"bad manifest ext", base + "manifest(format=m3u8-aapl).json", bad, "extension"},
		{"bad manifest ext no args", base + "manifest.ts", bad, "extension"},
		{"unknown format", base + "manifest(format=m3u8-foo)", bad, `format value "m3u8-foo" is not supported`},
		{"hds", base + "manifest(format=f4m-f4f)", bad, "not supported"},
		{"empty format", base + "manifest(format=)", bad, "empty value"},
		{"unknown encryption", base + "manifest(encryption=aes)", bad, "encryption value"},
		{"cbcs alias with ts hls", base + "manifest(format=m3u8-aapl,encryption=cbcs)", bad, "cbcs"},
		{"cbcs alias without format", base + "manifest(encryption=cbcs)", bad, "cbcs"},
		{"unknown key", base + "manifest(format=m3u8-aapl,foo=bar)", bad, `unknown argument "foo"`},
		{"duplicate key", base + "manifest(format=m3u8-aapl,FORMAT=m3u8-aapl)", bad, "repeated"},
		{"duplicate filter key", base + "manifest(filter=a,filter=b)", bad, "repeated"},
		{"not key=value", base + "manifest(m3u8-aapl)", bad, "not key=value"},
		{"empty item", base + "manifest(format=m3u8-aapl,)", bad, "empty argument"},
		{"leading comma", base + "manifest(,format=m3u8-aapl)", bad, "empty argument"},
		{"audio-only true", base + "manifest(audio-only=true)", bad, "only false"},
		{"type other", base + "manifest(type=iframes)", bad, "only keyframes"},
		{"empty filter", base + "manifest(filter=a;;b)", bad, "empty filter"},
		{"trailing semicolon", base + "manifest(filter=a;)", bad, "empty filter"},
		{"bad filter char", base + "manifest(filter=a%20b)", bad, "filter name"},
		{"filter ending in dot", base + "manifest(filter=a.)", bad, "filter name"},
		{"long filter", base + "manifest(filter=" + strings.Repeat("f", 261) + ")", bad, "filter name"},
		{"duplicate filter", base + "manifest(filter=a;B;A)", bad, "repeated"},
		{"bad audiotrack", base + "manifest(audiotrack=a;b)", bad, "track name"},
		{"ql without parens", base + "QualityLevels/Fragments(video=0)", bad, "QualityLevels({bitrate})"},
		{"ql with tail", base + "QualityLevels(1).x/Fragments(video=0)", bad, "QualityLevels({bitrate})"},
		{"empty bitrate", base + "QualityLevels()/Fragments(video=0)", bad, "empty bitrate"},
		{"negative bitrate", base + "QualityLevels(-1)/Fragments(video=0)", bad, "unsigned decimal"},
		{"plus bitrate", base + "QualityLevels(+1)/Fragments(video=0)", bad, "unsigned decimal"},
		{"hex bitrate", base + "QualityLevels(0x10)/Fragments(video=0)", bad, "unsigned decimal"},
		{"bitrate overflow", base + "QualityLevels(18446744073709551616)/Fragments(video=0)", bad, "out of range"},
		{"bitrate 21 digits", base + "QualityLevels(000000000000000000001)/Fragments(video=0)", bad, "20 digits"},
		{"fragment without parens", base + "QualityLevels(1)/Fragments", bad, "expected Fragments"},
		{"fragment empty", base + "QualityLevels(1)/Fragments()", bad, "expected Fragments"},
		{"fragment without time", base + "QualityLevels(1)/Fragments(video)", bad, "{track}={time}"},
		{"fragment empty time", base + "QualityLevels(1)/Fragments(video=)", bad, "empty fragment time"},
		{"fragment negative time", base + "QualityLevels(1)/Fragments(video=-5)", bad, "unsigned decimal"},
		{"fragment plus time", base + "QualityLevels(1)/Fragments(video=+5)", bad, "unsigned decimal"},
		{"fragment float time", base + "QualityLevels(1)/Fragments(video=1.5)", bad, "unsigned decimal"},
		{"fragment time overflow", base + "QualityLevels(1)/Fragments(video=99999999999999999999)", bad, "out of range"},
		{"fragment empty track", base + "QualityLevels(1)/Fragments(=0)", bad, "empty track"},
		{"fragment track space edge", base + "QualityLevels(1)/Fragments(%20video=0)", bad, "white space"},
		{"fragment long track", base + "QualityLevels(1)/Fragments(" + strings.Repeat("t", 261) + "=0)", bad, "longer than 260"},
		{"fragment bad ext", base + "QualityLevels(1)/Fragments(video=0).t-s", bad, "extension"},
		{"fragment long ext", base + "QualityLevels(1)/Fragments(video=0).abcdefghi", bad, "extension"},
		{"fragment dot only", base + "QualityLevels(1)/Fragments(video=0).", bad, "extension"},
		{"fragment bad arg", base + "QualityLevels(1)/Fragments(video=0,format=xyz)", bad, "format value"},
		{"fragment second time", base + "QualityLevels(1)/Fragments(video=0,audio=0)", bad, "unknown argument"},
		{"playlist without track", base + "QualityLevels(1)/Manifest(format=m3u8-aapl)", bad, "track name"},
		{"playlist empty", base + "QualityLevels(1)/Manifest()", bad, "expected Manifest"},
		{"playlist without parens", base + "QualityLevels(1)/Manifest", bad, "expected Manifest"},
		{"playlist bad ext", base + "QualityLevels(1)/Manifest(video).mpd", bad, "extension"},
		{"playlist empty track", base + "QualityLevels(1)/Manifest(,format=m3u8-aapl)", bad, "empty track"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := streamurl.Parse(tt.path)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v; want an error", tt.path, *r)
			}
			var e *streamurl.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *streamurl.Error: %v", err, err)
			}
			wantCode := streamurl.CodeBadURLSyntax
			if tt.status == nf {
				wantCode = streamurl.CodeResourceNotFound
			}
			if e.Status != tt.status || e.Code != wantCode {
				t.Errorf("Parse(%q) = %d %s (%s); want %d %s", tt.path, e.Status, e.Code, e.Msg, tt.status, wantCode)
			}
			if !strings.Contains(e.Msg, tt.msgPart) {
				t.Errorf("message %q does not contain %q", e.Msg, tt.msgPart)
			}
			if len(e.Msg) > 200 {
				t.Errorf("message is %d bytes long: %q", len(e.Msg), e.Msg)
			}
		})
	}
}

func TestErrorQuotesShortPrefix(t *testing.T) {
	payload := strings.Repeat("<script>", 100)
	_, err := streamurl.Parse(base + "manifest(format=" + payload + ")")
	var e *streamurl.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	if strings.Count(e.Msg, "<script>") > 10 || !strings.Contains(e.Msg, "...") {
		t.Errorf("message echoes too much input: %q", e.Msg)
	}
	if !strings.HasPrefix(err.Error(), "streamurl: MPE_BAD_URL_SYNTAX: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestErrorUnwrap(t *testing.T) {
	_, err := streamurl.Parse(base + "QualityLevels(99999999999999999999)/Fragments(video=0)")
	var e *streamurl.Error
	if !errors.As(err, &e) || e.Err == nil || errors.Unwrap(err) != e.Err { //nolint:errorlint // the direct wrap is what is checked
		t.Fatalf("err = %v; want a wrapped strconv error", err)
	}
}
