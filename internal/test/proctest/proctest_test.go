package proctest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/test/proctest"
)

// The test binary doubles as the child: with PROCTEST_CHILD set it serves
// HTTP on the given port ("serve") or fails at once ("exit").
func TestMain(m *testing.M) {
	switch os.Getenv("PROCTEST_CHILD") {
	case "serve":
		l, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PROCTEST_PORT"))
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(3)
		}
		fmt.Println("serving")
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
		os.Exit(0)
	case "exit":
		fmt.Println("giving up")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func child(t *testing.T, mode string, port int) *proctest.Process {
	t.Helper()
	t.Setenv("PROCTEST_CHILD", mode)
	t.Setenv("PROCTEST_PORT", strconv.Itoa(port))
	p, err := proctest.Start(os.Args[0], []string{"-test.run=^$"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStartWaitStop(t *testing.T) {
	ports, err := proctest.FreePorts(3)
	if err != nil || len(ports) != 3 || ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2] {
		t.Fatalf("FreePorts(3) = %v, %v", ports, err)
	}
	p := child(t, "serve", ports[0])
	url := "http://127.0.0.1:" + strconv.Itoa(ports[0]) + "/"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = p.WaitReady(ctx, 20*time.Millisecond, func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("WaitReady: %v; output %q", err, p.Output())
	}
	p.Stop(5 * time.Second)
	if _, err := http.Get(url); err == nil {
		t.Fatal("the child still answers after Stop")
	}
	if p.Output() != "serving\n" {
		t.Errorf("output %q", p.Output())
	}
	p.Stop(time.Second) // stopping twice is harmless
}

func TestWaitReadyReportsExit(t *testing.T) {
	p := child(t, "exit", 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	never := errors.New("not ready")
	err := p.WaitReady(ctx, 20*time.Millisecond, func(context.Context) error { return never })
	if !errors.Is(err, proctest.ErrExited) || p.Output() != "giving up\n" {
		t.Fatalf("WaitReady = %v, output %q; want ErrExited", err, p.Output())
	}
}

func TestWaitReadyReportsTimeout(t *testing.T) {
	ports, err := proctest.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	p := child(t, "serve", ports[0])
	defer p.Stop(5 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	never := errors.New("not ready")
	calls := 0
	err = p.WaitReady(ctx, time.Millisecond, func(context.Context) error {
		if calls++; calls == 3 {
			cancel()
		}
		return never
	})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, never) {
		t.Fatalf("WaitReady = %v; want the context's and the probe's errors", err)
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := proctest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root + "/go.mod"); err != nil {
		t.Fatalf("ModuleRoot() = %s without go.mod: %v", root, err)
	}
}
