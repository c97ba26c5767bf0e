package cenc

import "golang.org/x/sys/cpu"

// haveAESNI selects the assembly loop (cbcfast_amd64.s).
var haveAESNI = cpu.X86.HasAES && cpu.X86.HasSSE41

// cbcStrideAsm is cbcStride's loop with AES-NI; buf holds n blocks at
// stride apart.
//
//go:noescape
func cbcStrideAsm(rk *roundKeys, chain *[16]byte, buf *byte, stride, n int)

// ctrXORAsm XORs 64·n bytes of src into dst with the AES-CTR keystream of
// counter blocks ctr, ctr+1, … (the low 64 bits incremented, big-endian;
// the caller makes sure they do not wrap). It does not update ctr.
//
//go:noescape
func ctrXORAsm(rk *roundKeys, ctr *[16]byte, dst, src *byte, n int)
