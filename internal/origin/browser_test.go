package origin_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/test/browser"
)

// TestBrowserPlayback plays the ladder in headless Chromium: Shaka Player
// for DASH and HLS-CMAF, hls.js for HLS-TS, at least 8 s each with
// decoded frames.
func TestBrowserPlayback(t *testing.T) {
	browser.Require(t)
	s := published(t)
	for _, tc := range []struct {
		name, player, proto, format string
	}{
		{"dash-shaka", browser.Shaka, "Dash", "format=mpd-time-csf)"},
		{"dash-cmaf-shaka", browser.Shaka, "Dash", "format=mpd-time-cmaf)"},
		{"hls-cmaf-shaka", browser.Shaka, "Hls", "format=m3u8-cmaf)"},
		{"hls-ts-hlsjs", browser.HLSJS, "Hls", "format=m3u8-aapl)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := browser.Play(t, browser.Options{Player: tc.player, URL: s.n.origin + s.ladder.find(t, tc.proto, tc.format), Seconds: 8})
			if !r.Pass || r.TotalVideoFrames == 0 || r.PlayedSeconds < 8 {
				t.Fatalf("%s did not play: outcome %s, %.2f s, %d frames, errors %+v, http errors %+v",
					tc.name, r.Outcome, r.PlayedSeconds, r.TotalVideoFrames, r.Errors, r.HTTPErrors)
			}
		})
	}
}
