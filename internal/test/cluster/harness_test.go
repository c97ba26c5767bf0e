package cluster_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/test/s3test"
)

const (
	kek          = "4444444444444444444444444444444444444444444444444444444444444444"
	clientID     = "cluster-admin"
	clientSecret = "cluster-secret-0123456789abcdef"
)

// buildBinary builds cmd/lockstream once per test binary.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func buildLockstream(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lockstream-cluster-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "lockstream")
		cmd := exec.Command("go", "build", "-o", buildOnce.path, "github.com/lockstream/lockstream/cmd/lockstream")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// node is one lockstream process.
type node struct {
	name                       string
	api, origin, blob, metrics int
	dataDir                    string
	args                       []string
	cmd                        *exec.Cmd
	stdout                     *syncBuffer
	logs                       *syncBuffer
	exited                     chan struct{}
}

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

// cluster is the nodes, HAProxy in front, and the shared state.
type cluster struct {
	t          testing.TB
	bin        string
	dsn        string
	s3         *s3test.Server
	bucket     string
	lbAPI      int
	lbOrigin   int
	nodes      []*node
	haproxy    *exec.Cmd
	haproxyLog *syncBuffer
}

func (c *cluster) apiURL() string { return fmt.Sprintf("http://127.0.0.1:%d", c.lbAPI) }

// newCluster prepares n nodes on one PostgreSQL (dsn) and one S3 server
// (SeaweedFS, one bucket), as an operator scales Lockstream out: no node
// keeps anything the others need on its own disk.
func newCluster(t testing.TB, dsn string, n int, extra ...string) *cluster {
	srv := s3test.Start(t)
	c := &cluster{t: t, bin: buildLockstream(t), dsn: dsn, s3: srv, lbAPI: freePort(t), lbOrigin: freePort(t)}
	c.bucket = srv.NewBucket(t, "cluster")
	for i := range n {
		nd := &node{name: fmt.Sprintf("node%d", i+1), api: freePort(t), origin: freePort(t), blob: freePort(t), metrics: freePort(t), dataDir: t.TempDir()}
		nd.args = append([]string{"serve",
			"--data-dir", nd.dataDir,
			"--store-driver", "postgres", "--store-dsn", dsn,
			"--kek", kek,
			"--blob-driver", "s3", "--blob-s3-endpoint", srv.Endpoint, "--blob-s3-region", srv.Region,
			"--blob-s3-bucket", c.bucket, "--blob-s3-path-style",
			"--blob-s3-access-key-id", srv.AccessKey, "--blob-s3-secret-access-key", srv.SecretKey,
			"--blob-signing-key", "cluster-blob-signing-key-0123456789abcdef",
			"--api-listen", fmt.Sprintf("127.0.0.1:%d", nd.api),
			"--origin-listen", fmt.Sprintf("127.0.0.1:%d", nd.origin),
			"--blob-listen", fmt.Sprintf("127.0.0.1:%d", nd.blob),
			"--metrics-listen", fmt.Sprintf("127.0.0.1:%d", nd.metrics),
			// Every node writes the load balancer's addresses into
			// manifests and tokens, so a player never sees a node.
			"--api-public-url", c.apiURL(),
			"--origin-host-name", fmt.Sprintf("127.0.0.1:%d", c.lbOrigin),
			"--ratelimit-trusted-proxies", "127.0.0.1",
			// Store reads are cached for an hour: only cross-node
			// invalidation can make a change visible within the test.
			"--cache-ttl", "1h",
			"--bootstrap-client-id", clientID, "--bootstrap-client-secret", clientSecret,
			// Long enough for HAProxy (checks every 200 ms, down after 2)
			// to take a draining node out before it stops.
			"--demo", "--drain-delay", "2s", "--log-level", "warn",
		}, extra...)
		c.nodes = append(c.nodes, nd)
	}
	t.Cleanup(c.stop)
	return c
}

// start launches a node and waits until its /readyz answers 200.
func (c *cluster) start(nd *node) {
	c.t.Helper()
	nd.stdout, nd.logs = &syncBuffer{}, &syncBuffer{}
	nd.cmd = exec.Command(c.bin, nd.args...)
	nd.cmd.Stdout, nd.cmd.Stderr = nd.stdout, nd.logs
	nd.cmd.Env = append(os.Environ(), "LOCKSTREAM_CONFIG=")
	if err := nd.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	nd.exited = make(chan struct{})
	go func() { _ = nd.cmd.Wait(); close(nd.exited) }()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case <-nd.exited:
			c.t.Fatalf("%s exited at start:\n%s", nd.name, nd.logs.String())
		default:
		}
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", nd.api)); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s not ready:\n%s", nd.name, nd.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *cluster) kill(nd *node) {
	_ = nd.cmd.Process.Signal(syscall.SIGKILL)
	<-nd.exited
}

