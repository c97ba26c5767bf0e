//go:build !linux

package encode

import "syscall"

func procAttr() *syscall.SysProcAttr { return nil }

func limitMemory(pid int, bytes int64) {}
