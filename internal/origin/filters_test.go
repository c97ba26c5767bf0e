package origin_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

func TestFilters(t *testing.T) {
	s := published(t)
	n := s.n
	// Time range: 4 s to 8 s of the 12 s ladder.
	n.do(http.MethodPut, "/assets/ladder/assetFilters/middle", map[string]any{"properties": map[string]any{
		"presentationTimeRange": map[string]any{"startTimestamp": 40_000_000, "endTimestamp": 80_000_000, "timescale": 10_000_000},
	}}, 200, nil)
	// Bitrate: only the lowest video rendition (and all audio).
	low := s.ladderSet.Tracks[0].Bitrate
	for _, tr := range s.ladderSet.Tracks {
		if tr.Kind == "video" && tr.Bitrate < low {
			low = tr.Bitrate
		}
	}
	n.do(http.MethodPut, "/accountFilters/lowvideo", map[string]any{"properties": map[string]any{
		"tracks": []any{
			map[string]any{"trackSelections": []any{
				map[string]any{"property": "Type", "operation": "Equal", "value": "Video"},
				map[string]any{"property": "Bitrate", "operation": "Equal", "value": "0-" + itoa(low)},
			}},
			map[string]any{"trackSelections": []any{map[string]any{"property": "Type", "operation": "Equal", "value": "Audio"}}},
		},
	}}, 200, nil)

	dash := s.ladder.find(t, "Dash", "format=mpd-time-csf)")
	hls := s.ladder.find(t, "Hls", "format=m3u8-aapl)")
	withFilter := func(u, f string) string { return strings.Replace(u, ")", ",filter="+f+")", 1) }

	// The time-filtered presentation decodes to 4 s of frames per rendition.
	vf := sourceFrames(s.ladderSet, "video")
	want := make([]int, len(vf))
	for i := range want {
		want[i] = 4 * mediatest.FrameRate
	}
	checkDecode(t, n.origin+withFilter(dash, "middle"), want, nil)

	// The bitrate filter leaves one video variant.
	_, master := n.get(withFilter(hls, "lowvideo"))
	if c := strings.Count(string(master), "#EXT-X-STREAM-INF"); c != 1+audioOnlyVariants(master) {
		t.Errorf("bitrate-filtered master has %d variants:\n%s", c, master)
	}
	checkDecode(t, n.origin+withFilter(dash, "lowvideo"), vf[:1], nil)

	// Segments outside the filter are refused: the first segment (t=0)
	// lies before 4 s.
	_, mpd := n.get(withFilter(dash, "middle"))
	media := regexp.MustCompile(`media="([^"]+)"`).FindSubmatch(mpd)
	must(t, media != nil, "no media template")
	rate := regexp.MustCompile(`bandwidth="(\d+)"`).FindSubmatch(mpd)
	base := dash[:strings.Index(dash, ".ism/")+5]
	seg := base + strings.NewReplacer("$Bandwidth$", string(rate[1]), "$Time$", "0").Replace(string(media[1]))
	resp, b := n.get(seg)
	wantError(t, resp, b, http.StatusNotFound, "MPE_FRAGMENT_TIMESTAMP_NOT_FOUND")
	// The same segment without the filter exists.
	resp, _ = n.get(strings.Replace(seg, ",filter=middle", "", 1))
	must(t, resp.StatusCode == 200, "unfiltered segment: %d", resp.StatusCode)

	// A locator's own filters apply to every URL of it.
	p := n.locator("ladder-low", "ladder", "Predefined_ClearStreamingOnly", map[string]any{"filters": []string{"lowvideo"}})
	checkDecode(t, n.origin+p.find(t, "Dash", "format=mpd-time-csf)"), vf[:1], nil)

	// A filter removing everything is an error, not an empty manifest.
	n.do(http.MethodPut, "/accountFilters/nothing", map[string]any{"properties": map[string]any{
		"tracks": []any{map[string]any{"trackSelections": []any{map[string]any{"property": "Type", "operation": "Equal", "value": "Text"}}}},
	}}, 200, nil)
	resp, b = n.get(withFilter(dash, "nothing"))
	wantError(t, resp, b, http.StatusUnsupportedMediaType, "MPE_FILTER_REMOVED_ALL_STREAMS")
}

// audioOnlyVariants counts STREAM-INF entries without RESOLUTION.
func audioOnlyVariants(master []byte) int {
	n := 0
	for _, l := range strings.Split(string(master), "\n") {
		if strings.HasPrefix(l, "#EXT-X-STREAM-INF") && !strings.Contains(l, "RESOLUTION=") {
			n++
		}
	}
	return n
}

func itoa(v int) string { return strconvItoa(v) }
