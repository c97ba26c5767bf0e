package smooth_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/packager/packagertest"
)

// newFixture is the shared fixture with b's video on a 90 kHz timescale
// (a's is ffmpeg's default 15360).
func newFixture(t *testing.T) *packagertest.Fixture {
	return packagertest.TwoRenditions(t, "-video_track_timescale", "90000")
}

// frameCount returns ffprobe's decoded frame count of the only stream of
// path.
func frameCount(t *testing.T, path string) int {
	t.Helper()
	n := packagertest.FrameCounts(t, path)
	if len(n) != 1 {
		t.Fatalf("%s has %d streams; want 1", path, len(n))
	}
	return n[0]
}
