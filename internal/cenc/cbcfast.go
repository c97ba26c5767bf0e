package cenc

import "crypto/cipher"

// AES-CBC encryption is serial: each block waits for the one before it,
// so its speed is the latency of one AES encryption per 16 bytes plus
// whatever surrounds it. crypto/cipher's CBC encrypter calls the block
// cipher once per block (an XOR call, a bounds-checked Encrypt, the
// assembly that reloads the round keys) and the 'cbcs' pattern here did
// the same per encrypted block: in a profile of HLS AES-128 segments
// served over HTTP, that call overhead was a third of the AES time, and
// AES about half of all the server's CPU. On amd64 with AES-NI the loop
// below keeps the round keys in registers and chains the blocks in one
// assembly loop (cbcfast_amd64.s); elsewhere it is crypto/cipher's
// single-block Encrypt in a Go loop. TestCBCStrideMatchesCryptoCipher
// checks both against crypto/cipher's CBC.

// roundKeys is an expanded AES-128 key: 11 round keys of 16 bytes in
// FIPS-197 byte order, as AESENC takes them.
type roundKeys [176]byte

// expandKey128 expands key per FIPS-197 §5.2 (Nk = 4, Nr = 10).
func expandKey128(key *[16]byte) *roundKeys {
	var rk roundKeys
	copy(rk[:16], key[:])
	rcon := byte(1)
	for i := 16; i < 176; i += 4 {
		t := [4]byte{rk[i-4], rk[i-3], rk[i-2], rk[i-1]}
		if i%16 == 0 {
			// RotWord, SubWord, Rcon.
			t = [4]byte{sbox[t[1]] ^ rcon, sbox[t[2]], sbox[t[3]], sbox[t[0]]}
			rcon = xtime(rcon)
		}
		for j := range 4 {
			rk[i+j] = rk[i-16+j] ^ t[j]
		}
	}
	return &rk
}

// xtime multiplies by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.
func xtime(b byte) byte {
	if b&0x80 != 0 {
		return b<<1 ^ 0x1b
	}
	return b << 1
}

// sbox is AES's S-box, computed from its definition (FIPS-197 §5.1.1:
// the multiplicative inverse in GF(2^8), 0 for 0, then the affine
// transformation) rather than tabulated by hand. Inverses come from
// logarithms to the base 3, a generator of the field's 255 non-zero
// elements: a⁻¹ = 3^(255 − log₃ a).
var sbox = func() (s [256]byte) {
	var exp [255]byte
	var log [256]int
	x := byte(1)
	for i := range 255 {
		exp[i], log[x] = x, i
		x ^= xtime(x) // x *= 3
	}
	for a := range 256 {
		var inv byte
		if a != 0 {
			inv = exp[(255-log[a])%255]
		}
		s[a] = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63
	}
	return s
}()

func rotl8(b byte, n uint) byte { return b<<n | b>>(8-n) }

// cbcStride encrypts n 16-byte blocks of buf in place with AES-CBC, the
// blocks at offsets 0, stride, 2·stride, … (stride 16: plain CBC; 160:
// the 1:9 pattern of 'cbcs' and SAMPLE-AES), chaining from chain and
// leaving the last ciphertext in it.
func (c *Cipher) cbcStride(buf []byte, stride, n int, chain *[16]byte) {
	if n <= 0 {
		return
	}
	_ = buf[(n-1)*stride+15] // the blocks lie in buf
	if c.rk != nil {
		cbcStrideAsm(c.rk, chain, &buf[0], stride, n)
		return
	}
	c.cbcStrideGo(buf, stride, n, chain)
}

// cbcStrideGo is cbcStride without the assembly loop. It works on a copy
// of the chain so that the caller's does not escape through the
// cipher.Block interface (the streams hold theirs on the stack).
func (c *Cipher) cbcStrideGo(buf []byte, stride, n int, chain *[16]byte) {
	ch := *chain
	if stride == 16 {
		b := buf[:n*16]
		cipher.NewCBCEncrypter(c.block, ch[:]).CryptBlocks(b, b)
		copy(chain[:], b[len(b)-16:])
		return
	}
	for k := range n {
		c.cbcEncryptBlock(buf[k*stride:k*stride+16], &ch)
	}
	*chain = ch
}

// cbcMode is a cipher.BlockMode for AES-128-CBC encryption over
// cbcStride (SegmentEncrypter).
type cbcMode struct {
	c     *Cipher
	chain [16]byte
}

func (m *cbcMode) BlockSize() int { return 16 }

func (m *cbcMode) CryptBlocks(dst, src []byte) {
	if len(src)%16 != 0 {
		panic("cenc: CBC input not a multiple of the block size")
	}
	if len(dst) < len(src) {
		panic("cenc: CBC output smaller than input")
	}
	dst = dst[:len(src)]
	if len(src) == 0 {
		return
	}
	if &dst[0] != &src[0] {
		copy(dst, src)
	}
	m.c.cbcStride(dst, 16, len(dst)/16, &m.chain)
}
