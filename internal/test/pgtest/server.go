package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const dirPrefix = "lockstream-pgtest-"

// runAs is the identity the server programs run as: nil for the current
// user, the postgres system user when running as root.
type runAs struct {
	cred     *syscall.Credential
	uid, gid int
}

func serverUser() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: running as root, and PostgreSQL refuses to run as root, but there is no \"postgres\" system user to run it as (%v); apt-get install -y postgresql creates it, or run the tests as another user", errMissing, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgtest: postgres user has non-numeric ids %s:%s", u.Uid, u.Gid)
	}
	return &runAs{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid: uid, gid: gid}, nil
}

func (r *runAs) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if r != nil {
		cmd.SysProcAttr.Credential = r.cred
		// A HOME the postgres user cannot read makes some tools complain.
		cmd.Env = append(os.Environ(), "HOME="+os.TempDir())
	}
	return cmd
}

// startLocal initialises and starts a throwaway server.
func startLocal(ctx context.Context) (*server, error) {
	bin, err := findBinDir(exec.LookPath, debianGlob)
	if err != nil {
		return nil, err
	}
	as, err := serverUser()
	if err != nil {
		return nil, err
	}
	base := os.TempDir()
	if as != nil {
		// The postgres user must be able to reach the directory, and the
		// temp dir of root (TMPDIR) may not be traversable by it.
		base = "/tmp"
	}
	removeStale(base)
	dir, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	srv, err := runLocal(ctx, bin, dir, as)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return srv, nil
}

func runLocal(ctx context.Context, bin, dir string, as *runAs) (*server, error) {
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if as != nil {
		if err := os.Chown(dir, as.uid, as.gid); err != nil {
			return nil, fmt.Errorf("pgtest: chown %s to postgres: %w", dir, err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := as.command(filepath.Join(bin, "initdb"), "-D", data, "--encoding=UTF8", "--locale=C",
		"-A", "trust", "-U", "postgres", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}

	// The port is free now; another process could take it before
	// postgres binds it, so a failed start is retried with a new one.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		srv, err := startPostgres(ctx, bin, dir, data, port, as)
		if err == nil {
			return srv, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startPostgres(ctx context.Context, bin, dir, data string, port int, as *runAs) (*server, error) {
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	cmd := as.command(filepath.Join(bin, "postgres"), "-D", data,
		"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", dir,
		// Durability is pointless for a throwaway server.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		// Parallel tests each hold a pool of connections.
		"-c", "max_connections=300")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Kill the server if the test binary dies without calling Stop.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT

	started, exited := make(chan error, 1), make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that started the
		// child exits, not the process; Go may retire idle threads, so this
		// goroutine holds its thread until the child is gone.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgtest: start postgres: %w", err)
	}

	dsnFor := func(db string) string {
		return fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=%s sslmode=disable", port, db)
	}
	stop := func() error {
		// SIGINT is PostgreSQL's fast shutdown: disconnect and exit.
		_ = cmd.Process.Signal(syscall.SIGINT)
		var err error
		select {
		case <-exited: //nolint:errcheck // the exit status after SIGINT says nothing useful
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited //nolint:errcheck // killed: the error below says so
			err = errors.New("pgtest: postgres did not shut down in 30s; killed")
		}
		return errors.Join(err, os.RemoveAll(dir))
	}

	admin, err := sql.Open("pgx", dsnFor("postgres"))
	if err != nil {
		_ = stop() // the open failure is the error to report
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		pingCtx, cancel := context.WithTimeout(ctx, time.Second)
		err = admin.PingContext(pingCtx)
		cancel()
		if err == nil {
			return &server{admin: admin, dsn: dsnFor, stop: stop}, nil
		}
		select {
		case werr := <-exited:
			admin.Close()
			exited <- werr // for stop
			return nil, fmt.Errorf("pgtest: postgres exited (%v):\n%s", werr, tail(logPath))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			admin.Close()
			_ = stop() // not being ready is the error to report
			return nil, fmt.Errorf("pgtest: postgres not ready after 60s (%v):\n%s", err, tail(logPath))
		}
	}
}

// tail returns the end of the server log for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// removeStale deletes directories of earlier runs whose test binary and
// server have both exited (runs without Main leave them behind).
func removeStale(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	for _, dir := range dirs {
		if alive(filepath.Join(dir, "owner.pid")) || alive(filepath.Join(dir, "data", "postmaster.pid")) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "owner.pid")); err != nil {
			continue // not ours, or still being set up
		}
		os.RemoveAll(dir)
	}
}

// alive reports whether the pid on the first line of file is a running
// process. A missing file counts as not running.
func alive(file string) bool {
	b, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
