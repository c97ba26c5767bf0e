package ksm

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Deriver computes DASk = D(R2, ASk), Apple's key-derivation function.
// D ships with the operator's FPS SDK under Apple's license, so
// Lockstream does not carry it: Helper runs a program the operator builds
// from the SDK. Tests use a stand-in (package ksmtest).
type Deriver interface {
	DASk(ctx context.Context, ask [16]byte, r2 []byte) ([16]byte, error)
}

// DeriverFunc adapts a function to Deriver.
type DeriverFunc func(ctx context.Context, ask [16]byte, r2 []byte) ([16]byte, error)

// DASk calls f.
func (f DeriverFunc) DASk(ctx context.Context, ask [16]byte, r2 []byte) ([16]byte, error) {
	return f(ctx, ask, r2)
}

// ErrDerive means the derivation helper failed or did not answer.
var ErrDerive = errors.New("ksm: key derivation helper failed")

// DefaultHelperTimeout bounds one helper exchange.
const DefaultHelperTimeout = 2 * time.Second

// Helper speaks the line protocol to an external derivation program (see
// the package documentation). One process serves every request, one
// exchange at a time; a process that fails, answers garbage or misses the
// timeout is killed and a fresh one started (with its health check) on
// the next request.
type Helper struct {
	// Path and Args start the program.
	Path string
	Args []string
	// Env is added to Lockstream's environment for the helper.
	Env []string
	// Timeout bounds each exchange; default DefaultHelperTimeout.
	Timeout time.Duration
	// Log receives the helper's failures (never keys). Nil discards.
	Log *slog.Logger

	mu   sync.Mutex
	proc *helperProc
	// Banner is the health check's answer of the running process.
	banner string
}

type helperProc struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
	// done is closed when the process is stopped, releasing its reader.
	done chan struct{}
}

// Initialize starts the helper and runs its health check, so that a
// misconfigured helper stops the node at start, not at the first
// playback.
func (h *Helper) Initialize() error {
	if h.Path == "" {
		return errors.New("ksm: helper path is empty")
	}
	if h.Timeout <= 0 {
		h.Timeout = DefaultHelperTimeout
	}
	if h.Log == nil {
		h.Log = slog.New(slog.DiscardHandler)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.startLocked(context.Background())
}

// Banner returns what the helper answered to its health check.
func (h *Helper) Banner() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.banner
}

func (h *Helper) startLocked(ctx context.Context) error {
	cmd := exec.Command(h.Path, h.Args...)
	if len(h.Env) > 0 {
		cmd.Env = append(os.Environ(), h.Env...)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("helper stdin: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("helper stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w: start %s: %w", ErrDerive, h.Path, err)
	}
	p := &helperProc{cmd: cmd, in: in, lines: make(chan string, 1), done: make(chan struct{})}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 4096), 4096)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			case <-p.done:
				return
			}
		}
	}()
	h.proc = p
	line, err := h.exchangeLocked(ctx, "PING")
	if err != nil {
		return fmt.Errorf("helper health check: %w", err)
	}
	banner, ok := strings.CutPrefix(line, "PONG")
	if !ok {
		h.stopLocked()
		return fmt.Errorf("%w: health check answered %.40q, want PONG", ErrDerive, line)
	}
	h.banner = strings.TrimSpace(banner)
	return nil
}

// exchangeLocked writes one line and reads one, within the timeout. A
// failure kills the process.
func (h *Helper) exchangeLocked(ctx context.Context, line string) (string, error) {
	p := h.proc
	ctx, cancel := context.WithTimeout(ctx, h.Timeout)
	defer cancel()
	written := make(chan error, 1)
	go func() {
		_, err := io.WriteString(p.in, line+"\n")
		written <- err
	}()
	select {
	case err := <-written:
		if err != nil {
			h.stopLocked()
			return "", fmt.Errorf("%w: write: %w", ErrDerive, err)
		}
	case <-ctx.Done():
		h.stopLocked()
		return "", fmt.Errorf("%w: no answer within %s", ErrDerive, h.Timeout)
	}
	select {
	case l, ok := <-p.lines:
		if !ok {
			h.stopLocked()
			return "", fmt.Errorf("%w: the helper exited", ErrDerive)
		}
		return l, nil
	case <-ctx.Done():
		h.stopLocked()
		return "", fmt.Errorf("%w: no answer within %s", ErrDerive, h.Timeout)
	}
}

func (h *Helper) stopLocked() {
	p := h.proc
	if p == nil {
		return
	}
	h.proc = nil
	close(p.done)
	_ = p.in.Close()
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// DASk asks the helper for D(R2, ASk).
func (h *Helper) DASk(ctx context.Context, ask [16]byte, r2 []byte) ([16]byte, error) {
	var out [16]byte
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.proc == nil {
		if err := h.startLocked(ctx); err != nil {
			h.Log.Error("fairplay derivation helper restart failed", slog.String("err", err.Error()))
			return out, err
		}
	}
	askHex := hex.EncodeToString(ask[:])
	line, err := h.exchangeLocked(ctx, "DASK "+askHex+" "+hex.EncodeToString(r2))
	if err != nil {
		h.Log.Error("fairplay derivation helper failed", slog.String("err", err.Error()))
		return out, err
	}
	if reason, ok := strings.CutPrefix(line, "ERR"); ok {
		return out, fmt.Errorf("%w: %s", ErrDerive, strings.TrimSpace(reason))
	}
	v, ok := strings.CutPrefix(line, "OK ")
	if !ok || len(v) != 32 {
		h.stopLocked()
		return out, fmt.Errorf("%w: unexpected answer of %d bytes", ErrDerive, len(line))
	}
	if _, err := hex.Decode(out[:], []byte(v)); err != nil {
		h.stopLocked()
		return out, fmt.Errorf("%w: answer is not hex", ErrDerive)
	}
	return out, nil
}

// Close stops the helper.
func (h *Helper) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopLocked()
	return nil
}
