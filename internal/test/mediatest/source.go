package mediatest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// DirSource serves the files of a directory by byte range: the
// media.Source through which packaging tests read generated media. It
// counts range reads, so tests can bound how many a parse needs.
type DirSource struct {
	Dir   string
	reads atomic.Int64
}

// NewDirSource returns a source over dir.
func NewDirSource(dir string) *DirSource { return &DirSource{Dir: dir} }

// ReadRange opens n bytes of name from off (n < 0: to the end).
func (d *DirSource) ReadRange(_ context.Context, name string, off, n int64) (io.ReadCloser, error) {
	d.reads.Add(1)
	f, err := os.Open(filepath.Join(d.Dir, name))
	if err != nil {
		return nil, err
	}
	if n < 0 {
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		n = st.Size() - off
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, off, n), f}, nil
}

// Reads reports how many range reads were opened.
func (d *DirSource) Reads() int64 { return d.reads.Load() }

// Make runs ffmpeg with args writing dir/name and returns the file's path
// and size; it fails (or, outside CI, skips) the test like FFmpeg.
func Make(t testing.TB, dir, name string, args ...string) (path string, size int64) {
	t.Helper()
	FFmpeg(t, dir, append(args, name)...)
	path = filepath.Join(dir, name)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, st.Size()
}

// Tool returns the path of "ffmpeg" or "ffprobe"; it fails (or, outside
// CI, skips) the test like Require when they are missing.
func Tool(t testing.TB, name string) string {
	t.Helper()
	Require(t)
	ffmpeg, ffprobe, _ := tools()
	if name == "ffprobe" {
		return ffprobe
	}
	return ffmpeg
}

// Bench1080p returns the benchmark asset: 30 s of 1920x1080p30 H.264 High
// at 4 Mbit/s with a 2 s GOP (packaging.md's performance recipe, shorter)
// plus AAC 128k, one progressive MP4. It is generated once into
// $TMPDIR/lockstream-bench-1080p and kept across runs, so every
// benchmark (and bench/origin.sh) measures the same bytes.
func Bench1080p(t testing.TB) *Set {
	t.Helper()
	Require(t)
	dir := filepath.Join(os.TempDir(), "lockstream-bench-1080p")
	const name = "bench_1920x1080_4000.mp4"
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		FFmpeg(t, dir, "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=30",
			"-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=30",
			"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
			"-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
			"-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart", name+".tmp.mp4")
		// Renamed into place whole, so a concurrent or interrupted run
		// never sees half a file.
		if err := os.Rename(filepath.Join(dir, name+".tmp.mp4"), path); err != nil {
			t.Fatal(err)
		}
	}
	return &Set{Dir: dir, Files: []File{{Name: name, Path: path, Kind: "muxed"}}}
}

// MemSource serves one in-memory file under any name.
type MemSource []byte

// ReadRange opens n bytes from off (n < 0: to the end).
func (m MemSource) ReadRange(_ context.Context, _ string, off, n int64) (io.ReadCloser, error) {
	if off > int64(len(m)) {
		return nil, errors.New("mediatest: range beyond the end")
	}
	end := int64(len(m))
	if n >= 0 && off+n < end {
		end = off + n
	}
	return io.NopCloser(bytes.NewReader(m[off:end])), nil
}
