package cenc

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"math/rand/v2"
	"testing"

	"github.com/lockstream/lockstream/internal/keys"
)

// TestCBCStrideMatchesCryptoCipher: the AES-NI loop (where the CPU has
// it) and the Go loop encrypt like crypto/cipher's CBC — plain CBC over
// random lengths and keys, chained across calls as SegmentEncrypter is
// used, and the 1:9 pattern block by block — and the key expansion
// gives FIPS-197's round keys (Appendix A.1 example: the last round key
// of 2b7e1516 28aed2a6 abf71588 09cf4f3c is d014f9a8 c9ee2589 e13f0cc8
// b6630ca6).
func TestCBCStrideMatchesCryptoCipher(t *testing.T) {
	fips := [16]byte{0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c}
	want := []byte{0xd0, 0x14, 0xf9, 0xa8, 0xc9, 0xee, 0x25, 0x89, 0xe1, 0x3f, 0x0c, 0xc8, 0xb6, 0x63, 0x0c, 0xa6}
	if rk := expandKey128(&fips); !bytes.Equal(rk[160:], want) {
		t.Fatalf("last round key %x, want %x", rk[160:], want)
	}
	t.Logf("AES-NI loop: %v", haveAESNI)
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		var key keys.Key
		for i := range key {
			key[i] = byte(rng.IntN(256))
		}
		var iv [16]byte
		for i := range iv {
			iv[i] = byte(rng.IntN(256))
		}
		fast, err := NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		slow := &Cipher{block: fast.block} // the Go loop
		block, _ := aes.NewCipher(key[:])
		src := make([]byte, 16*rng.IntN(300))
		for i := range src {
			src[i] = byte(rng.IntN(256))
		}
		ref := bytes.Clone(src)
		cipher.NewCBCEncrypter(block, iv[:]).CryptBlocks(ref, ref)
		for _, c := range []*Cipher{fast, slow} {
			// In pieces, as a streamed segment feeds it.
			got := bytes.Clone(src)
			m := c.SegmentEncrypter(iv)
			for at := 0; at < len(got); {
				n := min(len(got)-at, 16*rng.IntN(20))
				m.CryptBlocks(got[at:at+n], got[at:at+n])
				at += n
			}
			if !bytes.Equal(got, ref) {
				t.Fatalf("trial %d (asm %v): CBC of %d bytes differs from crypto/cipher", trial, c.rk != nil, len(src))
			}
			// The pattern: every tenth block chained, the rest clear.
			for _, last := range []int{15, 16} {
				pat := bytes.Clone(src)
				c.patternEncrypt(pat, &iv, last)
				exp := bytes.Clone(src)
				chain := iv
				for o := 0; len(exp)-o > last; o += 160 {
					for i := range 16 {
						chain[i] ^= exp[o+i]
					}
					block.Encrypt(chain[:], chain[:])
					copy(exp[o:o+16], chain[:])
				}
				if !bytes.Equal(pat, exp) {
					t.Fatalf("trial %d (asm %v, last %d): pattern of %d bytes differs", trial, c.rk != nil, last, len(src))
				}
			}
		}
	}
}

func BenchmarkSegmentEncrypter(b *testing.B) {
	c, err := NewCipher(keys.Key{1, 2, 3})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 2<<20)
	for _, tc := range []struct {
		name string
		c    *Cipher
	}{{"loop", c}, {"go", &Cipher{block: c.block}}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				tc.c.SegmentEncrypter([16]byte{}).CryptBlocks(buf, buf)
			}
		})
	}
	b.Run("crypto-cipher", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			cipher.NewCBCEncrypter(c.block, make([]byte, 16)).CryptBlocks(buf, buf)
		}
	})
}

// TestCTRStreamMatchesCryptoCipher: the keystream (assembly loop where
// the CPU has it, crypto/cipher's otherwise) XORs like crypto/cipher's CTR
// over random keys, IVs (counter halves near wrapping included) and
// lengths, fed in random pieces (partial blocks carried between calls),
// in place and into another slice.
func TestCTRStreamMatchesCryptoCipher(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 300 {
		var key keys.Key
		for i := range key {
			key[i] = byte(rng.IntN(256))
		}
		var iv [16]byte
		for i := range 8 {
			iv[i] = byte(rng.IntN(256))
		}
		switch trial % 3 {
		case 0: // cenc: counter half from zero
		case 1: // the counter half wraps inside the data
			for i := 8; i < 16; i++ {
				iv[i] = 0xff
			}
			iv[15] = byte(0xff - rng.IntN(8))
		default:
			for i := 8; i < 16; i++ {
				iv[i] = byte(rng.IntN(256))
			}
		}
		fast, err := NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		slow := &Cipher{block: fast.block}
		src := make([]byte, rng.IntN(3000))
		for i := range src {
			src[i] = byte(rng.IntN(256))
		}
		want := make([]byte, len(src))
		cipher.NewCTR(fast.block, iv[:]).XORKeyStream(want, src)
		for _, c := range []*Cipher{fast, slow} {
			for _, inPlace := range []bool{false, true} {
				got := make([]byte, len(src))
				in := src
				if inPlace {
					copy(got, src)
					in = got
				}
				s := c.newCTR(iv)
				for at := 0; at < len(src); {
					n := min(len(src)-at, rng.IntN(200))
					s.xor(got[at:at+n], in[at:at+n])
					at += n
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("trial %d (asm %v, in place %v): %d bytes differ from crypto/cipher's CTR", trial, c.rk != nil, inPlace, len(src))
				}
			}
		}
	}
}

func BenchmarkCTRStream(b *testing.B) {
	c, err := NewCipher(keys.Key{1, 2, 3})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 16<<10) // a P-frame
	var iv [16]byte
	b.Run("stream", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			s := c.newCTR(iv)
			s.xor(buf, buf)
		}
	})
	b.Run("crypto-cipher", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			cipher.NewCTR(c.block, iv[:]).XORKeyStream(buf, buf)
		}
	})
}
