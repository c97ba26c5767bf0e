package azurite

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/test/proctest"
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
	root, rootErr := proctest.ModuleRoot()
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
	if root, err := proctest.ModuleRoot(); err == nil {
		return root
	}
	return "the directory holding go.mod"
}

func launch(t testing.TB, bin string) (string, error) {
	t.Helper()
	ports, err := proctest.FreePorts(1)
	if err != nil {
		return "", err
	}
	port := ports[0]
	// Azurite may write debug or lock files to its working directory.
	proc, err := proctest.Start(bin, []string{
		"--blobHost", "127.0.0.1",
		"--blobPort", strconv.Itoa(port),
		"--inMemoryPersistence",
		"--extentMemoryLimit", extentMemoryMB,
		"--skipApiVersionCheck",
		"--loose",
		"--disableTelemetry", // the test machines have no network to send it to
	}, t.TempDir())
	if err != nil {
		return "", err
	}
	serviceURL := "http://127.0.0.1:" + strconv.Itoa(port) + "/" + AccountName
	client := &http.Client{Timeout: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	err = proc.WaitReady(ctx, 100*time.Millisecond, func(ctx context.Context) error {
		// Any HTTP answer (403 for an unsigned request) means it is up.
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, serviceURL+"?comp=list", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
	switch {
	case err == nil:
		t.Cleanup(func() { proc.Stop(stopTimeout) })
		return serviceURL, nil
	case errors.Is(err, proctest.ErrExited):
		if strings.Contains(proc.Output(), "EADDRINUSE") {
			return "", errPortTaken
		}
		return "", fmt.Errorf("%s exited before answering; output:\n%s", bin, proc.Output())
	default:
		proc.Stop(stopTimeout)
		return "", fmt.Errorf("%s did not answer on %s within %s (%w); output:\n%s", bin, serviceURL, startTimeout, err, proc.Output())
	}
}
