package cenc

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
//
// One case has no exact inverse in the format: a slice ending in
// cabac_zero_word padding whose protected blocks stop one byte before its
// end leaves a lone zero byte last, which emulation prevention follows
// with 0x03; a decryptor keeps that byte. It lengthens the padding after
// the slice data by one byte, which decoders ignore.
func (c *Cipher) AppendSampleAESNAL(dst, nal []byte, iv *[16]byte) []byte {
	if len(nal) <= sampleAESLeader+16 {
		return append(dst, nal...)
	}
	if t := nal[0] & 0x1f; t != 1 && t != 5 {
		return append(dst, nal...)
	}
	m := len(dst)
	dst, removed := appendUnescaped(dst, nal)
	u := dst[m:]
	if len(u) <= sampleAESLeader+16 {
		if !removed {
			return dst
		}
	} else {
		c.patternEncrypt(u[sampleAESLeader:], iv, 16)
		// Without emulation prevention bytes in the input, the clear
		// bytes hold no sequence that needs one, and a new one must touch
		// an encrypted block: only the blocks and two bytes either side
		// need a look.
		if !removed && !blocksEmulate(u) {
			return dst
		}
	}
	if !needsEscape(u) {
		return dst
	}
	// The ciphertext emulates a start code (about once per 4 MB), or the
	// input had emulation prevention bytes: escape into the space after
	// the unescaped bytes, then move the result down over them.
	n := len(dst)
	dst = appendEscaped(dst, dst[m:n])
	e := copy(dst[m:], dst[n:])
	return dst[:m+e]
}

// blocksEmulate reports whether the encrypted blocks of u (an encrypted
// NAL unit without emulation prevention), with two bytes of context on
// each side, contain a sequence emulation prevention must break.
func blocksEmulate(u []byte) bool {
	for off := sampleAESLeader; len(u)-off > 16; off += 160 {
		if emulates(u[off-2 : min(off+18, len(u))]) {
			return true
		}
	}
	return false
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
