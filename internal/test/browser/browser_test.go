package browser

import (
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// seconds is how far the positive runs play: enough to cross segment
// boundaries (2 s) without making the suite slow.
const seconds = 4

// dash packages the muxed 10 s test clip (H.264 + AAC, 2 s GOP) as clear
// DASH with ffmpeg's dash muxer, in a temp dir.
func dash(t *testing.T) string {
	t.Helper()
	src := mediatest.Muxed(t).Files[0].Path
	dir := t.TempDir()
	mediatest.FFmpeg(t, dir, "-i", src, "-map", "0", "-c", "copy",
		"-f", "dash", "-seg_duration", "2", "-use_template", "1", "-use_timeline", "1",
		"-adaptation_sets", "id=0,streams=v id=1,streams=a", "manifest.mpd")
	return dir
}

// hlsTS packages the same clip as clear HLS with muxed MPEG-TS segments.
func hlsTS(t *testing.T) string {
	t.Helper()
	src := mediatest.Muxed(t).Files[0].Path
	dir := t.TempDir()
	mediatest.FFmpeg(t, dir, "-i", src, "-map", "0", "-c", "copy",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
		"-hls_segment_filename", "seg_%03d.ts", "index.m3u8")
	return dir
}

func TestPlayDASHShaka(t *testing.T) {
	Require(t)
	base := ServeDir(t, dash(t))
	rep := Play(t, Options{Player: Shaka, URL: base + "/manifest.mpd", Seconds: seconds})
	if !rep.Pass || rep.Outcome != "pass" || rep.TotalVideoFrames <= 0 || rep.PlayedSeconds < seconds {
		t.Fatalf("did not play: %s\n%s", rep, rep.Details())
	}
	if rep.VideoWidth != 640 || rep.VideoHeight != 360 || rep.Variant == nil || !strings.HasPrefix(rep.Variant.VideoCodec, "avc1") {
		t.Fatalf("video %dx%d, variant %+v", rep.VideoWidth, rep.VideoHeight, rep.Variant)
	}
	if !rep.Env.IsSecureContext || !rep.Env.EME["org.w3.clearkey"] || rep.PlayerVersion == "" || rep.Events["playing"] == 0 {
		t.Fatalf("env %+v, version %q, events %v", rep.Env, rep.PlayerVersion, rep.Events)
	}
	if len(rep.HTTPErrors) != 0 || len(rep.FatalKinds) != 0 || rep.RequestCount == 0 {
		t.Fatalf("errors on a clean run: %s\n%s", rep, rep.Details())
	}
	if fi, err := os.Stat(rep.Screenshot); err != nil || fi.Size() == 0 {
		t.Fatalf("screenshot %q: %v", rep.Screenshot, err)
	}
	t.Logf("%s (%.1f s)", rep, rep.ElapsedSeconds)
}

func TestPlayHLSTSHlsjs(t *testing.T) {
	Require(t)
	base := ServeDir(t, hlsTS(t))
	rep := Play(t, Options{Player: HLSJS, URL: base + "/index.m3u8", Seconds: seconds})
	if !rep.Pass || rep.TotalVideoFrames <= 0 || rep.VideoWidth != 640 {
		t.Fatalf("did not play: %s\n%s", rep, rep.Details())
	}
	if rep.Variant == nil || len(rep.HTTPErrors) != 0 {
		t.Fatalf("variant %+v, http errors %+v", rep.Variant, rep.HTTPErrors)
	}
	t.Logf("%s (%.1f s)", rep, rep.ElapsedSeconds)
}

// TestPlayFails shows the harness fails streams that cannot play, quickly
// and with the cause in the report.
func TestPlayFails(t *testing.T) {
	Require(t)
	withCORS := ServeDir(t, t.TempDir())
	noCORS := httptest.NewServer(fileServer(hlsTS(t)))
	t.Cleanup(noCORS.Close)

	tests := []struct {
		name   string
		opts   Options
		check  func(Report) bool
		reason string
	}{
		{
			name: "manifest 404, shaka",
			opts: Options{Player: Shaka, URL: withCORS + "/missing.mpd"},
			check: func(r Report) bool {
				e := r.Errors[0]
				return r.HasError("1001") && e.HTTPStatus == 404 && e.RequestType == "MANIFEST" && e.Kind == "network" &&
					len(r.HTTPErrors) > 0 && r.HTTPErrors[0].Status == 404
			},
			reason: "Shaka 1001 BAD_HTTP_STATUS 404 on the manifest",
		},
		{
			name: "manifest 404, hls.js",
			opts: Options{Player: HLSJS, URL: withCORS + "/missing.m3u8"},
			check: func(r Report) bool {
				return r.HasError("manifestLoadError") && r.Errors[0].HTTPStatus == 404 && r.FatalKinds[0] == "manifest"
			},
			reason: "hls.js manifestLoadError 404",
		},
		{
			name: "no CORS, hls.js",
			opts: Options{Player: HLSJS, URL: noCORS.URL + "/index.m3u8"},
			check: func(r Report) bool {
				cors := false
				for _, c := range r.Console {
					cors = cors || strings.Contains(c, "CORS")
				}
				return r.HasError("manifestLoadError") && cors
			},
			reason: "hls.js manifestLoadError, console names CORS",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // no playback timing at stake
			tt.opts.Seconds = seconds
			rep := Play(t, tt.opts)
			if rep.Pass || rep.Outcome != "fatal-error" || rep.TotalVideoFrames != 0 || len(rep.Errors) == 0 {
				t.Fatalf("want a fatal error, got %s\n%s", rep, rep.Details())
			}
			if !tt.check(rep) {
				t.Fatalf("want %s, got %s\n%s", tt.reason, rep, rep.Details())
			}
			// Ends soon after the error, not at the timeout.
			if rep.ElapsedSeconds > 20 {
				t.Fatalf("took %.1f s", rep.ElapsedSeconds)
			}
		})
	}
}

