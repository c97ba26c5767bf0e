//go:build unix

package local

import (
	"os"
	"syscall"
)

// inode distinguishes two versions of a blob even when their size and
// mtime collide: every publish renames a brand-new file into place.
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino) //nolint:unconvert // Ino is not uint64 on every unix
	}
	return 0
}
