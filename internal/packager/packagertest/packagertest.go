package packagertest

import (
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// AVArgs makes 12 s of 30 fps H.264 (2 s GOPs, B-frames) and AAC.
func AVArgs(size, vbitrate, lang, abitrate string) []string {
	return []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", vbitrate, "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-bf", "2",
		"-c:a", "aac", "-ac", "2", "-b:a", abitrate, "-metadata:s:a:0", "language=" + lang, "-movflags", "+faststart"}
}

// Fixture is a two-rendition presentation: two video bitrates with
// aligned GOPs (a.mp4, b.mp4), audio in English and French.
type Fixture struct {
	Dir string
	Src *mediatest.DirSource
	P   *media.Presentation
}

// TwoRenditions makes the fixture in a temporary directory; extraB are
// further ffmpeg arguments for b.mp4.
func TwoRenditions(t *testing.T, extraB ...string) *Fixture {
	t.Helper()
	dir := t.TempDir()
	_, sa := mediatest.Make(t, dir, "a.mp4", AVArgs("320x180", "400k", "eng", "96k")...)
	_, sb := mediatest.Make(t, dir, "b.mp4", append(AVArgs("192x108", "150k", "fra", "64k"), extraB...)...)
	src := mediatest.NewDirSource(dir)
	p, err := media.Load(context.Background(), src, []media.Ref{{File: "a.mp4", Size: sa}, {File: "b.mp4", Size: sb}},
		media.Options{TargetDuration: 4 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tracks) != 4 {
		t.Fatalf("presentation has %d tracks", len(p.Tracks))
	}
	return &Fixture{Dir: dir, Src: src, P: p}
}

// FrameCounts returns ffprobe's decoded frame count per stream of url,
// probing one stream at a time: ffmpeg 5.1's DASH demuxer drops the last
// packet of the second Representation of a set when it reads them all at
// once (its own dash muxer's output shows the same).
func FrameCounts(t *testing.T, url string) []int {
	t.Helper()
	var n []int
	for i := 0; ; i++ {
		out, err := exec.Command(mediatest.Tool(t, "ffprobe"), "-v", "error", "-select_streams", strconv.Itoa(i), "-count_frames",
			"-show_entries", "stream=index,nb_read_frames", "-of", "json", url).CombinedOutput()
		if err != nil {
			t.Fatalf("ffprobe %s: %v\n%s", url, err, out)
		}
		var v struct {
			Streams []struct {
				Frames string `json:"nb_read_frames"`
			}
		}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("ffprobe output %s: %v", out, err)
		}
		if len(v.Streams) == 0 {
			return n
		}
		c, _ := strconv.Atoi(v.Streams[0].Frames)
		n = append(n, c)
	}
}
