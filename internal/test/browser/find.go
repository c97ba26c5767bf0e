package browser

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// EnvChromium overrides the browser executable.
const EnvChromium = "CHROMIUM"

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// nodeModules are the npm packages play.mjs needs (root package.json).
var nodeModules = []string{"playwright-core", "shaka-player", "hls.js"}

// errMissing marks a setup problem (not a failure of the code under test):
// Require skips on it unless CI=true.
var errMissing = errors.New("browser: playback harness not available")

// tools are the programs and files a playback run needs.
type tools struct {
	node     string
	chromium string
	root     string // repository root: package.json, node_modules
	script   string // play.mjs
}

var (
	toolsOnce sync.Once
	found     tools
	foundErr  error
)

func findTools() (tools, error) {
	toolsOnce.Do(func() { found, foundErr = lookup() })
	return found, foundErr
}

func lookup() (tools, error) {
	var tl tools
	var problems []error
	if p, err := exec.LookPath("node"); err == nil {
		tl.node = p
	} else {
		problems = append(problems, errors.New("node (Node.js) is not on PATH; install it with `apt-get install -y nodejs npm`"))
	}
	if p, err := findChromium(); err == nil {
		tl.chromium = p
	} else {
		problems = append(problems, err)
	}
	root, err := repoRoot()
	if err != nil {
		problems = append(problems, err)
	} else {
		tl.root = root
		tl.script = filepath.Join(root, "internal", "test", "browser", "play.mjs")
		if _, err := os.Stat(tl.script); err != nil {
			problems = append(problems, fmt.Errorf("the harness script: %w", err))
		}
		for _, m := range nodeModules {
			if _, err := os.Stat(filepath.Join(root, "node_modules", m, "package.json")); err != nil {
				problems = append(problems, fmt.Errorf("npm package %s is not installed in %s; run `npm ci` at the repo root (%s)",
					m, filepath.Join(root, "node_modules"), root))
				break
			}
		}
	}
	if len(problems) > 0 {
		return tools{}, fmt.Errorf("%w: %w", errMissing, errors.Join(problems...))
	}
	return tl, nil
}

// findChromium returns $CHROMIUM, else /usr/bin/chromium, else chromium or
// chromium-browser on PATH.
func findChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("$%s=%s is not an executable: %w", EnvChromium, p, err)
		}
		return p, nil
	}
	if _, err := exec.LookPath(DefaultChromium); err == nil {
		return DefaultChromium, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium is not at %s nor on PATH; install it with `apt-get install -y chromium` or set $%s", DefaultChromium, EnvChromium)
}

// repoRoot walks up from the working directory (a package directory under
// `go test`) to the directory holding package.json and go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		_, errPkg := os.Stat(filepath.Join(dir, "package.json"))
		_, errMod := os.Stat(filepath.Join(dir, "go.mod"))
		if errPkg == nil && errMod == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no directory with package.json and go.mod above the working directory")
		}
		dir = parent
	}
}

// Require skips the test when node, chromium or the npm packages are
// missing, or fails it when CI=true, naming the install command.
func Require(t testing.TB) {
	t.Helper()
	requireTools(t)
}

func requireTools(t testing.TB) tools {
	t.Helper()
	tl, err := findTools()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: refusing to skip)", err)
		}
		t.Skipf("%v; skipping", err)
	}
	return tl
}
