package cenc

// rbspReader reads the RBSP bits of a NAL unit from its escaped bytes,
// dropping emulation prevention bytes. pos counts the escaped bytes
// fetched so far, emulation prevention bytes included, which is how
// slice header sizes are measured (the byte holding a header's last bit
// counts). Reading past the end sets err and yields zero bits; every
// caller checks err before trusting a value.
type rbspReader struct {
	b     []byte
	pos   int
	zeros int  // consecutive zero bytes fetched
	cur   byte // byte being read
	left  int  // its unread bits
	err   bool
}

func (r *rbspReader) fetch() bool {
	if r.pos >= len(r.b) {
		r.err = true
		return false
	}
	x := r.b[r.pos]
	r.pos++
	if r.zeros == 2 && x == 3 {
		if r.pos >= len(r.b) {
			r.err = true
			return false
		}
		x = r.b[r.pos]
		r.pos++
		r.zeros = 0
	}
	if x == 0 {
		r.zeros++
	} else {
		r.zeros = 0
	}
	r.cur, r.left = x, 8
	return true
}

// u reads an n-bit unsigned value, n ≤ 32.
func (r *rbspReader) u(n int) uint32 {
	if n > 32 {
		r.err = true
		return 0
	}
	var v uint32
	for range n {
		if r.left == 0 && !r.fetch() {
			return 0
		}
		r.left--
		v = v<<1 | uint32(r.cur>>r.left&1)
	}
	return v
}

func (r *rbspReader) flag() bool { return r.u(1) == 1 }

// ue reads an Exp-Golomb code. Codes longer than 32 bits do not occur in
// headers of valid streams and are refused, which bounds every count read
// with it.
func (r *rbspReader) ue() uint32 {
	zeros := 0
	for !r.flag() {
		if r.err || zeros == 31 {
			r.err = true
			return 0
		}
		zeros++
	}
	return 1<<zeros - 1 + r.u(zeros)
}

// se reads a signed Exp-Golomb code (only its length matters here).
func (r *rbspReader) se() { r.ue() }

// ceilLog2 is Ceil(Log2(n)), the bit length of indices below n.
func ceilLog2(n uint32) int {
	b := 0
	for uint64(1)<<b < uint64(n) {
		b++
	}
	return b
}
