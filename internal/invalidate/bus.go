package invalidate

import (
	"context"
	"sync"
)

// Bus delivers change messages to every subscriber of every node.
type Bus interface {
	// Publish announces a change; this node's subscribers run before it
	// returns, other nodes' soon after.
	Publish(ctx context.Context)
	// Subscribe registers fn, run on every change (from any node).
	Subscribe(fn func())
}

// subscribers is the fan-out shared by the buses.
type subscribers struct {
	mu  sync.Mutex
	fns []func()
}

// Subscribe registers fn.
func (s *subscribers) Subscribe(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fns = append(s.fns, fn)
}

func (s *subscribers) fire() {
	s.mu.Lock()
	fns := append([]func(){}, s.fns...)
	s.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// Local is the bus of a single node (SQLite): in-process only.
type Local struct{ subscribers }

// NewLocal returns an in-process bus.
func NewLocal() *Local { return &Local{} }

// Publish runs the subscribers.
func (l *Local) Publish(context.Context) { l.fire() }
