package cenc

import "bytes"

// SAMPLE-AES for MPEG-TS (Apple, "MPEG-2 Stream Encryption Format for
// HTTP Live Streaming"). Each protected block (an H.264 slice NAL unit, an
// AAC frame) is encrypted with AES-128-CBC, the IV restarting at every
// protected block.

// sampleAESLeader is the clear start of an encrypted H.264 NAL unit: the
// NAL header byte and the 31 bytes after it.
const sampleAESLeader = 32

// AppendSampleAESNAL appends nal, one H.264 NAL unit as the byte stream
// carries it (emulation prevention bytes included; no start code or
// length prefix), to dst, encrypted when it is a slice (type 1 or 5):
//
//  1. emulation prevention is undone;
//  2. if more than 48 bytes remain, the bytes after the 32-byte clear
//     leader are encrypted in the 1:9 pattern: a 16-byte block, then up to
//     144 clear bytes, and so on, a block being encrypted only when more
//     than 16 bytes remain from its start (so the last 1 to 16 bytes stay
//     clear); CBC chains through the encrypted blocks from iv;
//  3. emulation prevention is applied again, since the ciphertext may
//     contain start-code prefixes.
//
// The result may therefore differ in length from nal. Other NAL units are
// appended unchanged. dst and nal must not overlap.
func (c *Cipher) AppendSampleAESNAL(dst, nal []byte, iv *[16]byte) []byte {
	if len(nal) <= sampleAESLeader+16 {
		return append(dst, nal...)
	}
	if t := nal[0] & 0x1f; t != 1 && t != 5 {
		return append(dst, nal...)
	}
	m := len(dst)
	dst = appendUnescaped(dst, nal)
	u := dst[m:]
	if len(u) > sampleAESLeader+16 {
		c.patternEncrypt(u[sampleAESLeader:], iv, 16)
	}
	if !needsEscape(u) {
		return dst
	}
	// Rare (about once per 4 MB of ciphertext, or where the input had
	// emulation prevention bytes): escape from a copy, since the escaped
	// form is longer than the buffer it would overwrite.
	tmp := bytes.Clone(u)
	return appendEscaped(dst[:m], tmp)
}

// SampleAESFrame encrypts one AAC frame in place for SAMPLE-AES: frame is
// the raw frame after its ADTS header. Its first 16 bytes stay clear,
// then every whole 16-byte block is encrypted with AES-128-CBC from iv; a
// partial last block stays clear. Frames shorter than 32 bytes stay clear.
// The length never changes and no emulation prevention applies.
func (c *Cipher) SampleAESFrame(frame []byte, iv *[16]byte) {
	if len(frame) < 32 {
		return
	}
	c.cbcEncrypt(frame[16:], iv)
}
