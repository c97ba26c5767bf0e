package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// httpClienter is the outbound guard (netguard.Guard): a client that
// dials only checked addresses. The engine never makes a request through
// anything else.
type httpClienter interface {
	Client() *http.Client
}

// TokenSource mints Azure AD-style access tokens for a webhook's
// application ID or URI (Lockstream's identity provider).
type TokenSource interface {
	WebhookToken(ctx context.Context, audience string) (token string, expires time.Time, err error)
}

// Config configures an Engine. Zero durations and counts take the
// defaults noted.
type Config struct {
	Store  store.Store // required
	Sealer keys.Sealer // required: opens subscriptions' sealed endpoint URLs
	// Blob holds dead-letter containers (optional: without it dead-lettered
	// events are only kept in the store, for replay).
	Blob blob.Store
	// HTTP is the outbound guard; required.
	HTTP httpClienter
	// Tokens mints bearer tokens for Azure AD-protected webhooks
	// (optional: such subscriptions fail delivery without it).
	Tokens TokenSource
	// PublicURL is the API listener's external base URL; validation URLs
	// point at PublicURL + ValidatePath.
	PublicURL string
	Log       *slog.Logger
	// Node names this engine in leases (default: random).
	Node string

	// Schedule is the retry schedule (default DefaultSchedule); Jitter
	// the ± fraction applied to it (default 0.2; negative: none).
	Schedule []time.Duration
	Jitter   float64
	// Poll is how often the engine looks for work when not kicked
	// (default 1 s).
	Poll time.Duration
	// Timeout bounds one delivery request (default 30 s, as Event Grid).
	Timeout time.Duration
	// Lease is how long a leased delivery stays this node's (default 5
	// min; must exceed Timeout comfortably).
	Lease time.Duration
	// Workers bounds concurrent requests (default 16); PerDestination
	// bounds them per destination host (default 4).
	Workers        int
	PerDestination int
	// LeaseBatch is how many deliveries one lease round claims (default
	// 100).
	LeaseBatch int
	// ValidationWindow is how long a subscription may await validation
	// (default 5 min); ValidationRetry the wait before the one retry of a
	// failed handshake request (default 5 s).
	ValidationWindow time.Duration
	ValidationRetry  time.Duration
	// RequestOrigin is sent as WebHook-Request-Origin in the CloudEvents
	// handshake (default "eventgrid.azure.net", which receivers written
	// for Azure expect).
	RequestOrigin string

	Now func() time.Time
}

// Engine delivers events. Use NewEngine, Initialize, then Close.
type Engine struct {
	cfg    Config
	log    *slog.Logger
	client *http.Client

	kick   chan struct{}
	cancel context.CancelFunc
	ctx    context.Context
	wg     sync.WaitGroup

	workers chan struct{}
	// pending counts batches started and not finished; leasing pauses
	// while it is high so leased rows do not wait out their leases.
	pending atomic.Int64
	destMu  sync.Mutex
	dests   map[string]chan struct{}

	tokMu  sync.Mutex
	tokens map[string]cachedToken

	// handshakes holds the validation codes this engine has started
	// handshakes for (a handshake per code per node).
	hsMu       sync.Mutex
	handshakes map[string]bool
	starting   map[string]int // handshakes started by Validate, code not yet recorded
}

type cachedToken struct {
	token string
	exp   time.Time
}

// NewEngine checks cfg and returns an engine that does nothing until
// Initialize.
func NewEngine(cfg Config) (*Engine, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("events: a store is required")
	case cfg.Sealer == nil:
		return nil, errors.New("events: a sealer is required")
	case cfg.HTTP == nil:
		// No fallback to an unguarded client: every webhook URL is
		// user-supplied.
		return nil, errors.New("events: the outbound guard is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Node == "" {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("events: node id: %w", err)
		}
		cfg.Node = hex.EncodeToString(b)
	}
	if cfg.Jitter == 0 {
		cfg.Jitter = 0.2
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Poll, time.Second)
	def(&cfg.Timeout, 30*time.Second)
	def(&cfg.Lease, 5*time.Minute)
	def(&cfg.ValidationWindow, 5*time.Minute)
	def(&cfg.ValidationRetry, 5*time.Second)
	if cfg.Lease < 2*cfg.Timeout {
		cfg.Lease = 2 * cfg.Timeout
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.PerDestination <= 0 {
		cfg.PerDestination = 4
	}
	if cfg.LeaseBatch <= 0 {
		cfg.LeaseBatch = 100
	}
	if cfg.RequestOrigin == "" {
		cfg.RequestOrigin = "eventgrid.azure.net"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// A copy of the guard's client that never follows redirects: Event
	// Grid treats a 3xx as a failed delivery, and a redirect is the usual
	// way around a destination check.
	c := *cfg.HTTP.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 0 // per request, from cfg.Timeout
	return &Engine{cfg: cfg, log: cfg.Log, client: &c, kick: make(chan struct{}, 1),
		workers: make(chan struct{}, cfg.Workers), dests: map[string]chan struct{}{}, tokens: map[string]cachedToken{}, handshakes: map[string]bool{}, starting: map[string]int{}}, nil
}

// Initialize starts the dispatch/delivery loop and the validation sweep.
func (e *Engine) Initialize() error {
	if e.cancel != nil {
		return errors.New("events: already initialized")
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.wg.Add(1)
	go e.run()
	return nil
}

// Close stops the loops and waits for requests in flight to end; their
// deliveries are settled or, if cut short, re-leased later by any node.
func (e *Engine) Close() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.wg.Wait()
}

// Kick wakes the engine (after a commit that published events), instead
// of waiting for the next poll.
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

func (e *Engine) now() time.Time { return e.cfg.Now().UTC() }

func (e *Engine) run() {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.Poll)
	defer t.Stop()
	var rounds sync.WaitGroup
	defer rounds.Wait()
	lastSweep := time.Time{}
	for {
		if err := e.dispatch(e.ctx); err != nil && e.ctx.Err() == nil {
			e.log.Error("events: fan-out failed", "err", err)
		}
		e.deliverRound(e.ctx, &rounds)
		if now := e.now(); now.Sub(lastSweep) >= e.cfg.Poll*5 || now.Before(lastSweep) {
			lastSweep = now
			if err := e.sweepValidations(e.ctx); err != nil && e.ctx.Err() == nil {
				e.log.Error("events: validation sweep failed", "err", err)
			}
		}
		select {
		case <-e.ctx.Done():
			return
		case <-t.C:
		case <-e.kick:
		}
	}
}
