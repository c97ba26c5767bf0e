package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
)

// readme returns the repository's README.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeConfigKeys: the README's table of configuration keys is the
// output of "lockstream config keys", so it cannot drift from the struct
// tags. To refresh it, replace the lines between the markers with that
// output.
func TestReadmeConfigKeys(t *testing.T) {
	s := readme(t)
	_, rest, ok := strings.Cut(s, "<!-- config-keys:begin -->\n")
	table, _, ok2 := strings.Cut(rest, "<!-- config-keys:end -->")
	if !ok || !ok2 {
		t.Fatal("README lacks the config-keys markers")
	}
	if want := conf.KeysMarkdown(); table != want {
		t.Fatalf("README config keys table is stale; replace it with the output of \"lockstream config keys\":\n%s", want)
	}
}

// TestReadmeFirstCommands: the README opens with the two commands — build
// once and serve the demo with the binary on PATH, then ./scripts/test —
// the flags the first one uses exist, and the requirements name every
// package scripts/test installs.
func TestReadmeFirstCommands(t *testing.T) {
	s := readme(t)
	_, block, _ := strings.Cut(s, "## Two commands\n\n```sh\n")
	block, _, _ = strings.Cut(block, "```")
	for _, want := range []string{"go build -v -o bin/lockstream ./cmd/lockstream", `export PATH="$PWD/bin:$PATH"`, "lockstream serve --demo", "\n./scripts/test\n"} {
		if !strings.Contains(block, want) {
			t.Errorf("first commands lack %q:\n%s", want, block)
		}
	}
	flags := map[string]bool{}
	envs := map[string]bool{}
	for _, k := range conf.Keys() {
		flags[k.Flag], envs[k.Env] = true, true
	}
	for _, m := range regexp.MustCompile(`(?m)\s--([a-z][a-z0-9-]*)`).FindAllStringSubmatch(block, -1) {
		if !flags[m[1]] {
			t.Errorf("first command uses unknown flag --%s", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`LOCKSTREAM_[A-Z_]+`).FindAllString(block, -1) {
		if !envs[m] {
			t.Errorf("first command uses unknown variable %s", m)
		}
	}
	script, err := os.ReadFile("../../scripts/test")
	if err != nil {
		t.Fatal(err)
	}
	_, req, _ := strings.Cut(s, "Requirements:")
	req, _, _ = strings.Cut(req, "\n\n")
	pkgs := regexp.MustCompile(`need_apt\+=\(([a-z0-9-]+)\)`).FindAllStringSubmatch(string(script), -1)
	if len(pkgs) == 0 {
		t.Fatal("no packages found in scripts/test")
	}
	for _, m := range pkgs {
		if !strings.Contains(req, m[1]) {
			t.Errorf("README requirements lack %s, which scripts/test installs", m[1])
		}
	}
}
