package invalidate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Channel is the PostgreSQL notification channel.
const Channel = "lockstream_invalidate"

// Postgres is the bus of nodes sharing a PostgreSQL database: NOTIFY to
// publish, LISTEN on a dedicated connection to receive (every node,
// the publisher included, hears each message; the publisher also runs its
// subscribers at once, so its own next request never sees stale data).
type Postgres struct {
	subscribers
	dsn string
	log *slog.Logger

	mu  sync.Mutex
	pub *pgx.Conn // publishing connection, opened on first use

	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{} // closed once LISTEN ran the first time
}

// NewPostgres returns a bus on the database dsn names. Call Initialize
// to start listening and Close when done.
func NewPostgres(dsn string, log *slog.Logger) *Postgres {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Postgres{dsn: dsn, log: log, ready: make(chan struct{})}
}

// Initialize starts the listener and waits until it listens (or ctx
// ends), so that no change after it returns is missed.
func (p *Postgres) Initialize(ctx context.Context) error {
	lctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go p.listen(lctx)
	select {
	case <-p.ready:
		return nil
	case <-ctx.Done():
		p.Close()
		return fmt.Errorf("invalidate: listen: %w", ctx.Err())
	}
}

// Close stops listening and closes the connections.
func (p *Postgres) Close() {
	if p.cancel != nil {
		p.cancel()
		<-p.done
		p.cancel = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pub != nil {
		_ = p.pub.Close(context.Background())
		p.pub = nil
	}
}

// Publish runs this node's subscribers and notifies the others. A failed
// notification is logged: the other nodes' caches then expire by TTL.
func (p *Postgres) Publish(ctx context.Context) {
	p.fire()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	for attempt := range 2 {
		if p.pub == nil {
			c, err := pgx.Connect(ctx, p.dsn)
			if err != nil {
				p.log.Error("invalidate: connect to publish", "err", redact(err))
				return
			}
			p.pub = c
		}
		_, err := p.pub.Exec(ctx, "SELECT pg_notify($1, '')", Channel)
		if err == nil {
			return
		}
		_ = p.pub.Close(context.Background())
		p.pub = nil
		if attempt == 1 || ctx.Err() != nil {
			p.log.Error("invalidate: notify", "err", redact(err))
		}
	}
}

// listen keeps one LISTEN connection, reconnecting with backoff. After a
// reconnect the subscribers run: messages may have been missed.
func (p *Postgres) listen(ctx context.Context) {
	defer close(p.done)
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		err := p.listenOnce(ctx, &first)
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("invalidate: listener lost; reconnecting", "err", redact(err), "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (p *Postgres) listenOnce(ctx context.Context, first *bool) error {
	c, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	if *first {
		*first = false
		close(p.ready)
	} else {
		p.fire() // may have missed changes while disconnected
	}
	for {
		if _, err := c.WaitForNotification(ctx); err != nil {
			return err
		}
		p.fire()
	}
}

// redact keeps connection errors from quoting the DSN (and its
// password).
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("invalid connection string")
	}
	return err
}
