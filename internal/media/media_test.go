package media

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

var (
	srcAV = []string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-bf", "2",
		"-c:a", "aac", "-b:a", "96k", "-metadata:s:a:0", "language=spa"}
)

type packet struct {
	Index int    `json:"stream_index"`
	Pos   string `json:"pos"`
	Size  string `json:"size"`
	Flags string `json:"flags"`
	DTS   int64  `json:"dts"`
}

// probePackets lists a file's packets per stream with ffprobe, the
// independent reading the sample tables are checked against.
func probePackets(t *testing.T, path string) map[int][]packet {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_packets", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var v struct{ Packets []packet }
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	m := map[int][]packet{}
	for _, p := range v.Packets {
		m[p.Index] = append(m[p.Index], p)
	}
	return m
}

func checkAgainstProbe(t *testing.T, tracks []*Track, pk map[int][]packet) {
	t.Helper()
	for i, tr := range tracks {
		want := pk[i]
		if len(tr.Samples) != len(want) {
			t.Fatalf("track %d (%s): %d samples; ffprobe has %d packets", i, tr.Kind, len(tr.Samples), len(want))
		}
		for j, s := range tr.Samples {
			pos, _ := strconv.ParseInt(want[j].Pos, 10, 64)
			size, _ := strconv.Atoi(want[j].Size)
			if s.Offset != pos || int(s.Size) != size {
				t.Fatalf("track %d sample %d: offset/size %d/%d; ffprobe %d/%d", i, j, s.Offset, s.Size, pos, size)
			}
			if key := want[j].Flags[0] == 'K'; key != s.Sync {
				t.Fatalf("track %d sample %d: sync %v; ffprobe flags %q", i, j, s.Sync, want[j].Flags)
			}
		}
	}
}

func TestParseProgressiveAndFragmented(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"prog.mp4", []string{"-movflags", "+faststart"}},
		{"moovlast.mp4", nil},
		{"frag.mp4", []string{"-movflags", "+frag_keyframe+empty_moov+default_base_moof"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, size := mediatest.Make(t, dir, tc.name, append(append([]string{}, srcAV...), tc.extra...)...)
			src := mediatest.NewDirSource(dir)
			tracks, err := ParseFile(context.Background(), src, tc.name, size)
			if err != nil {
				t.Fatal(err)
			}
			if len(tracks) != 2 || tracks[0].Kind != Video || tracks[1].Kind != Audio {
				t.Fatalf("tracks = %v", tracks)
			}
			v, a := tracks[0], tracks[1]
			if v.Codec[:5] != "avc1." || v.Width != 320 || v.Height != 180 || v.FrameRate() != 30 {
				t.Errorf("video = %+v", v)
			}
			if a.Codec != "mp4a.40.2" || a.SampleRate != 48000 || a.Language != "spa" || a.Channels != 1 {
				t.Errorf("audio codec %s rate %d lang %s ch %d", a.Codec, a.SampleRate, a.Language, a.Channels)
			}
			if len(v.Samples) != 300 {
				t.Errorf("video has %d samples; want 300", len(v.Samples))
			}
			checkAgainstProbe(t, tracks, probePackets(t, path))
			if src.Reads() > 12 {
				t.Errorf("metadata took %d range reads", src.Reads())
			}
		})
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty":    {},
		"text":     []byte("hello world, not an mp4 file at all"),
		"hugebox":  {0xff, 0xff, 0xff, 0xff, 'm', 'o', 'o', 'v', 0, 0, 0, 0},
		"tinybox":  {0, 0, 0, 3, 'f', 't', 'y', 'p'},
		"nomoov":   {0, 0, 0, 8, 'f', 'r', 'e', 'e'},
		"badmoov":  {0, 0, 0, 16, 'm', 'o', 'o', 'v', 0, 0, 0, 8, 't', 'r', 'a', 'k'},
		"largehdr": {0, 0, 0, 1, 'm', 'd', 'a', 't', 0xff, 0, 0, 0, 0, 0, 0, 0},
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ParseFile(context.Background(), mediatest.NewDirSource(dir), name, int64(len(data)))
		if err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}
