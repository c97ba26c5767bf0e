package proctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Buffer collects output written from many goroutines (a child's stdout
// and stderr, a logger).
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Len returns how many bytes were written.
func (s *Buffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// FreePorts picks n distinct free loopback ports. They are released
// before the child binds them, so another process may take one meanwhile:
// callers retry when the child reports the port in use.
func FreePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// ModuleRoot walks up from the working directory (a package directory
// under `go test`) to the directory holding go.mod, where the pinned
// tools live (.bin, node_modules).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Process is a running child whose output is collected.
type Process struct {
	cmd    *exec.Cmd
	out    *Buffer
	exited chan struct{}
}

// Start runs bin with args in dir, collecting its stdout and stderr.
func Start(bin string, args []string, dir string) (*Process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	p := &Process{cmd: cmd, out: &Buffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// Output returns what the process wrote so far.
func (p *Process) Output() string { return p.out.String() }

// ErrExited is returned by WaitReady when the process ended first.
var ErrExited = errors.New("process exited before it was ready")

// WaitReady calls ready every interval until it succeeds (nil), the
// process exits (ErrExited) or ctx ends (ctx's error joined with ready's
// last error). It does not stop the process.
func (p *Process) WaitReady(ctx context.Context, interval time.Duration, ready func(context.Context) error) error {
	for {
		err := ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return ErrExited
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-time.After(interval):
		}
	}
}

// Stop interrupts the process and kills it if it has not exited within
// grace; it returns once the process is gone.
func (p *Process) Stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
