//go:build !unix

package local

import "os"

// inode is unavailable here; ETags then rest on size and mtime alone.
func inode(os.FileInfo) uint64 { return 0 }
