package mediatest

import (
	"context"
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
