package cenc

import "bytes"

// Emulation prevention (ISO/IEC 14496-10 §7.4.1): inside a NAL unit, the
// encoder inserts 0x03 after any two zero bytes followed by a byte of
// 0x00-0x03, and after a final zero byte, so that no start code prefix
// (0x000001) appears within it.

var epb = []byte{0, 0, 3}

// appendUnescaped appends nal to dst with its emulation prevention bytes
// removed (every 0x03 that follows two zero bytes) and reports whether it
// removed any.
func appendUnescaped(dst, nal []byte) ([]byte, bool) {
	removed := false
	for {
		i := bytes.Index(nal, epb)
		if i < 0 {
			return append(dst, nal...), removed
		}
		dst = append(dst, nal[:i+2]...)
		nal = nal[i+3:]
		removed = true
	}
}

// needsEscape reports whether b, a NAL unit without emulation prevention,
// contains a sequence that appendEscaped would change.
func needsEscape(b []byte) bool {
	if len(b) > 0 && b[len(b)-1] == 0 {
		return true
	}
	for off := 0; ; {
		i := bytes.Index(b[off:], epb[:2])
		if i < 0 {
			return false
		}
		j := off + i + 2
		if j < len(b) && b[j] <= 3 {
			return true
		}
		off += i + 1
	}
}

// emulates reports whether b contains two zero bytes followed by a byte
// of 0x00-0x03, a sequence emulation prevention must break.
func emulates(b []byte) bool {
	for i := 0; i+2 < len(b); i++ {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] <= 3 {
			return true
		}
	}
	return false
}

// appendEscaped appends b to dst with emulation prevention applied. It
// copies the runs between zero pairs whole (bytes.Index finds the pairs
// with vector instructions), which matters for slices that carried
// emulation prevention bytes before encryption: their clear parts need
// them again. b may alias dst's spare capacity only if it lies before
// len(dst).
func appendEscaped(dst, b []byte) []byte {
	final0 := len(b) > 0 && b[len(b)-1] == 0
	for {
		i := bytes.Index(b, epb[:2])
		if i < 0 || i+2 >= len(b) {
			break
		}
		if b[i+2] <= 3 {
			dst = append(dst, b[:i+2]...)
			dst = append(dst, 3)
			b = b[i+2:]
			continue
		}
		dst = append(dst, b[:i+1]...)
		b = b[i+1:]
	}
	dst = append(dst, b...)
	if final0 {
		dst = append(dst, 3)
	}
	return dst
}
