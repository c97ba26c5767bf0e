package hls_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

var (
	// 10 s of 320x180p30 H.264 (2 s GOPs, B-frames) with two AAC tracks
	// (Spanish mono 48 kHz, English stereo 44.1 kHz).
	srcAV = []string{
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-f", "lavfi", "-i", "sine=frequency=880:sample_rate=44100",
		"-map", "0:v", "-map", "1:a", "-map", "2:a", "-t", "10",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-bf", "2",
		"-c:a", "aac", "-b:a:0", "96k", "-b:a:1", "128k", "-ac:a:1", "2",
		"-metadata:s:a:0", "language=spa", "-metadata:s:a:1", "language=eng",
		"-movflags", "+faststart",
	}
	// 4 s of H.265 (hvc1, 1 s GOPs, B-frames) with AAC.
	srcHEVC = []string{
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "4", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "keyint=25:min-keyint=25:scenecut=0:bframes=2:log-level=error",
		"-tag:v", "hvc1", "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart",
	}
)

// asset is a test presentation over files in dir.
type asset struct {
	dir string
	src *mediatest.DirSource
	p   *media.Presentation
}

func load(tb testing.TB, dir string, target time.Duration, files ...string) *asset {
	tb.Helper()
	src := mediatest.NewDirSource(dir)
	var refs []media.Ref
	for _, f := range files {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			tb.Fatal(err)
		}
		refs = append(refs, media.Ref{File: f, Size: st.Size()})
	}
	p, err := media.Load(context.Background(), src, refs, media.Options{TargetDuration: target})
	if err != nil {
		tb.Fatal(err)
	}
	return &asset{dir: dir, src: src, p: p}
}

func makeAsset(tb testing.TB, name string, target time.Duration, args []string) *asset {
	tb.Helper()
	dir := tb.TempDir()
	mediatest.Make(tb, dir, name, args...)
	return load(tb, dir, target, name)
}

var formats = map[string]hls.Format{"m3u8-aapl": hls.TS, "m3u8-aapl-v3": hls.TSv3, "m3u8-cmaf": hls.CMAF}

// view returns the view a request with format f sees: the whole asset, or
// the HNS window [start, end).
func (a *asset) view(f hls.Format, start, end uint64) *packager.View {
	v := packager.Full(a.p, ",format="+f.String())
	v.Start, v.End = start, end
	return v
}

var (
	reMaster   = regexp.MustCompile(`^/a\.ism/manifest\(([^)]*)\)$`)
	rePlaylist = regexp.MustCompile(`^/a\.ism/QualityLevels\((\d+)\)/Manifest\(([^,)]+)([^)]*)\)$`)
	reFragment = regexp.MustCompile(`^/a\.ism/QualityLevels\((\d+)\)/Fragments\(([^=]+)=([^,)]+)([^)]*)\)$`)
)

// args parses ",k=v,k=v".
func args(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(strings.TrimPrefix(s, ","), ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// serve is a tiny origin mapping AMS URLs onto the package's functions,
// restricted to the HNS window [start, end). It counts requests.
func (a *asset) serve(tb testing.TB, start, end uint64) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := a.handle(r.URL.Path, start, end)
		switch {
		case errors.Is(err, hls.ErrNotFound):
			http.Error(w, err.Error(), http.StatusNotFound)
		case err != nil:
			tb.Errorf("%s: %v", r.URL.Path, err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			http.ServeContent(w, r, "", time.Time{}, strings.NewReader(string(b)))
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func (a *asset) handle(path string, start, end uint64) ([]byte, error) {
	ctx := context.Background()
	if m := reMaster.FindStringSubmatch(path); m != nil {
		q := args(m[1])
		f, ok := formats[q["format"]]
		if !ok {
			return nil, fmt.Errorf("format %q", q["format"])
		}
		return hls.Master(a.view(f, start, end), hls.MasterOptions{Format: f, AudioOnlyFalse: q["audio-only"] == "false"})
	}
	var m []string
	if m = rePlaylist.FindStringSubmatch(path); m == nil {
		m = reFragment.FindStringSubmatch(path)
	}
	if m == nil {
		return nil, fmt.Errorf("%w: %s", hls.ErrNotFound, path)
	}
	q := args(m[len(m)-1])
	f, ok := formats[q["format"]]
	if !ok {
		return nil, fmt.Errorf("format %q", q["format"])
	}
	v := a.view(f, start, end)
	bitrate, _ := strconv.ParseUint(m[1], 10, 64)
	t := a.p.Find(m[2], bitrate)
	if t == nil {
		return nil, fmt.Errorf("%w: track %s", hls.ErrNotFound, m[2])
	}
	if len(m) == 4 { // media playlist
		return hls.MediaPlaylist(v, t, hls.MediaOptions{Format: f, Keyframes: q["type"] == "keyframes", AudioTrack: q["audiotrack"]})
	}
	if m[3] == "i" {
		return hls.CMAFInit(t)
	}
	at, err := strconv.ParseUint(m[3], 10, 64)
	if err != nil {
		return nil, err
	}
	if f == hls.CMAF && q["type"] == "keyframes" {
		return hls.CMAFKeyframe(ctx, a.src, v, t, at)
	}
	k := t.SegmentAt(at)
	if k < 0 {
		return nil, fmt.Errorf("%w: no segment at %d", hls.ErrNotFound, at)
	}
	if f == hls.CMAF {
		return hls.CMAFSegment(ctx, a.src, v, t, k)
	}
	if t.Kind == media.Audio {
		return hls.TSSegment(ctx, a.src, v, nil, k, t)
	}
	var audio *media.Track
	if name := q["audiotrack"]; name != "" {
		if audio = a.p.Find(name, 0); audio == nil {
			return nil, fmt.Errorf("%w: audio track %s", hls.ErrNotFound, name)
		}
	} else if f == hls.TSv3 && len(v.Audio()) > 0 {
		audio = v.Audio()[0]
	}
	return hls.TSSegment(ctx, a.src, v, t, k, audio)
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
