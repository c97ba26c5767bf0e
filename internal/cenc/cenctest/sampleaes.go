package cenctest

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"

	"github.com/lockstream/lockstream/internal/keys"
)

// DecryptAnnexB decrypts an H.264 access unit in byte-stream form (start
// codes) whose slice NAL units (types 1 and 5) are SAMPLE-AES encrypted.
// For each such NAL unit: emulation prevention bytes are removed; if more
// than 48 bytes remain, CBC decryption from iv is applied to the 16-byte
// block at offset 32 and to every block 160 bytes further on, as long as
// more than 16 bytes remain from the block's start; emulation prevention
// is applied again.
func DecryptAnnexB(key keys.Key, iv [16]byte, au []byte) ([]byte, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	var out []byte
	starts := startCodes(au)
	if len(starts) == 0 {
		return nil, errors.New("cenctest: no start code")
	}
	out = append(out, au[:starts[0][0]]...)
	for i, sc := range starts {
		end := len(au)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		nal := au[sc[1]:end]
		out = append(out, au[sc[0]:sc[1]]...)
		if len(nal) == 0 || (nal[0]&0x1f != 1 && nal[0]&0x1f != 5) {
			out = append(out, nal...)
			continue
		}
		rbsp := unescape(nal)
		if len(rbsp) > 48 {
			chain := iv
			for off := 32; len(rbsp)-off > 16; off += 160 {
				b := rbsp[off : off+16]
				var next [16]byte
				copy(next[:], b)
				block.Decrypt(b, b)
				for j := range b {
					b[j] ^= chain[j]
				}
				chain = next
			}
		}
		out = append(out, escape(rbsp)...)
	}
	return out, nil
}

// startCodes returns the [start, end) of every start code in b: 0x000001,
// or 0x00000001 (the leading zero belongs to the start code).
func startCodes(b []byte) [][2]int {
	var out [][2]int
	for i := 0; i+2 < len(b); i++ {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 {
			s := i
			if i > 0 && b[i-1] == 0 {
				s = i - 1
			}
			out = append(out, [2]int{s, i + 3})
			i += 2
		}
	}
	return out
}

// unescape drops emulation prevention bytes the way a decoder does
// (ISO/IEC 14496-10 §7.3.1): an 0x03 after two zero bytes.
func unescape(nal []byte) []byte {
	out := make([]byte, 0, len(nal))
	zeros := 0
	for _, x := range nal {
		if zeros >= 2 && x == 3 {
			zeros = 0
			continue
		}
		out = append(out, x)
		if x == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// escape inserts 0x03 wherever two zero bytes are followed by a byte of
// 0x00-0x03, and after a final zero byte.
func escape(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/64+1)
	for _, x := range b {
		n := len(out)
		if n >= 2 && out[n-1] == 0 && out[n-2] == 0 && x <= 3 {
			out = append(out, 3)
		}
		out = append(out, x)
	}
	if len(out) > 0 && out[len(out)-1] == 0 {
		out = append(out, 3)
	}
	return out
}

// DecryptADTS decrypts a run of ADTS frames whose payloads are SAMPLE-AES
// encrypted: after the header (7 bytes, or 9 with CRC) and 16 clear
// bytes, every whole 16-byte block is CBC-decrypted from iv, restarting
// at each frame.
func DecryptADTS(key keys.Key, iv [16]byte, b []byte) ([]byte, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), b...)
	for p := out; len(p) > 0; {
		if len(p) < 7 || p[0] != 0xff || p[1]&0xf0 != 0xf0 {
			return nil, errors.New("cenctest: no ADTS sync word")
		}
		hdr := 7
		if p[1]&1 == 0 {
			hdr = 9
		}
		l := int(p[3]&3)<<11 | int(p[4])<<3 | int(p[5]>>5)
		if l < hdr || l > len(p) {
			return nil, fmt.Errorf("cenctest: ADTS frame of %d bytes with %d left", l, len(p))
		}
		payload := p[hdr:l]
		if n := (len(payload) - 16) / 16 * 16; n > 0 {
			enc := payload[16 : 16+n]
			cipher.NewCBCDecrypter(block, iv[:]).CryptBlocks(enc, enc)
		}
		p = p[l:]
	}
	return out, nil
}
