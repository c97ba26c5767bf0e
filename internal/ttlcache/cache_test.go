package ttlcache_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/ttlcache"
)

func TestExpiry(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := ttlcache.New[string, int](5*time.Second, 10)
	c.Put("a", 1, t0)
	for _, tc := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"at put", t0, true},
		{"within ttl", t0.Add(4999 * time.Millisecond), true},
		{"at ttl", t0.Add(5 * time.Second), false},
		{"after ttl", t0.Add(time.Hour), false},
		{"clock stepped back", t0.Add(-time.Second), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := c.Get("a", tc.at)
			if ok != tc.ok || ok && v != 1 {
				t.Fatalf("Get = %d, %v; want ok=%v", v, ok, tc.ok)
			}
		})
	}
	if _, ok := c.Get("missing", t0); ok {
		t.Fatal("missing key found")
	}
}

func TestNoTTL(t *testing.T) {
	t0 := time.Now()
	c := ttlcache.New[int, string](0, 10)
	c.Put(1, "x", t0)
	if v, ok := c.Get(1, t0.Add(1000*time.Hour)); !ok || v != "x" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
}

// TestBound: a full cache is emptied before a new key goes in; replacing
// an existing key does not empty it.
func TestBound(t *testing.T) {
	t0 := time.Now()
	c := ttlcache.New[int, int](time.Minute, 3)
	for i := range 3 {
		c.Put(i, i, t0)
	}
	c.Put(2, 20, t0)
	if c.Len() != 3 {
		t.Fatalf("replacing emptied the cache: %d entries", c.Len())
	}
	c.Put(3, 3, t0)
	if c.Len() != 1 {
		t.Fatalf("after overflow %d entries; want 1", c.Len())
	}
	if v, ok := c.Get(3, t0); !ok || v != 3 {
		t.Fatal("the new entry is missing")
	}
}

func TestConcurrent(t *testing.T) {
	t0 := time.Now()
	c := ttlcache.New[string, int](time.Minute, 50)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				k := fmt.Sprint(g, i%100)
				c.Put(k, i, t0)
				if v, ok := c.Get(k, t0); ok && v%100 != i%100 {
					t.Errorf("%s = %d", k, v)
					return
				}
			}
		}()
	}
	wg.Wait()
	if c.Len() > 50 {
		t.Fatalf("%d entries above the bound", c.Len())
	}
}

// TestClearAtDropsEarlierReads: a value whose read started before an
// invalidation and is put after it is not kept (it may predate the
// change); reads started after the invalidation are kept.
func TestClearAtDropsEarlierReads(t *testing.T) {
	c := ttlcache.New[string, int](time.Hour, 10)
	t0 := time.Unix(1_700_000_000, 0)
	c.Put("a", 1, t0)
	readStart := t0.Add(time.Second) // a Get missed here, the store read began
	c.ClearAt(t0.Add(2 * time.Second))
	if _, ok := c.Get("a", t0.Add(3*time.Second)); ok {
		t.Fatal("entry survived ClearAt")
	}
	c.Put("b", 2, readStart) // the read finished after the clear
	if _, ok := c.Get("b", t0.Add(3*time.Second)); ok {
		t.Fatal("a value read before the clear was kept")
	}
	c.Put("b", 3, t0.Add(2*time.Second)) // same instant as the clear: not after it
	if _, ok := c.Get("b", t0.Add(3*time.Second)); ok {
		t.Fatal("a value read at the clear's instant was kept")
	}
	c.Put("b", 4, t0.Add(2*time.Second+time.Nanosecond))
	if v, ok := c.Get("b", t0.Add(3*time.Second)); !ok || v != 4 {
		t.Fatalf("a value read after the clear: %v %v", v, ok)
	}
}
