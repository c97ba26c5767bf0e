package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// Encoder runs one transform output; *encode.Encoder implements it.
type Encoder interface {
	Initialize() error
	Version() string
	Encode(ctx context.Context, in []encode.Input, out encode.Output, progress encode.Progress) (*encode.Result, error)
}

// ChangeFunc observes a change of a job's document inside the
// transaction that makes it.
type ChangeFunc func(ctx context.Context, tx store.Tx, job store.Key, before, after *defs.JobProperties) error

// httpGetter is the outbound guard (*netguard.Guard): its client dials
// only addresses the operator allows, re-checks redirects and caps bodies.
type httpGetter interface {
	Client() *http.Client
}

// Defaults of the Engine's optional fields.
const (
	DefaultLeaseTTL      = 30 * time.Second
	DefaultRenewEvery    = time.Second
	DefaultPoll          = time.Second
	DefaultMaxAttempts   = 3
	DefaultScratchMax    = 20 << 30
	DefaultMaxHTTPInput  = 8 << 30
	DefaultHTTPTimeout   = 30 * time.Minute
	DefaultTimeoutBase   = 10 * time.Minute
	DefaultTimeoutFactor = 10
	DefaultProgressEvery = time.Second
)

// Engine runs queued jobs. Set the fields, call Initialize, and Close when
// done.
type Engine struct {
	Store   store.Store
	Blob    blob.Store
	Sealer  keys.Sealer // opens the sealed URLs of HTTP inputs
	Encoder Encoder
	// HTTP fetches JobInputHttp inputs (the outbound guard). Without it
	// HTTP inputs fail with DownloadNotAccessible.
	HTTP httpGetter
	Log  *slog.Logger
	// Node names this engine in lease owners and its scratch directory;
	// unique per process sharing a store (default: host name and pid).
	Node string
	// Workers is how many jobs this node runs at once (default 1).
	Workers int
	// ScratchDir holds per-job input and output files (default
	// os.TempDir()/lockstream-encode); ScratchMax bounds the bytes jobs
	// may reserve there at once (default 20 GiB).
	ScratchDir string
	ScratchMax int64
	// FFprobe is the ffprobe program (default "ffprobe" on PATH).
	FFprobe string
	// MaxHTTPInput bounds one downloaded HTTP input, HTTPTimeout its
	// download.
	MaxHTTPInput int64
	HTTPTimeout  time.Duration
	// A job's encoding may take TimeoutBase plus TimeoutFactor times the
	// inputs' duration.
	TimeoutBase   time.Duration
	TimeoutFactor int
	// LeaseTTL is how long a lease lasts unless renewed; RenewEvery how
	// often a running job renews it (and so how soon a cancel is seen).
	LeaseTTL, RenewEvery time.Duration
	// Poll is the wait between lease attempts when the queue is empty.
	Poll time.Duration
	// MaxAttempts bounds leases of one job (a node dying mid-job costs
	// one); the next lease ends the job in Error.
	MaxAttempts int
	// ProgressEvery throttles progress writes to the job document.
	ProgressEvery time.Duration
	// OnChange, when set, runs inside every transaction that changes a
	// job's document (state, outputs, progress), with the document before
	// and after; an error aborts the write. Event publication hooks in
	// here, so events commit with the change they report.
	OnChange ChangeFunc
	// ParsePreset defaults to encode.ParsePreset.
	ParsePreset func(path string, raw json.RawMessage) (*encode.Preset, error)
	// Now defaults to time.Now.
	Now func() time.Time

	ctx      context.Context
	stop     context.CancelCauseFunc
	wg       sync.WaitGroup
	scratch  string
	status   string
	ready    bool
	reserved scratchPool
	// live maps the runs on this node to the progress (0 to 100) of the
	// output each encodes now, for Stats.
	liveMu sync.Mutex
	live   map[*run]int
}

var (
	errClosed    = errors.New("jobs: engine closed")
	errKilled    = errors.New("jobs: engine killed")
	errCanceled  = errors.New("jobs: job canceled")
	errLeaseLost = errors.New("jobs: lease lost")
	errTimeout   = errors.New("jobs: encoding timed out")
)