func (c *cluster) stop() {
	// SIGTERM every node at once (each drains), then wait for them.
	for _, nd := range c.nodes {
		if nd.cmd != nil && nd.cmd.Process != nil {
			select {
			case <-nd.exited:
			default:
				_ = nd.cmd.Process.Signal(syscall.SIGTERM)
			}
		}
	}
	for _, nd := range c.nodes {
		if nd.cmd != nil && nd.cmd.Process != nil {
			select {
			case <-nd.exited:
			case <-time.After(30 * time.Second):
				c.kill(nd)
			}
		}
		if c.t.Failed() && nd.logs != nil {
			c.t.Logf("%s log:\n%s", nd.name, tail(nd.logs.String(), 4000))
		}
	}
	if c.haproxy != nil && c.haproxy.Process != nil {
		_ = c.haproxy.Process.Signal(syscall.SIGTERM)
		_ = c.haproxy.Wait()
		if c.t.Failed() {
			c.t.Logf("haproxy log:\n%s", tail(c.haproxyLog.String(), 4000))
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// startHAProxy writes the configuration (health checks on /readyz, a
// retry on another server when a connection fails) and runs haproxy in
// the foreground.
func (c *cluster) startHAProxy() {
	c.t.Helper()
	if _, err := exec.LookPath("haproxy"); err != nil {
		// Under CI=true a missing component is a failure, never a skip;
		// scripts/test installs haproxy.
		if os.Getenv("CI") == "true" {
			c.t.Fatal("haproxy not installed")
		}
		c.t.Skip("haproxy not installed (apt-get install haproxy)")
	}
	var b strings.Builder
	b.WriteString(`global
    maxconn 2048
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    option forwardfor
    option redispatch
    retries 3
    retry-on conn-failure empty-response response-timeout
`)
	for _, fe := range []struct {
		name string
		port int
		pick func(*node) int
	}{{"api", c.lbAPI, func(n *node) int { return n.api }}, {"origin", c.lbOrigin, func(n *node) int { return n.origin }}} {
		fmt.Fprintf(&b, "frontend fe_%s\n    bind 127.0.0.1:%d\n    default_backend be_%s\n", fe.name, fe.port, fe.name)
		fmt.Fprintf(&b, "backend be_%s\n    balance roundrobin\n    option httpchk GET /readyz\n    default-server inter 200ms fall 2 rise 2\n", fe.name)
		for _, nd := range c.nodes {
			fmt.Fprintf(&b, "    server %s 127.0.0.1:%d check port %d\n", nd.name, fe.pick(nd), nd.api)
		}
	}
	cfg := filepath.Join(c.t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		c.t.Fatal(err)
	}
	c.haproxyLog = &syncBuffer{}
	c.haproxy = exec.Command("haproxy", "-db", "-f", cfg)
	c.haproxy.Stdout, c.haproxy.Stderr = c.haproxyLog, c.haproxyLog
	if err := c.haproxy.Start(); err != nil {
		c.t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if resp, err := http.Get(c.apiURL() + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("haproxy not serving:\n%s", c.haproxyLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// bannerURL returns the demo locator's HLS AES-128 master playlist URL
// from the banner a node printed.
func bannerURL(t testing.TB, banner, locator string) string {
	t.Helper()
	_, rest, ok := strings.Cut(banner, "Demo locator "+locator+" (")
	if !ok {
		t.Fatalf("banner lacks locator %s:\n%s", locator, banner)
	}
	sc := bufio.NewScanner(strings.NewReader(rest))
	sc.Scan()
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "    ") {
			break
		}
		if u := strings.TrimSpace(line); strings.Contains(u, "format=m3u8-aapl,encryption=cbc") {
			return u
		}
	}
	t.Fatalf("no HLS AES-128 URL for %s", locator)
	return ""
}

// waitBanner waits until the node printed its banner.
func waitBanner(t testing.TB, nd *node) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		if s := nd.stdout.String(); strings.Contains(s, "Demo locator demo-token") {
			time.Sleep(100 * time.Millisecond) // the rest of the banner
			return nd.stdout.String()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s printed no banner:\n%s", nd.name, nd.stdout.String())
	return ""
}
