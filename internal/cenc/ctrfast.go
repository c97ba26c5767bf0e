package cenc

import (
	"crypto/cipher"
	"encoding/binary"
)

// cenc encrypts every sample with AES-CTR from its own IV, so a segment
// of 1080p video and its audio needs a fresh keystream for each of a few
// hundred samples. crypto/cipher.NewCTR allocates one per call (a copy of
// the expanded key, ≈ 0.5 KB): most of what an encrypted segment
// allocated (56 of 72 KB per 2 MB segment) and, through the GC it caused,
// ≈ 8 % of the CPU of serving DASH cenc. With AES-NI the stream below
// lives on the caller's stack and generates its keystream four blocks at
// a time in assembly (ctrfast_amd64.s) with the round keys in registers;
// without it, it wraps crypto/cipher's CTR. TestCTRStreamMatchesCryptoCipher
// checks it against crypto/cipher.

// ctrStream is an AES-CTR keystream (crypto/cipher's semantics: a 128-bit
// big-endian counter block from the IV, one block per 16 bytes, partial
// blocks carried between calls). Nothing of it escapes to the heap with
// the assembly loop.
type ctrStream struct {
	c    *Cipher
	std  cipher.Stream // without the assembly loop
	ctr  [16]byte      // the next counter block
	ks   [64]byte      // keystream of the four blocks before ctr
	used int           // bytes of ks used (64: none left)
}

// zeros is what the assembly loop XORs to produce bare keystream.
var zeros [64]byte

// newCTR starts a keystream at counter block iv.
func (c *Cipher) newCTR(iv [16]byte) ctrStream {
	if c.rk == nil {
		ivc := iv // only this path's copy goes to the heap
		return ctrStream{c: c, std: cipher.NewCTR(c.block, ivc[:])}
	}
	return ctrStream{c: c, ctr: iv, used: 64}
}

// xor XORs src with the keystream into dst (len(dst) ≥ len(src); dst and
// src may be the same slice).
func (s *ctrStream) xor(dst, src []byte) {
	if s.std != nil {
		s.std.XORKeyStream(dst, src)
		return
	}
	for len(src) > 0 && s.used < 64 {
		dst[0] = src[0] ^ s.ks[s.used]
		s.used++
		dst, src = dst[1:], src[1:]
	}
	if g := len(src) / 64; g > 0 {
		lo := binary.BigEndian.Uint64(s.ctr[8:])
		if lo+uint64(4*g) >= lo { // the counter half does not wrap
			ctrXORAsm(s.c.rk, &s.ctr, &dst[0], &src[0], g)
			binary.BigEndian.PutUint64(s.ctr[8:], lo+uint64(4*g))
			dst, src = dst[64*g:], src[64*g:]
		}
	}
	for len(src) > 0 {
		s.next()
		n := min(len(src), 64)
		for i := range n {
			dst[i] = src[i] ^ s.ks[i]
		}
		s.used = n
		dst, src = dst[n:], src[n:]
	}
}

// next fills ks with the keystream of the next four counter blocks.
func (s *ctrStream) next() {
	lo := binary.BigEndian.Uint64(s.ctr[8:])
	if lo+4 >= lo {
		ctrXORAsm(s.c.rk, &s.ctr, &s.ks[0], &zeros[0], 1)
		binary.BigEndian.PutUint64(s.ctr[8:], lo+4)
	} else {
		// The counter half wraps into the IV half (never within a cenc
		// sample, whose counter starts at 0): block by block.
		for k := range 4 {
			copy(s.ks[16*k:], encryptBlock(s.c.block, s.ctr))
			for i := 15; i >= 0; i-- {
				s.ctr[i]++
				if s.ctr[i] != 0 {
					break
				}
			}
		}
	}
	s.used = 0
}

// encryptBlock encrypts one block by value, so that the stream holding
// the counter does not escape through the cipher.Block interface.
func encryptBlock(b cipher.Block, in [16]byte) []byte {
	out := make([]byte, 16)
	b.Encrypt(out, in[:])
	return out
}