// Initialize checks the encoder and starts the workers. A node whose
// encoder cannot start runs no workers (and says so in the log and in
// Status) but is not an error: the node's other roles keep working and
// other nodes run the jobs.
func (e *Engine) Initialize() error {
	if e.Store == nil || e.Blob == nil || e.Encoder == nil {
		return errors.New("jobs: Store, Blob and Encoder are required")
	}
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	if e.Node == "" {
		h, _ := os.Hostname()
		e.Node = fmt.Sprintf("%s-%d", h, os.Getpid())
	}
	e.Workers = max(e.Workers, 1)
	e.ScratchMax = orDefault(e.ScratchMax, DefaultScratchMax)
	e.MaxHTTPInput = orDefault(e.MaxHTTPInput, DefaultMaxHTTPInput)
	e.HTTPTimeout = orDefault(e.HTTPTimeout, DefaultHTTPTimeout)
	e.TimeoutBase = orDefault(e.TimeoutBase, DefaultTimeoutBase)
	e.TimeoutFactor = orDefault(e.TimeoutFactor, DefaultTimeoutFactor)
	e.LeaseTTL = orDefault(e.LeaseTTL, DefaultLeaseTTL)
	e.RenewEvery = orDefault(e.RenewEvery, DefaultRenewEvery)
	e.Poll = orDefault(e.Poll, DefaultPoll)
	e.MaxAttempts = orDefault(e.MaxAttempts, DefaultMaxAttempts)
	e.ProgressEvery = orDefault(e.ProgressEvery, DefaultProgressEvery)
	if e.ParsePreset == nil {
		e.ParsePreset = encode.ParsePreset
	}
	if e.FFprobe == "" {
		e.FFprobe = "ffprobe"
	}
	if e.RenewEvery >= e.LeaseTTL {
		return fmt.Errorf("jobs: lease renewal every %v must be shorter than the lease (%v)", e.RenewEvery, e.LeaseTTL)
	}
	dir := e.ScratchDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "lockstream-encode")
	}
	// Absolute, because the encoder runs ffmpeg in other directories and
	// a relative --data-dir would make input paths point nowhere.
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("jobs: scratch directory: %w", err)
	}
	// A node that crashed left its jobs' files behind; they belong to
	// this node name only.
	e.scratch = filepath.Join(dir, safeName(e.Node))
	if err := os.RemoveAll(e.scratch); err != nil {
		return fmt.Errorf("jobs: clear scratch directory: %w", err)
	}
	if err := os.MkdirAll(e.scratch, 0o700); err != nil {
		return fmt.Errorf("jobs: create scratch directory: %w", err)
	}
	e.reserved.max = e.ScratchMax
	e.ctx, e.stop = context.WithCancelCause(context.Background())
	if err := e.Encoder.Initialize(); err != nil {
		e.status = "unavailable: " + err.Error()
		e.Log.Error("encoder unavailable: this node will not lease encoding jobs (install ffmpeg and ffprobe, or run the encode role elsewhere)", "err", err)
		return nil
	}
	e.ready = true
	e.status = e.Encoder.Version()
	if !strings.HasPrefix(e.status, "ffmpeg") {
		e.status = "ffmpeg " + e.status
	}
	e.Log.Info("encoder ready", "ffmpeg", e.Encoder.Version(), "workers", e.Workers, "scratch", e.scratch)
	for i := range e.Workers {
		e.wg.Add(1)
		go e.worker(fmt.Sprintf("%s/%d", e.Node, i))
	}
	return nil
}

// Status describes the encoder for /readyz: "ffmpeg <version>" or
// "unavailable: <why>".
func (e *Engine) Status() string { return e.status }

// Ready reports whether the engine leases jobs.
func (e *Engine) Ready() bool { return e.ready }

// Close stops the workers. Running jobs are stopped and given back to the
// queue without counting the attempt, so another node picks them up at
// once.
func (e *Engine) Close() {
	if e.stop == nil {
		return
	}
	e.stop(errClosed)
	e.wg.Wait()
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// worker leases and runs jobs until the engine stops.
func (e *Engine) worker(owner string) {
	defer e.wg.Done()
	for e.ctx.Err() == nil {
		l, err := e.Store.LeaseJob(e.ctx, owner, e.now(), e.LeaseTTL)
		switch {
		case err == nil:
			e.run(l)
			continue
		case errors.Is(err, store.ErrNotFound):
		case e.ctx.Err() == nil:
			e.Log.Warn("lease encoding job", "err", err)
		}
		t := time.NewTimer(e.Poll)
		select {
		case <-e.ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

func orDefault[T int | int64 | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// safeName keeps a node name usable as a directory name.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

// scratchPool reserves scratch bytes across a node's concurrent jobs.
type scratchPool struct {
	mu   sync.Mutex
	cond *sync.Cond
	used int64
	max  int64
}

// reserve waits until n bytes fit and takes them; it fails at once when n
// can never fit.
func (p *scratchPool) reserve(ctx context.Context, n int64) error {
	if n > p.max {
		return fmt.Errorf("needs %d bytes of scratch space, more than the node's limit of %d (--encode-scratch-max-mb)", n, p.max)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cond == nil {
		p.cond = sync.NewCond(&p.mu)
	}
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer stop()
	for p.used+n > p.max {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		p.cond.Wait()
	}
	p.used += n
	return nil
}

func (p *scratchPool) release(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.used -= n
	if p.cond != nil {
		p.cond.Broadcast()
	}
}
