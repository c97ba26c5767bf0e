package cenc

import "bytes"

// Emulation prevention (ISO/IEC 14496-10 §7.4.1): inside a NAL unit, the
// encoder inserts 0x03 after any two zero bytes followed by a byte of
// 0x00-0x03, and after a final zero byte, so that no start code prefix
// (0x000001) appears within it.

var epb = []byte{0, 0, 3}

// appendUnescaped appends nal to dst with its emulation prevention bytes
// removed: every 0x03 that follows two zero bytes.
func appendUnescaped(dst, nal []byte) []byte {
	for {
		i := bytes.Index(nal, epb)
		if i < 0 {
			return append(dst, nal...)
		}
		dst = append(dst, nal[:i+2]...)
		nal = nal[i+3:]
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

// appendEscaped appends b to dst with emulation prevention applied.
func appendEscaped(dst, b []byte) []byte {
	zeros := 0
	from := 0
	for i, x := range b {
		if zeros >= 2 && x <= 3 {
			dst = append(dst, b[from:i]...)
			dst = append(dst, 3)
			from = i
			zeros = 0
		}
		if x == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	dst = append(dst, b[from:]...)
	if len(b) > 0 && b[len(b)-1] == 0 {
		dst = append(dst, 3)
	}
	return dst
}
