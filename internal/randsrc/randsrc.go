package randsrc

import (
	"fmt"
	"io"
	"sync"
)

// Locked reads an io.Reader under a mutex; every read is filled whole.
type Locked struct {
	mu sync.Mutex
	r  io.Reader
}

// New returns a Locked over r.
func New(r io.Reader) *Locked { return &Locked{r: r} }

// Fill fills b entirely.
func (l *Locked) Fill(b []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := io.ReadFull(l.r, b); err != nil {
		return fmt.Errorf("read random: %w", err)
	}
	return nil
}

// Read implements io.Reader for APIs that take one: it fills b entirely
// or fails.
func (l *Locked) Read(b []byte) (int, error) {
	if err := l.Fill(b); err != nil {
		return 0, err
	}
	return len(b), nil
}
