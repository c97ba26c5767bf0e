//go:build unix

package local

import (
	"fmt"
	"os"
	"syscall"

	"github.com/lockstream/lockstream/internal/blob"
)

// mmapFile maps the whole of f read-only. The mapping is shared (the page
// cache's own pages, no copy) and outlives f's descriptor.
func mmapFile(f *os.File, size int64) ([]byte, func([]byte) error, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, nil, blob.ErrNotMapped
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED) //nolint:gosec // descriptors fit an int
	if err != nil {
		return nil, nil, fmt.Errorf("mmap: %w", err)
	}
	return data, syscall.Munmap, nil
}
