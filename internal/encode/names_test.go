package encode

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"Basename": "clip", "Label": "hd", "Bitrate": "900", "Extension": ".mp4"}
	for pattern, want := range map[string]string{
		"{Basename}_{Label}_{Bitrate}{Extension}": "clip_hd_900.mp4",
		"{Basename}_{Resolution}{Extension}":      "clip_.mp4", // unsubstituted macros collapse out
		"{Basename}":                              "clip.mp4",  // the extension is always there
		"{Basename}_{Unknown}.mp4":                "clip_.mp4",
	} {
		if got := expand(pattern, vars, ".mp4"); got != want {
			t.Errorf("%s → %q; want %q", pattern, got, want)
		}
	}
	if got := expand("{Label}", map[string]string{"Label": "a/b"}, ".mp4"); got != "a_b.mp4" {
		t.Errorf("label with a slash → %q", got)
	}
	if got := basenameMacro(strings.Repeat("x", 40)); len(got) != 32 {
		t.Errorf("{Basename} not cut to 32 characters: %d", len(got))
	}
}

func TestProgressParsing(t *testing.T) {
	in := "frame=1\nout_time_us=1000000\nprogress=continue\nout_time_us=500000\nout_time_us=N/A\nout_time_us=3000000\nprogress=continue\nout_time_us=4000000\nprogress=end\n"
	var got []int
	readProgress(strings.NewReader(in), 4*time.Second, func(pm int) { got = append(got, pm) })
	if want := []int{250, 750, 999, 1000}; !slices.Equal(got, want) {
		t.Fatalf("per mille %v; want %v", got, want)
	}
}

func TestClassify(t *testing.T) {
	for text, want := range map[string]string{
		"[h264 @ 0x1] Invalid NAL unit size\nError while decoding stream #0:0: Invalid data found when processing input": CodeContentMalformed,
		"[mov,mp4 @ 0x1] moov atom not found":                 CodeContentMalformed,
		"Decoder (codec av1) not found for input stream #0:0": CodeContentUnsupported,
		"[libx264 @ 0x1] Error setting profile high444.\nError while opening encoder for output stream #0:0 - maybe incorrect parameters": CodeConfigurationUnsupported,
		"write error: No space left on device": CodeServiceError,
	} {
		if got := classify(text); got != want {
			t.Errorf("%q → %s; want %s", text, got, want)
		}
	}
}
