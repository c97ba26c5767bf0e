//go:build !unix

package local

import (
	"os"

	"github.com/lockstream/lockstream/internal/blob"
)

// mmapFile: no mapping here; callers read with ReadRange.
func mmapFile(*os.File, int64) ([]byte, func([]byte) error, error) {
	return nil, nil, blob.ErrNotMapped
}
