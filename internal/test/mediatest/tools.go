package mediatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// AptPackage is the Debian/Ubuntu package that provides ffmpeg and ffprobe.
const AptPackage = "ffmpeg"

// ffmpegTimeout bounds one ffmpeg run started by FFmpeg or a generator.
const ffmpegTimeout = 5 * time.Minute

// errMissing marks a setup problem (not a failure of the code under test):
// Require skips on it unless CI=true.
var errMissing = errors.New("mediatest: ffmpeg not available")

var (
	toolsOnce               sync.Once
	ffmpegPath, ffprobePath string
	ffmpegVersion           string
	hlsPicky                bool // the hls demuxer has extension_picky
	toolsErr                error
)

// tools finds ffmpeg and ffprobe on PATH and reads ffmpeg's version line
// (part of every cache key: another ffmpeg makes other bytes).
func tools() (ffmpeg, ffprobe string, err error) {
	toolsOnce.Do(func() {
		var missing []string
		for _, tool := range []struct {
			name string
			dst  *string
		}{{"ffmpeg", &ffmpegPath}, {"ffprobe", &ffprobePath}} {
			p, err := exec.LookPath(tool.name)
			if err != nil {
				missing = append(missing, tool.name)
				continue
			}
			*tool.dst = p
		}
		if len(missing) > 0 {
			toolsErr = fmt.Errorf("%w: %s not on PATH; install them with `apt-get install -y %s` (one package, both programs)",
				errMissing, strings.Join(missing, " and "), AptPackage)
			return
		}
		out, err := exec.Command(ffmpegPath, "-hide_banner", "-version").Output()
		if err != nil {
			toolsErr = fmt.Errorf("mediatest: %s -version: %w", ffmpegPath, err)
			return
		}
		ffmpegVersion, _, _ = strings.Cut(string(out), "\n")
		// Since 7.1 (and in security backports such as Debian's 5.1.9)
		// the hls demuxer refuses segments without a media extension.
		help, _ := exec.Command(ffmpegPath, "-hide_banner", "-h", "demuxer=hls").CombinedOutput()
		hlsPicky = strings.Contains(string(help), "extension_picky")
	})
	return ffmpegPath, ffprobePath, toolsErr
}

// Require skips the test when ffmpeg or ffprobe is not on PATH, or fails
// it when CI=true, naming the package to install.
func Require(t testing.TB) {
	t.Helper()
	if _, _, err := tools(); err != nil {
		if errors.Is(err, errMissing) && os.Getenv("CI") != "true" {
			t.Skipf("%v; skipping", err)
		}
		if errors.Is(err, errMissing) {
			t.Fatalf("%v (CI=true: refusing to skip)", err)
		}
		t.Fatalf("%v", err)
	}
}

// FFmpeg runs `ffmpeg -hide_banner -nostdin -v error -y args...` in dir
// (relative output names land there) and fails the test with ffmpeg's
// error output when it exits non-zero or runs longer than five minutes.
func FFmpeg(t testing.TB, dir string, args ...string) {
	t.Helper()
	Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), ffmpegTimeout)
	defer cancel()
	if err := runFFmpeg(ctx, dir, args...); err != nil {
		t.Fatalf("%v", err)
	}
}

func runFFmpeg(ctx context.Context, dir string, args ...string) error {
	ffmpeg, _, err := tools()
	if err != nil {
		return err
	}
	full := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, args...)
	cmd := exec.CommandContext(ctx, ffmpeg, full...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("mediatest: ffmpeg %s: %w\n%s", strings.Join(args, " "), err, tail(stderr.String(), 4000))
	}
	return nil
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
