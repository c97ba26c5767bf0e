package cenc

import (
	"crypto/cipher"
	"fmt"
)

// SealOverhead is the most bytes SealSegment appends (PKCS#7 padding).
const SealOverhead = 16

// SealedSize is the size of an n-byte segment once sealed: n rounded up to
// the next multiple of 16, one whole block more when n is a multiple.
func SealedSize(n int) int { return n + 16 - n%16 }

// SealSegment encrypts buf[start:], one HLS segment, in place for
// METHOD=AES-128: it appends the PKCS#7 padding and encrypts everything
// from start with AES-128-CBC from iv (SequenceIV of the segment's media
// sequence number unless the playlist names another IV), returning the
// extended buf. When cap(buf) leaves SealOverhead bytes spare, nothing is
// copied; otherwise append grows buf once.
//
// CBC is serial, so one segment is encrypted at the speed of one core;
// throughput comes from serving segments in parallel.
func (c *Cipher) SealSegment(buf []byte, start int, iv [16]byte) ([]byte, error) {
	if start < 0 || start > len(buf) {
		return buf, fmt.Errorf("cenc: seal segment from %d in a buffer of %d bytes", start, len(buf))
	}
	pad := 16 - (len(buf)-start)%16
	for range pad {
		buf = append(buf, byte(pad))
	}
	seg := buf[start:]
	c.SegmentEncrypter(iv).CryptBlocks(seg, seg)
	return buf, nil
}

// SegmentEncrypter returns the AES-128-CBC encrypter SealSegment seals a
// segment with, for callers that encrypt a segment as they produce it
// rather than whole: CryptBlocks keeps the chaining across calls, so
// feeding it the segment's blocks in order, then the last partial block
// with its PKCS#7 padding (16 - n%16 bytes of that value, n the clear
// size), yields SealSegment's bytes.
func (c *Cipher) SegmentEncrypter(iv [16]byte) cipher.BlockMode {
	return &cbcMode{c: c, chain: iv}
}
