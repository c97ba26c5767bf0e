package azurite

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The well-known Azurite development account (documented by Microsoft;
// not a secret).
const (
	AccountName = "devstoreaccount1"
	AccountKey  = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

const (
	binName      = "azurite-blob"
	startTimeout = 30 * time.Second
	stopTimeout  = 5 * time.Second
	// Bounds Azurite's in-memory store; tests upload a few MiB.
	extentMemoryMB = "512"
)

// Start runs azurite-blob on 127.0.0.1 on a free port with in-memory
// persistence, waits until it answers HTTP, and stops it when the test
// ends. It returns the blob service URL (path-style, ending in the account
// name) and the account credentials.
func Start(t testing.TB) (serviceURL, accountName, accountKey string) {
	t.Helper()
	bin, err := findBinary()
	if err != nil {
		unavailable(t, err.Error())
	}
	if _, err := exec.LookPath("node"); err != nil {
		unavailable(t, fmt.Sprintf("azurite: node (Node.js) is not on PATH; install Node.js (e.g. `apt-get install nodejs npm`), then run `npm ci` at the repo root (%s)", rootHint()))
	}
	// The port is picked by binding :0 and released before Azurite binds
	// it, so another process can grab it in between; retry on that.
	var lastErr error
	for range 3 {
		u, err := launch(t, bin)
		if err == nil {
			return u, AccountName, AccountKey
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("azurite: %v", lastErr)
	return "", "", ""
}

var errPortTaken = errors.New("port already in use")

// unavailable skips, or fails on CI, naming what is missing and the fix.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: refusing to skip)", msg)
	}
	t.Skipf("%s; skipping", msg)
}

// findBinary prefers the repository's pinned node_modules copy over one on
// PATH, so every machine tests against the same Azurite version.
func findBinary() (string, error) {
	root, rootErr := moduleRoot()
	if rootErr == nil {
		p := filepath.Join(root, "node_modules", ".bin", binName)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(binName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("azurite: %s not found in %s nor on PATH; install it with `npm ci` at the repo root (%s)",
		binName, filepath.Join(rootHint(), "node_modules", ".bin"), rootHint())
}

func rootHint() string {
	if root, err := moduleRoot(); err == nil {
		return root
	}
	return "the directory holding go.mod"
}

// moduleRoot walks up from the working directory (a package directory
// under `go test`) to the directory holding go.mod.
func moduleRoot() (string, error) {
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

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects the child's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func launch(t testing.TB, bin string) (string, error) {
	t.Helper()
	port, err := freePort()
	if err != nil {
		return "", fmt.Errorf("pick a free port: %w", err)
	}
	cmd := exec.Command(bin,
		"--blobHost", "127.0.0.1",
		"--blobPort", strconv.Itoa(port),
		"--inMemoryPersistence",
		"--extentMemoryLimit", extentMemoryMB,
		"--skipApiVersionCheck",
		"--loose",
		"--disableTelemetry", // the test machines have no network to send it to
	)
	// Azurite may write debug or lock files to its working directory.
	cmd.Dir = t.TempDir()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		select {
		case <-exited:
			return
		default:
		}
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	serviceURL := "http://127.0.0.1:" + strconv.Itoa(port) + "/" + AccountName
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		// Any HTTP answer (403 for an unsigned request) means it is up.
		resp, err := client.Get(serviceURL + "?comp=list")
		if err == nil {
			_ = resp.Body.Close()
			t.Cleanup(stop)
			return serviceURL, nil
		}
		select {
		case <-exited:
			if strings.Contains(out.String(), "EADDRINUSE") {
				return "", errPortTaken
			}
			return "", fmt.Errorf("%s exited before answering; output:\n%s", bin, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("%s did not answer on %s within %s; output:\n%s", bin, serviceURL, startTimeout, out.String())
		}
	}
}
