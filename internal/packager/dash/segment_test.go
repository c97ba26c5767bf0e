package dash_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/dash"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

var fragmentPath = regexp.MustCompile(`^/a\.ism/QualityLevels\((\d+)\)/Fragments\(([^=]+)=([^,)]+)(,[^)]*)?\)$`)

// origin is a minimal origin over one view: the MPD and the sub-URLs it
// names.
type origin struct {
	t   *testing.T
	src media.Source
	v   *packager.View

	mu       sync.Mutex
	segments map[string]int // track name+bitrate → segments served
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/a.ism/manifest.mpd" {
		b, err := dash.MPD(o.v, dash.Options{})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/dash+xml")
		_, _ = w.Write(b)
		return
	}
	m := fragmentPath.FindStringSubmatch(r.URL.Path)
	if m == nil || m[4] != o.v.Suffix {
		o.t.Errorf("unexpected request %s", r.URL.Path)
		http.NotFound(w, r)
		return
	}
	bitrate, _ := strconv.ParseUint(m[1], 10, 64)
	tr := o.v.P.Find(m[2], bitrate)
	if tr == nil {
		http.NotFound(w, r)
		return
	}
	var b []byte
	var err error
	if m[3] == "i" {
		b, err = dash.Init(tr)
	} else {
		at, perr := strconv.ParseUint(m[3], 10, 64)
		k := dash.FindSegment(tr, at)
		if perr != nil || k < 0 {
			o.t.Errorf("no segment at %s", m[3])
			http.NotFound(w, r)
			return
		}
		b, err = dash.Segment(r.Context(), o.src, o.v, tr, k)
		o.mu.Lock()
		o.segments[m[2]+m[1]]++
		o.mu.Unlock()
	}
	switch {
	case errors.Is(err, dash.ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		o.t.Errorf("%s: %v", r.URL.Path, err)
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "video/mp4")
	_, _ = w.Write(b)
}

// TestPlayback serves the presentation over HTTP and has ffmpeg's DASH
// demuxer read every Representation to the end.
func TestPlayback(t *testing.T) {
	f := newFixture(t)
	o := &origin{t: t, src: f.Src, v: packager.Full(f.P, ",format=mpd-time-csf"), segments: map[string]int{}}
	srv := httptest.NewServer(o)
	defer srv.Close()
	url := srv.URL + "/a.ism/manifest.mpd"

	// Frames per stream equal the sources': ffmpeg lists Representations
	// in MPD order (video by bitrate, then audio sets). Audio counts every
	// AAC frame: the progressive sources' edit lists hide the priming
	// frame from ffprobe, fragmented output has no edit list.
	a := frameCounts(t, filepath.Join(f.Dir, "a.mp4"))
	b := frameCounts(t, filepath.Join(f.Dir, "b.mp4"))
	if a[0] != 360 || b[0] != 360 {
		t.Fatalf("sources have %d and %d video frames", a[0], b[0])
	}
	want := []int{a[0], b[0], len(f.P.Audio()[0].Samples), len(f.P.Audio()[1].Samples)}
	if d := want[2] - a[1]; d < 0 || d > 1 {
		t.Fatalf("source audio: %d frames decoded, %d samples", a[1], want[2])
	}
	got := frameCounts(t, url)
	if len(got) != len(want) {
		t.Fatalf("ffprobe sees %d streams %v; want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stream %d: %d frames; source has %d", i, got[i], want[i])
		}
	}
	o.mu.Lock()
	served := maps.Clone(o.segments)
	o.mu.Unlock()
	for _, tr := range f.P.Tracks {
		if n := served[tr.Name+strconv.FormatUint(tr.Bitrate, 10)]; n < len(tr.Segments) {
			t.Errorf("%s: %d segments requested; has %d", tr.Name, n, len(tr.Segments))
		}
	}
	// A full decode reports no error.
	cmd := exec.Command(mediatest.Tool(t, "ffmpeg"), "-v", "error", "-i", url, "-map", "0", "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("ffmpeg decode: %v\n%s", err, stderr.String())
	}
}

