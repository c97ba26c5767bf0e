package dash_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/media"
)

// dirSource serves the files of a directory.
type dirSource struct{ dir string }

func (d dirSource) ReadRange(_ context.Context, name string, off, n int64) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(d.dir, name))
	if err != nil {
		return nil, err
	}
	if n < 0 {
		st, _ := f.Stat()
		n = st.Size() - off
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, off, n), f}, nil
}

// lookTool finds an ffmpeg tool; it fails the test when missing under CI.
func lookTool(tb testing.TB, name string) string {
	tb.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s not found (apt-get install -y ffmpeg)", name)
		}
		tb.Skipf("%s not found (apt-get install -y ffmpeg)", name)
	}
	return bin
}

// ffmpeg makes a test file in dir.
func ffmpeg(tb testing.TB, dir, name string, args ...string) (path string, size int64) {
	tb.Helper()
	bin := lookTool(tb, "ffmpeg")
	path = filepath.Join(dir, name)
	cmd := exec.Command(bin, append(append([]string{"-v", "error", "-y"}, args...), path)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	st, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return path, st.Size()
}

// avArgs makes 12 s of 30 fps H.264 (2 s GOPs, B-frames) and AAC.
func avArgs(size, vbitrate, lang, abitrate string) []string {
	return []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", vbitrate, "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-bf", "2",
		"-c:a", "aac", "-ac", "2", "-b:a", abitrate, "-metadata:s:a:0", "language=" + lang, "-movflags", "+faststart"}
}

// fixture is a two-rendition presentation: two video bitrates with
// aligned GOPs, audio in English and French.
type fixture struct {
	dir string
	src dirSource
	p   *media.Presentation
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	_, sa := ffmpeg(t, dir, "a.mp4", avArgs("320x180", "400k", "eng", "96k")...)
	_, sb := ffmpeg(t, dir, "b.mp4", avArgs("192x108", "150k", "fra", "64k")...)
	src := dirSource{dir}
	p, err := media.Load(context.Background(), src, []media.Ref{{File: "a.mp4", Size: sa}, {File: "b.mp4", Size: sb}},
		media.Options{TargetDuration: 4 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tracks) != 4 {
		t.Fatalf("presentation has %d tracks", len(p.Tracks))
	}
	return &fixture{dir: dir, src: src, p: p}
}

// frameCounts returns ffprobe's decoded frame count per stream of url,
// probing one stream at a time: ffmpeg 5.1's DASH demuxer drops the last
// packet of the second Representation of a set when it reads them all at
// once (its own dash muxer's output shows the same).
func frameCounts(t *testing.T, url string) []int {
	t.Helper()
	var n []int
	for i := 0; ; i++ {
		out, err := exec.Command(lookTool(t, "ffprobe"), "-v", "error", "-select_streams", strconv.Itoa(i), "-count_frames",
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
