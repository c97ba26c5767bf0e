package encode

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stderrTail is how much of ffmpeg's error output is kept for messages.
const stderrTail = 8 << 10

// tailBuffer keeps the last n bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	n   int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.n {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.n:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if len(b) > t.n {
		b = b[len(b)-t.n:]
	}
	return string(b)
}

// runSpec is one ffmpeg run.
type runSpec struct {
	args     []string
	dir      string
	duration time.Duration // expected output duration, for progress
	timeout  time.Duration
	// progress receives 0–1000 (per mille) as ffmpeg reports out_time.
	progress func(permille int)
	stdout   io.Writer // when set, ffmpeg's stdout goes here and progress is not parsed
	// warnings, when set, receives the tail of ffmpeg's error output of a
	// successful run (damaged inputs decode with complaints).
	warnings *string
}

// run starts ffmpeg and waits for it. Cancelling ctx interrupts ffmpeg
// (SIGINT, then SIGKILL two seconds later) and returns ctx's error; a
// failed run returns an *Error classified from ffmpeg's stderr.
func (e *Encoder) run(ctx context.Context, r runSpec) error {
	tctx, cancel := context.WithTimeoutCause(ctx, r.timeout, errTimeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, e.ffmpeg(), r.args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "AV_LOG_FORCE_NOCOLOR=1")
	cmd.SysProcAttr = procAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 2 * time.Second
	stderr := &tailBuffer{n: stderrTail}
	cmd.Stderr = stderr
	var pr io.ReadCloser
	if r.stdout != nil {
		cmd.Stdout = r.stdout
	} else {
		var err error
		if pr, err = cmd.StdoutPipe(); err != nil {
			return newError(CodeServiceError, "cannot start ffmpeg", err)
		}
	}
	if err := cmd.Start(); err != nil {
		return newError(CodeServiceError, fmt.Sprintf("cannot start ffmpeg (%s): %v", e.ffmpeg(), err), err)
	}
	limitMemory(cmd.Process.Pid, e.memoryLimit())
	var wg sync.WaitGroup
	if pr != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			readProgress(pr, r.duration, r.progress)
		}()
	}
	wg.Wait()
	err := cmd.Wait()
	if err == nil {
		if r.warnings != nil {
			*r.warnings = stderr.String()
		}
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(context.Cause(tctx), errTimeout) {
		return newError(CodeServiceError, fmt.Sprintf("encoding took longer than %s and was stopped", r.timeout.Round(time.Second)), errTimeout)
	}
	text := stderr.String()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return newError(CodeServiceError, "ffmpeg was killed (out of memory?): "+summarize(text), err)
		}
	}
	code := classify(text)
	msg := logPrefixRE.ReplaceAllString(summarize(text), "")
	switch code {
	case CodeContentMalformed:
		msg = "the input could not be decoded (corrupt or truncated media): " + msg
	case CodeContentUnsupported:
		msg = "the input uses a codec this encoder cannot decode: " + msg
	case CodeConfigurationUnsupported:
		msg = "ffmpeg refused the preset's settings for this input: " + msg
	default:
		msg = "ffmpeg failed: " + msg
	}
	return newError(code, msg, fmt.Errorf("ffmpeg: %w\n%s", err, text))
}

var errTimeout = errors.New("encode: time limit exceeded")

// summarize keeps the last meaningful lines of ffmpeg's stderr.
func summarize(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Conversion failed") {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) > 3 {
		keep = keep[len(keep)-3:]
	}
	if len(keep) == 0 {
		return "no error output"
	}
	out := strings.Join(keep, "; ")
	if len(out) > 600 {
		out = out[:600] + "…"
	}
	return out
}

// readProgress parses `-progress pipe:1` key=value blocks and reports the
// share of duration done, in per mille, never decreasing.
func readProgress(r io.Reader, duration time.Duration, report func(int)) {
	sc := bufio.NewScanner(r)
	last := -1
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		var pm int
		switch k {
		case "out_time_us", "out_time_ms": // both are microseconds
			us, err := strconv.ParseInt(v, 10, 64)
			if err != nil || us < 0 || duration <= 0 {
				continue
			}
			pm = int(min(int64(999), us*1000/duration.Microseconds()))
		case "progress":
			if v != "end" {
				continue
			}
			pm = 1000
		default:
			continue
		}
		if pm > last && report != nil {
			last = pm
			report(pm)
		}
	}
	_, _ = io.Copy(io.Discard, r)
}