// TestPlaybackWindow plays a time-filtered view: only the window's
// segments are listed and served, and they decode.
func TestPlaybackWindow(t *testing.T) {
	f := newFixture(t)
	v := &packager.View{P: f.P, Tracks: f.P.Tracks, Start: 4 * media.HNS, End: 8 * media.HNS, Suffix: ",filter=mid"}
	o := &origin{t: t, src: f.Src, v: v, segments: map[string]int{}}
	srv := httptest.NewServer(o)
	defer srv.Close()
	got := frameCounts(t, srv.URL+"/a.ism/manifest.mpd")
	var want []int
	for _, tr := range f.P.Tracks {
		want = append(want, tr.Segments[1].End-tr.Segments[1].First)
	}
	if len(got) != len(want) {
		t.Fatalf("ffprobe sees streams %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stream %d: %d frames; the window holds %d", i, got[i], want[i])
		}
	}
	if want[0] != 120 {
		t.Errorf("window holds %d video frames; want 4 s", want[0])
	}
}

// TestSegments decodes every init + segment with mp4ff and compares the
// samples with the source file's bytes.
func TestSegments(t *testing.T) {
	f := newFixture(t)
	v := packager.Full(f.P, "")
	ctx := context.Background()
	files := map[string][]byte{}
	for _, name := range []string{"a.mp4", "b.mp4"} {
		b, err := os.ReadFile(filepath.Join(f.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	for _, tr := range f.P.Tracks {
		init, err := dash.Init(tr)
		if err != nil {
			t.Fatal(err)
		}
		whole := files[tr.Source]
		for k, seg := range tr.Segments {
			b, err := dash.Segment(ctx, f.Src, v, tr, k)
			if err != nil {
				t.Fatal(err)
			}
			again, err := dash.Segment(ctx, f.Src, v, tr, k)
			if err != nil || !bytes.Equal(b, again) {
				t.Fatalf("%s segment %d: not deterministic (%v)", tr.Name, k, err)
			}
			file, err := mp4.DecodeFile(bytes.NewReader(append(append([]byte{}, init...), b...)))
			if err != nil {
				t.Fatalf("%s segment %d: mp4ff: %v", tr.Name, k, err)
			}
			if len(file.Segments) != 1 || file.Segments[0].Styp == nil || len(file.Segments[0].Fragments) != 1 {
				t.Fatalf("%s segment %d: want styp + one fragment", tr.Name, k)
			}
			frag := file.Segments[0].Fragments[0]
			if seq := frag.Moof.Mfhd.SequenceNumber; seq != uint32(k+1) {
				t.Errorf("%s segment %d: sequence number %d", tr.Name, k, seq)
			}
			if file.Init.Moov.Trak.Mdia.Mdhd.Timescale != tr.Timescale {
				t.Errorf("%s: init timescale %d", tr.Name, file.Init.Moov.Trak.Mdia.Mdhd.Timescale)
			}
			got, err := frag.GetFullSamples(file.Init.Moov.Mvex.Trex)
			if err != nil {
				t.Fatal(err)
			}
			want := tr.Samples[seg.First:seg.End]
			if len(got) != len(want) {
				t.Fatalf("%s segment %d: %d samples; want %d", tr.Name, k, len(got), len(want))
			}
			for i, s := range got {
				w := want[i]
				if s.DecodeTime != w.DTS || s.Dur != w.Dur || s.CompositionTimeOffset != w.CTO || s.IsSync() != w.Sync ||
					!bytes.Equal(s.Data, whole[w.Offset:w.Offset+int64(w.Size)]) {
					t.Fatalf("%s segment %d sample %d differs from the source", tr.Name, k, i)
				}
			}
		}
		if _, err := dash.Segment(ctx, f.Src, v, tr, len(tr.Segments)); !errors.Is(err, dash.ErrNotFound) {
			t.Errorf("%s: segment past the end: %v", tr.Name, err)
		}
	}
}
