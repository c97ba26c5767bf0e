package mediatest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// layoutVersion changes when the generated layout or description changes
// without the ffmpeg arguments changing, so old caches are not reused.
const layoutVersion = 1

// markerName is the set description, written last: a directory without it
// (or whose files do not match it) is incomplete.
const markerName = "mediatest.json"

const dirPrefix = "lockstream-mediatest-"

// partialMaxAge is how old a ".partial-" directory must be before it is
// taken for a crashed generation and removed.
const partialMaxAge = time.Hour

// plan describes a set: one ffmpeg run writing every output file.
type plan struct {
	Name     string // set name, prefix of the cache directory and file names
	Duration time.Duration
	Args     []string // ffmpeg arguments: inputs, filters, outputs
	Outputs  []output
	ISM      bool // write <Name>.ism
}

type output struct {
	Name       string
	Kind       string // "video", "audio", "muxed"
	Fragmented bool
}

type cached struct {
	once sync.Once
	set  *Set
	err  error
}

// The per-process cache: a set is looked up (or generated) once per test
// binary.
var (
	cacheMu sync.Mutex
	cache   = map[string]*cached{}
)

// get returns the set for p, generating it when no complete copy exists.
func get(t testing.TB, p plan) *Set {
	t.Helper()
	Require(t)
	dir := cacheDir(p)
	cacheMu.Lock()
	c := cache[dir]
	if c == nil {
		c = &cached{}
		cache[dir] = c
	}
	cacheMu.Unlock()
	c.once.Do(func() {
		start := time.Now()
		var generated bool
		c.set, generated, c.err = loadOrGenerate(p, dir)
		if generated {
			t.Logf("mediatest: generated %s in %s (%s)", p.Name, time.Since(start).Round(time.Millisecond), dir)
		}
	})
	if c.err != nil {
		t.Fatalf("%v", c.err)
	}
	return c.set.clone()
}

// cacheDir names p's directory by a hash of everything that determines
// its bytes.
func cacheDir(p plan) string {
	b, _ := json.Marshal(p) // plain data: cannot fail
	h := sha256.New()
	fmt.Fprintf(h, "%d\n%s\n", layoutVersion, ffmpegVersion)
	h.Write(b)
	return filepath.Join(os.TempDir(), dirPrefix+p.Name+"-"+hex.EncodeToString(h.Sum(nil))[:16])
}

func loadOrGenerate(p plan, dir string) (*Set, bool, error) {
	if s, err := load(dir); err == nil {
		return s, false, nil
	}
	removeStalePartials()
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, false, fmt.Errorf("mediatest: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename; cleans up on failure
	// MkdirTemp makes it private; other users' test runs may read it.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, false, fmt.Errorf("mediatest: %w", err)
	}
	if err := generate(p, tmp); err != nil {
		return nil, false, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another test binary may have finished the same set first.
		if s, lerr := load(dir); lerr == nil {
			return s, true, nil
		}
		// A broken leftover (files deleted under it): replace it.
		if rerr := os.RemoveAll(dir); rerr != nil {
			return nil, false, fmt.Errorf("mediatest: replace incomplete %s: %w", dir, rerr)
		}
		if err := os.Rename(tmp, dir); err != nil {
			return nil, false, fmt.Errorf("mediatest: %w", err)
		}
	}
	s, err := load(dir)
	return s, true, err
}

// generate runs ffmpeg for p in dir, then describes the result and writes
// the .ism and the marker.
func generate(p plan, dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), ffmpegTimeout)
	defer cancel()
	if err := runFFmpeg(ctx, dir, p.Args...); err != nil {
		return fmt.Errorf("generate %s: %w", p.Name, err)
	}
	s := &Set{Duration: p.Duration}
	for _, o := range p.Outputs {
		f, err := describe(dir, o)
		if err != nil {
			return fmt.Errorf("mediatest: generate %s: %w", p.Name, err)
		}
		s.Files = append(s.Files, f)
	}
	s.Tracks = tracks(s.Files)
	if p.ISM {
		s.ISM = p.Name + ".ism"
		if err := os.WriteFile(filepath.Join(dir, s.ISM), ism(s.Tracks), 0o644); err != nil {
			return fmt.Errorf("mediatest: %w", err)
		}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("mediatest: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, markerName), b, 0o644)
}

// load reads a complete set from dir: the marker must parse and every
// file must exist with its recorded size.
func load(dir string) (*Set, error) {
	b, err := os.ReadFile(filepath.Join(dir, markerName))
	if err != nil {
		return nil, err
	}
	var s Set
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	s.Dir = dir
	for i := range s.Files {
		f := &s.Files[i]
		f.Path = filepath.Join(dir, f.Name)
		fi, err := os.Stat(f.Path)
		if err != nil {
			return nil, err
		}
		if fi.Size() != f.Size {
			return nil, fmt.Errorf("%s: size %d, want %d", f.Path, fi.Size(), f.Size)
		}
	}
	if s.ISM != "" {
		if _, err := os.Stat(filepath.Join(dir, s.ISM)); err != nil {
			return nil, err
		}
	}
	if len(s.Files) == 0 {
		return nil, errors.New("empty set")
	}
	return &s, nil
}

// removeStalePartials removes generation directories left by killed test
// binaries.
func removeStalePartials() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*.partial-*"))
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > partialMaxAge {
			_ = os.RemoveAll(d)
		}
	}
}

// clone copies s so that callers cannot change the cached description.
func (s *Set) clone() *Set {
	c := *s
	c.Files = append([]File(nil), s.Files...)
	for i := range c.Files {
		c.Files[i].Streams = append([]ProbeStream(nil), s.Files[i].Streams...)
	}
	c.Tracks = append([]Track(nil), s.Tracks...)
	return &c
}
