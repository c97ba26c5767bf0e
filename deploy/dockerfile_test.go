package deploy_test

import (
	"encoding/json"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
)

// stage is one FROM … AS name section of a Dockerfile.
type stage struct {
	name, from string
	env        map[string]string
	expose     []string
	user       string
	entrypoint []string
	cmd        []string
	run        []string
	copies     []string
}

// parseDockerfile reads the instructions this repository's Dockerfiles
// use, joining continuation lines.
func parseDockerfile(t *testing.T, path string) []*stage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var cur strings.Builder
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") || (l == "" && cur.Len() == 0) {
			continue
		}
		if s, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(l)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	var stages []*stage
	for _, l := range lines {
		instr, rest, _ := strings.Cut(l, " ")
		rest = strings.TrimSpace(rest)
		if strings.EqualFold(instr, "FROM") {
			f := strings.Fields(rest)
			s := &stage{from: f[0], env: map[string]string{}}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			continue // ARG before the first FROM
		}
		s := stages[len(stages)-1]
		switch strings.ToUpper(instr) {
		case "ENV":
			for _, kv := range strings.Fields(rest) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("%s: ENV %q: use KEY=value", path, kv)
				}
				s.env[k] = v
			}
		case "EXPOSE":
			s.expose = append(s.expose, strings.Fields(rest)...)
		case "USER":
			s.user = rest
		case "ENTRYPOINT":
			s.entrypoint = jsonArgs(t, path, rest)
		case "CMD":
			s.cmd = jsonArgs(t, path, rest)
		case "RUN":
			s.run = append(s.run, rest)
		case "COPY":
			s.copies = append(s.copies, rest)
		}
	}
	return stages
}

func jsonArgs(t *testing.T, path, s string) []string {
	t.Helper()
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("%s: %q: use the JSON (exec) form: %v", path, s, err)
	}
	return out
}

// envKeys is every LOCKSTREAM_* variable the binary reads.
func envKeys() map[string]bool {
	m := map[string]bool{}
	for _, k := range conf.Keys() {
		m[k.Env] = true
	}
	return m
}

// loadConf validates settings as the binary would at start-up: env plus
// the serve arguments after "serve".
func loadConf(t *testing.T, what string, env map[string]string, args []string) conf.Conf {
	t.Helper()
	known := envKeys()
	for k := range env {
		if strings.HasPrefix(k, "LOCKSTREAM_") && !known[k] {
			t.Errorf("%s sets %s, which the binary does not read", what, k)
		}
	}
	c, err := conf.Load("lockstream", args, func(k string) string { return env[k] }, os.Stderr)
	if err != nil {
		t.Fatalf("%s: the binary refuses this configuration: %v", what, err)
	}
	return c
}

func portOf(t *testing.T, what, hostport string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatalf("%s: %q is not host:port", what, hostport)
	}
	return p
}

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, "../Dockerfile")
	byName := map[string]*stage{}
	for _, s := range stages {
		byName[s.name] = s
	}
	for _, n := range []string{"build", "encode", "runtime"} {
		if byName[n] == nil {
			t.Fatalf("Dockerfile has no %q stage", n)
		}
	}
	if stages[len(stages)-1].name != "runtime" {
		t.Error("the last stage (docker build's default target) must be runtime")
	}
	build := strings.Join(byName["build"].run, "\n")
	if !strings.Contains(build, "CGO_ENABLED=0") || !strings.Contains(build, "./cmd/lockstream") {
		t.Errorf("build stage must compile ./cmd/lockstream with CGO_ENABLED=0: %s", build)
	}
	if _, err := os.Stat("../cmd/lockstream/main.go"); err != nil {
		t.Errorf("build stage compiles ./cmd/lockstream: %v", err)
	}
	if rt := byName["runtime"]; !strings.Contains(rt.from, "distroless") && !strings.Contains(rt.from, "-slim") {
		t.Errorf("runtime base %q: want distroless or debian-slim", rt.from)
	}
	if !strings.Contains(strings.Join(byName["encode"].run, " "), "ffmpeg") {
		t.Error("encode stage does not install ffmpeg")
	}
	for _, n := range []string{"encode", "runtime"} {
		s := byName[n]
		if u, _, _ := strings.Cut(s.user, ":"); u == "" || u == "0" || u == "root" {
			t.Errorf("%s stage runs as %q; want a non-root uid", n, s.user)
		}
		if len(s.entrypoint) == 0 || s.entrypoint[0] != "/usr/local/bin/lockstream" || len(s.cmd) == 0 || s.cmd[0] != "serve" {
			t.Errorf("%s stage: ENTRYPOINT %q CMD %q; want the binary and serve", n, s.entrypoint, s.cmd)
		}
		c := loadConf(t, "Dockerfile stage "+n, s.env, s.cmd[1:])
		want := []string{portOf(t, "api listen", c.API.Listen), portOf(t, "origin listen", c.Origin.Listen), portOf(t, "blob listen", c.Blob.Listen)}
		got := slices.Clone(s.expose)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s stage exposes %v; its listeners are on %v", n, got, want)
		}
		for _, l := range []string{c.API.Listen, c.Origin.Listen, c.Blob.Listen} {
			if !strings.HasPrefix(l, "0.0.0.0:") {
				t.Errorf("%s stage listens on %s: unreachable from outside the container", n, l)
			}
		}
	}

	sw := parseDockerfile(t, "seaweedfs.Dockerfile")
	if !strings.Contains(strings.Join(sw[0].run, " "), "github.com/seaweedfs/seaweedfs/weed") || !slices.ContainsFunc(sw[0].copies, func(c string) bool { return strings.HasPrefix(c, "tools/seaweedfs/") }) {
		t.Error("seaweedfs.Dockerfile must build weed from the pinned tools/seaweedfs module")
	}
}
