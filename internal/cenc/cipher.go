package cenc

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/lockstream/lockstream/internal/keys"
)

// Cipher is a content key expanded for AES-128. Expanding a key costs
// more than encrypting a small sample, so one Cipher per key is built and
// shared; it is immutable and safe for concurrent use.
//
// A Cipher never prints its key schedule: String, GoString and every fmt
// verb give "cenc.Cipher(redacted)".
type Cipher struct {
	block cipher.Block
	rk    *roundKeys // for the AES-NI CBC loop (cbcfast.go); nil without it
}

const redactedCipher = "cenc.Cipher(redacted)"

// NewCipher expands key.
func NewCipher(key keys.Key) (*Cipher, error) {
	b, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("cenc: new cipher: %w", err)
	}
	c := &Cipher{block: b}
	if haveAESNI {
		c.rk = expandKey128((*[16]byte)(key[:]))
	}
	return c, nil
}

// String, GoString and Format print a placeholder: a Cipher holds key
// material.
func (*Cipher) String() string { return redactedCipher }

// GoString implements fmt.GoStringer with the same placeholder.
func (*Cipher) GoString() string { return redactedCipher }

// Format implements fmt.Formatter with the same placeholder for every verb.
func (*Cipher) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redactedCipher) }

// cbcEncryptBlock encrypts the 16-byte block b in place in CBC mode,
// chaining from chain, and leaves the ciphertext in chain.
func (c *Cipher) cbcEncryptBlock(b []byte, chain *[16]byte) {
	b = b[:16]
	x0 := binary.LittleEndian.Uint64(b) ^ binary.LittleEndian.Uint64(chain[:8])
	x1 := binary.LittleEndian.Uint64(b[8:]) ^ binary.LittleEndian.Uint64(chain[8:])
	binary.LittleEndian.PutUint64(chain[:8], x0)
	binary.LittleEndian.PutUint64(chain[8:], x1)
	c.block.Encrypt(chain[:], chain[:])
	copy(b, chain[:])
}

// cbcEncrypt encrypts the whole blocks of b in place with AES-CBC from iv;
// a trailing partial block is left as it is.
func (c *Cipher) cbcEncrypt(b []byte, iv *[16]byte) {
	chain := *iv
	c.cbcStride(b, 16, len(b)/16, &chain)
}

// patternEncrypt encrypts b in place with AES-CBC from iv in the 1:9
// pattern of 'cbcs' and SAMPLE-AES: the block at offset 0 and every tenth
// block after it. A block is encrypted only when more than last bytes
// remain from its start: last is 15 for cbcs (every whole block) and 16
// for SAMPLE-AES video, whose final block stays clear even when whole.
func (c *Cipher) patternEncrypt(b []byte, iv *[16]byte, last int) {
	n := 0
	if len(b) > last {
		n = (len(b)-last-1)/160 + 1 // offsets 0, 160, … below len(b)-last
	}
	chain := *iv
	c.cbcStride(b, 160, n, &chain)
}
