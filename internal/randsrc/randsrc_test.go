package randsrc_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/lockstream/lockstream/internal/randsrc"
)

// TestSharedReader: goroutines sharing a bytes.Reader through Locked get
// every byte exactly once, and a short source is an error, never a
// partial fill reported as success.
func TestSharedReader(t *testing.T) {
	src := make([]byte, 8*100*16)
	for i := 0; i < len(src); i += 16 {
		binary.BigEndian.PutUint64(src[i:], uint64(i)) // every block differs
	}
	l := randsrc.New(bytes.NewReader(src))
	var (
		mu  sync.Mutex
		got [][]byte
		wg  sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				b := make([]byte, 16)
				if n, err := l.Read(b); err != nil || n != 16 {
					t.Errorf("Read = %d, %v", n, err)
					return
				}
				mu.Lock()
				got = append(got, b)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, b := range got {
		if seen[string(b)] {
			t.Fatalf("block %x read twice", b)
		}
		seen[string(b)] = true
	}
	if err := l.Fill(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("exhausted source: %v", err)
	}
}
