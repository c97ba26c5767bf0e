package streamurl_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/streamurl"
)

func TestBuilders(t *testing.T) {
	dash := streamurl.Args{Format: streamurl.FormatDASHCSF, Encryption: streamurl.EncCENC}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"smooth manifest", streamurl.ManifestPath(streamurl.Args{}, ""), "manifest"},
		{"dash manifest", streamurl.ManifestPath(dash, ".mpd"), "manifest(format=mpd-time-csf,encryption=cenc).mpd"},
		{"dash media template",
			streamurl.FragmentPath("$Bandwidth$", "video", "$Time$", dash, ""),
			"QualityLevels($Bandwidth$)/Fragments(video=$Time$,format=mpd-time-csf,encryption=cenc)"},
		{"dash init template",
			streamurl.FragmentPath("$Bandwidth$", "aac_eng_2_128041_2_1", streamurl.InitTime, streamurl.Args{Format: streamurl.FormatDASHCSF}, ""),
			"QualityLevels($Bandwidth$)/Fragments(aac_eng_2_128041_2_1=i,format=mpd-time-csf)"},
		{"smooth template",
			streamurl.FragmentPath("{bitrate}", "video", "{start time}", streamurl.Args{}, ""),
			"QualityLevels({bitrate})/Fragments(video={start time})"},
		{"hls playlist",
			streamurl.PlaylistPath("3400000", "video", streamurl.Args{Format: streamurl.FormatHLS}, ""),
			"QualityLevels(3400000)/Manifest(video,format=m3u8-aapl)"},
		{"hls iframe playlist",
			streamurl.PlaylistPath("3400000", "video", streamurl.Args{Format: streamurl.FormatHLS, Keyframes: true}, ""),
			"QualityLevels(3400000)/Manifest(video,format=m3u8-aapl,type=keyframes)"},
		{"hls segment with ext",
			streamurl.FragmentPath("128041", "audio", "0", streamurl.Args{Format: streamurl.FormatHLS, Encryption: streamurl.EncCBCS}, ".ts"),
			"QualityLevels(128041)/Fragments(audio=0,format=m3u8-aapl,encryption=cbcs-aapl).ts"},
		{"track escaped, never a template",
			streamurl.FragmentPath("1", "a $Time$ {x}%", "0", streamurl.Args{}, ""),
			"QualityLevels(1)/Fragments(a%20%24Time%24%20%7Bx%7D%25=0)"},
		{"args canonical order",
			streamurl.Args{AudioTrack: "a b", Keyframes: true, AudioOnlyFalse: true, Filters: []string{"x", "y"},
				Encryption: streamurl.EncCBC, Format: streamurl.FormatHLSv3}.String(),
			"format=m3u8-aapl-v3,encryption=cbc,filter=x;y,audio-only=false,type=keyframes,audiotrack=a%20b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %q\nwant %q", tt.got, tt.want)
			}
		})
	}
}

func TestBuiltPathsParse(t *testing.T) {
	r := &streamurl.Request{LocatorID: loc, Name: "my video", Kind: streamurl.KindFragment,
		Args:    streamurl.Args{Format: streamurl.FormatHLSCMAF, Encryption: streamurl.EncCBCS, Filters: []string{"f1"}},
		Bitrate: 3400000, Track: "video", Time: 123, Ext: ".m4s"}
	if got, want := r.Base(), "/"+loc+"/my%20video.ism/"; got != want {
		t.Errorf("Base() = %q; want %q", got, want)
	}
	checkRoundTrip(t, r)

	d := &streamurl.Request{LocatorID: loc, Kind: streamurl.KindDownload, File: "dir/my file #1.mp4"}
	if got, want := d.Path(), "/"+loc+"/dir/my%20file%20%231.mp4"; got != want {
		t.Errorf("Path() = %q; want %q", got, want)
	}
	checkRoundTrip(t, d)
}

func TestEnumStrings(t *testing.T) {
	formats := []struct {
		f        streamurl.Format
		token    string
		protocol string
		cmaf     bool
	}{
		{streamurl.FormatSmooth, "", "SmoothStreaming", false},
		{streamurl.FormatSmooth20, "fmp4-v20", "SmoothStreaming", false},
		{streamurl.FormatHLS, "m3u8-aapl", "Hls", false},
		{streamurl.FormatHLSv3, "m3u8-aapl-v3", "Hls", false},
		{streamurl.FormatHLSCMAF, "m3u8-cmaf", "Hls", true},
		{streamurl.FormatDASHCSF, "mpd-time-csf", "Dash", true},
		{streamurl.FormatDASHCMAF, "mpd-time-cmaf", "Dash", true},
		{streamurl.Format(99), "Format(99)", "", false},
	}
	for _, tt := range formats {
		if tt.f.String() != tt.token || tt.f.Protocol() != tt.protocol || tt.f.IsCMAF() != tt.cmaf {
			t.Errorf("Format %d: %q %q %v", int(tt.f), tt.f.String(), tt.f.Protocol(), tt.f.IsCMAF())
		}
	}
	encs := map[streamurl.Encryption]string{
		streamurl.EncNone: "", streamurl.EncCBC: "cbc", streamurl.EncCENC: "cenc",
		streamurl.EncCBCS: "cbcs-aapl", streamurl.Encryption(-1): "Encryption(-1)",
	}
	for e, want := range encs {
		if e.String() != want {
			t.Errorf("Encryption %d = %q; want %q", int(e), e.String(), want)
		}
	}
	kinds := map[streamurl.Kind]string{
		streamurl.KindManifest: "manifest", streamurl.KindPlaylist: "playlist",
		streamurl.KindFragment: "fragment", streamurl.KindDownload: "download", 0: "Kind(0)",
	}
	for k, want := range kinds {
		if k.String() != want {
			t.Errorf("Kind %d = %q; want %q", int(k), k.String(), want)
		}
	}
}

func TestCheckTrackName(t *testing.T) {
	for _, ok := range []string{"video", "aac_eng_2_128041_2_1", "audio eng", "piste-française", "a.b~c"} {
		if err := streamurl.CheckTrackName(ok); err != nil {
			t.Errorf("CheckTrackName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a,b", "a=b", "a(b", "a)b", "a;b", "a/b", `a\b`, " a", "a ", "a\tb", string(make([]byte, 261))} {
		if err := streamurl.CheckTrackName(bad); err == nil {
			t.Errorf("CheckTrackName(%q) = nil; want an error", bad)
		}
	}
}
