package conntest

import (
	"net"
	"sync"
	"testing"
)

// Listener counts every TCP connection that arrives and closes it.
type Listener struct {
	ln       net.Listener
	mu       sync.Mutex
	n        int // connections other than sentinels
	accepted chan string
}

// Listen listens on addr (e.g. "127.0.0.1:0") until the test ends.
func Listen(t testing.TB, addr string) *Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	c := &Listener{ln: ln, accepted: make(chan string, 1024)}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.accepted <- conn.RemoteAddr().String()
			conn.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return c
}

// Port is the listener's port.
func (c *Listener) Port() int { return c.ln.Addr().(*net.TCPAddr).Port }

// Addr is the listener's host:port.
func (c *Listener) Addr() string { return c.ln.Addr().String() }

// Connections returns how many connections arrived so far. It makes one
// sentinel connection and reads accepted connections up to it: the kernel
// queues connections in arrival order, so every earlier one is counted
// by then.
func (c *Listener) Connections(t testing.TB) int {
	t.Helper()
	conn, err := net.Dial("tcp", c.ln.Addr().String())
	if err != nil {
		t.Fatalf("sentinel dial: %v", err)
	}
	defer conn.Close()
	sentinel := conn.LocalAddr().String()
	c.mu.Lock()
	defer c.mu.Unlock()
	for remote := range c.accepted {
		if remote == sentinel {
			break
		}
		c.n++
	}
	return c.n
}
