package netguard_test

import (
	"net"
	"sync"
	"testing"
)

// countingListener counts every TCP connection that arrives, so a test
// can assert that a refused fetch never connected.
type countingListener struct {
	ln       net.Listener
	mu       sync.Mutex
	n        int // connections other than sentinels
	accepted chan string
}

func listenCounting(t *testing.T, addr string) *countingListener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	c := &countingListener{ln: ln, accepted: make(chan string, 1024)}
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

func (c *countingListener) port() int { return c.ln.Addr().(*net.TCPAddr).Port }

// connections returns how many connections arrived so far. It makes one
// sentinel connection and reads accepted connections until the sentinel:
// the kernel queues connections in arrival order, so every earlier one is
// counted by then, without sleeping.
func (c *countingListener) connections(t *testing.T) int {
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
