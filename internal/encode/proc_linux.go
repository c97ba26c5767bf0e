package encode

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// procAttr makes ffmpeg die with its parent: a node that crashes mid-job
// leaves no encoder running.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// limitMemory caps the data segment (heap and anonymous mappings) of
// process pid, so a runaway encode fails instead of starving the node.
// Best effort: the limit is set right after start.
func limitMemory(pid int, bytes int64) {
	if bytes <= 0 {
		return
	}
	lim := unix.Rlimit{Cur: uint64(bytes), Max: uint64(bytes)}
	_ = unix.Prlimit(pid, unix.RLIMIT_DATA, &lim, nil)
}
