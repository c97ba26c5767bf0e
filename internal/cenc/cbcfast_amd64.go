package cenc

import "golang.org/x/sys/cpu"

// haveAESNI selects the assembly loop (cbcfast_amd64.s).
var haveAESNI = cpu.X86.HasAES && cpu.X86.HasSSE41

// cbcStrideAsm is cbcStride's loop with AES-NI; buf holds n blocks at
// stride apart.
//
//go:noescape
func cbcStrideAsm(rk *roundKeys, chain *[16]byte, buf *byte, stride, n int)
