package origin_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// TestMalformedInputs: assets whose media or server manifest is broken
// get a 415 with an AMS-style code from every format, never a 5xx or a
// hang, and the node keeps serving good assets afterwards.
func TestMalformedInputs(t *testing.T) {
	s := published(t)
	n := s.n
	good, err := os.ReadFile(s.ladderSet.Path(s.ladderSet.Files[0].Name))
	if err != nil {
		t.Fatal(err)
	}
	// More tracks than media.MaxTracksPerFile, generated rather than
	// committed (the attack file had 10,000 tracks in 29 MB).
	many, err := mediatest.ManyTracksMP4(media.MaxTracksPerFile + 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string][]byte
	}{
		{"not-mp4", map[string][]byte{"broken.mp4": []byte("this is not an MP4 file at all, just text")}},
		{"truncated-moov", map[string][]byte{"broken.mp4": good[:len(good)/50]}},
		{"too-many-tracks", map[string][]byte{"many.mp4": many}},
		{"bad-ism", map[string][]byte{"broken.ism": []byte("<smil><body><switch><video src=\"missing.mp4\""), "a.mp4": good}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asset := "malformed-" + tc.name
			n.uploadFiles(asset, tc.files)
			p := n.locator(asset, asset, "Predefined_ClearStreamingOnly", nil)
			if len(p.StreamingPaths) == 0 {
				t.Fatalf("listPaths lists nothing for %s", asset)
			}
			for _, sp := range p.StreamingPaths {
				for _, u := range sp.Paths {
					resp, b := n.get(u)
					if resp.StatusCode != http.StatusUnsupportedMediaType && resp.StatusCode != http.StatusNotFound {
						t.Fatalf("%s: %d %s; want 415 (or 404 for a manifest naming missing files)", u, resp.StatusCode, b)
					}
					wantError(t, resp, b, resp.StatusCode, map[int]string{415: "MPE_INPUT_FORMAT_NOT_SUPPORTED", 404: "MPE_STORAGE_RESOURCE_NOT_FOUND"}[resp.StatusCode])
				}
			}
		})
	}
	resp, b := n.get(s.ladder.find(t, "Dash", "mpd-time-csf"))
	must(t, resp.StatusCode == 200, "good asset after malformed ones: %d %s", resp.StatusCode, b)
}
