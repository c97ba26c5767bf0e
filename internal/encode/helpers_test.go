package encode

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/ism"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// newEncoder returns an initialized encoder; tests trade quality for time
// with ultrafast (Speed), which changes no other setting.
func newEncoder(t *testing.T) *Encoder {
	t.Helper()
	mediatest.Require(t)
	e := &Encoder{Speed: "ultrafast", Threads: 2}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	return e
}

// makeClip writes a testsrc2 + sine clip of d at size WxH, 30 fps, H.264
// at kbps with AAC, into dir/name.
func makeClip(t *testing.T, dir, name string, d time.Duration, size string, kbps int) string {
	t.Helper()
	sec := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	path, _ := mediatest.Make(t, dir, name,
		"-f", "lavfi", "-i", "testsrc2=size="+size+":rate=30:duration="+sec,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+sec,
		"-c:v", "libx264", "-preset", "ultrafast", "-b:v", fmt.Sprintf("%dk", kbps), "-maxrate", fmt.Sprintf("%dk", kbps), "-bufsize", fmt.Sprintf("%dk", 2*kbps),
		"-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-metadata:s:a:0", "language=eng")
	return path
}

func mustPreset(t *testing.T, js string) *Preset {
	t.Helper()
	p, err := ParsePreset("properties.outputs[0].preset", json.RawMessage(js))
	if err != nil {
		t.Fatalf("ParsePreset: %v", err)
	}
	return p
}

// packet is one packet as ffprobe lists it, in decode order.
type packet struct {
	pts float64
	key bool
}

func videoPackets(t *testing.T, path string) []packet {
	t.Helper()
	out, err := exec.Command(mediatest.Tool(t, "ffprobe"), "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe packets %s: %v", path, err)
	}
	var ps []packet
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pts, flags, _ := strings.Cut(line, ",")
		v, err := strconv.ParseFloat(pts, 64)
		if err != nil {
			t.Fatalf("ffprobe packet line %q", line)
		}
		ps = append(ps, packet{v, strings.Contains(flags, "K")})
	}
	return ps
}

// keyTimes returns the keyframe times of path (ms) and checks its GOPs
// are closed: no packet after a keyframe in decode order is presented
// before it (no leading pictures that reference the previous GOP).
func keyTimes(t *testing.T, path string) []int64 {
	t.Helper()
	ps := videoPackets(t, path)
	var keys []int64
	lastKey := -1.0
	for _, p := range ps {
		if p.key {
			keys = append(keys, int64(p.pts*1000+0.5))
			lastKey = p.pts
			continue
		}
		if lastKey >= 0 && p.pts < lastKey-1e-6 {
			t.Fatalf("%s: open GOP: packet at %.3f s follows the keyframe at %.3f s", filepath.Base(path), p.pts, lastKey)
		}
	}
	return keys
}

// loadISM parses the .ism in dir and loads the presentation the origin
// would build from it.
func loadISM(t *testing.T, dir, name string, target time.Duration) (*ism.Manifest, *media.Presentation) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ism.Parse(f)
	if err != nil {
		t.Fatalf("ism.Parse: %v", err)
	}
	var refs []media.Ref
	for _, e := range m.Entries {
		st, err := os.Stat(filepath.Join(dir, e.Src))
		if err != nil {
			t.Fatalf(".ism names %s: %v", e.Src, err)
		}
		kind := media.Video
		if e.Kind == ism.KindAudio {
			kind = media.Audio
		}
		refs = append(refs, media.Ref{File: e.Src, Size: st.Size(), Kind: kind, TrackID: e.TrackID, Name: e.TrackName, Bitrate: e.SystemBitrate, Language: e.Language})
	}
	p, err := media.Load(context.Background(), mediatest.NewDirSource(dir), refs, media.Options{TargetDuration: target})
	if err != nil {
		t.Fatalf("media.Load: %v", err)
	}
	return m, p
}

// checkAligned checks that every video track of p is cut into the same
// segments, each starting on a sync sample at the same time.
func checkAligned(t *testing.T, p *media.Presentation) {
	t.Helper()
	vs := p.Video()
	if len(vs) == 0 {
		t.Fatal("no video tracks")
	}
	ref := vs[0]
	for _, v := range vs {
		if len(v.Segments) != len(ref.Segments) {
			t.Fatalf("track %s@%d has %d segments, %s@%d has %d", v.Name, v.Bitrate, len(v.Segments), ref.Name, ref.Bitrate, len(ref.Segments))
		}
		for k, s := range v.Segments {
			if !v.Samples[s.First].Sync {
				t.Fatalf("track %d kbps segment %d does not start on a sync sample", v.Bitrate/1000, k)
			}
			if a, b := v.ToHNS(s.Start), ref.ToHNS(ref.Segments[k].Start); a != b {
				t.Fatalf("segment %d starts at %d HNS in one layer and %d in another", k, a, b)
			}
		}
	}
}

// processesIn lists processes whose working directory is dir.
func processesIn(dir string) []string {
	want, _ := filepath.EvalSymlinks(dir)
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && cwd == want {
			out = append(out, e.Name())
		}
	}
	return out
}

func hasFile(files []string, name string) bool { return slices.Contains(files, name) }