// TestHarnessFailure: a browser that does not start, or bad options, is a
// harness failure, not a stream that did not play.
func TestHarnessFailure(t *testing.T) {
	Require(t)
	tl, err := findTools()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []input{
		Options{URL: "http://127.0.0.1:1/x.mpd"}.input("/bin/false"),
		Options{Player: "vlc", URL: "http://127.0.0.1:1/x.mpd"}.input(tl.chromium),
	} {
		rep, err := run(tl, in)
		if !errors.Is(err, errHarness) || rep.Pass || rep.Outcome != "harness-error" {
			t.Fatalf("%+v: report %s, err %v", in, rep, err)
		}
	}
}

func TestOptionsInput(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want input
	}{
		{"defaults", Options{URL: "u"}, input{Player: Shaka, URL: "u", Seconds: 8, TimeoutSeconds: 38,
			TokenPlacement: TokenHeader, TokenScope: "keys", MaxRetries: 1, Chromium: "c"}},
		{"no retries, query token everywhere", Options{Player: HLSJS, URL: "u", Seconds: 2, MaxRetries: -1,
			Token: "t", TokenPlacement: TokenQuery, TokenScopeAll: true},
			input{Player: HLSJS, URL: "u", Seconds: 2, TimeoutSeconds: 32, Token: "t", TokenPlacement: TokenQuery,
				TokenScope: "all", MaxRetries: 0, Chromium: "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.opts.input("c"); got.Player != tt.want.Player || got.URL != tt.want.URL || got.Seconds != tt.want.Seconds ||
				got.TimeoutSeconds != tt.want.TimeoutSeconds || got.TokenPlacement != tt.want.TokenPlacement ||
				got.TokenScope != tt.want.TokenScope || got.MaxRetries != tt.want.MaxRetries || got.Token != tt.want.Token ||
				got.Chromium != tt.want.Chromium {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
