package cenc

// A SampleCursor encrypts one sample in pieces, for a server that streams
// a sample larger than its write chunk without holding the whole sample:
// the pieces, put together, are the bytes Encrypt makes in place. Pieces
// come in order; Next may take fewer bytes than offered where a piece
// would end inside a block that cbcs encrypts (offer at least 16 bytes to
// make progress).
type SampleCursor struct {
	pl  *Plan
	i   int
	pos int // bytes of the sample done

	// The sample is a sequence of regions: clear and protected bytes of
	// each subsample in turn (video), then any bytes after the last
	// subsample, clear; or one protected region (audio).
	sub       int  // current subsample (video)
	protected bool // the current region is protected
	start     int  // sample offset of the current region
	size      int  // its length

	stream ctrStream // cenc: one keystream across the sample's protected bytes
	chain  [16]byte  // cbcs: the CBC chain in the current protected region
}

// Cursor starts encrypting sample i in pieces (see SampleCursor); a
// value, so that it can live on the caller's stack.
func (pl *Plan) Cursor(i int) SampleCursor {
	c := SampleCursor{pl: pl, i: i}
	p := pl.e.p
	if p.scheme == CENC {
		var ctr [16]byte
		copy(ctr[:], pl.ivs[8*i:8*i+8])
		c.stream = pl.e.c.newCTR(ctr)
	}
	if pl.video {
		c.sub = -1
		c.next()
	} else {
		c.protected, c.size = true, pl.sizes[i]
		c.chain = p.constIV
	}
	return c
}

// next moves to the region after the current one (video).
func (c *SampleCursor) next() {
	c.start += c.size
	subs := c.pl.subs(c.i)
	switch {
	case c.protected || c.sub < 0:
		c.sub++
		c.protected = false
		if c.sub < len(subs) {
			c.size = int(subs[c.sub].BytesOfClearData)
		} else {
			c.size = c.pl.sizes[c.i] - c.start // after the last subsample
		}
	default:
		c.protected = true
		c.size = int(subs[c.sub].BytesOfProtectedData)
		c.chain = c.pl.e.p.constIV
	}
}

// Next encrypts the sample's next bytes from src into dst (len(dst) ≥
// len(src)) and returns how many it took.
func (c *SampleCursor) Next(dst, src []byte) int {
	done := 0
	total := c.pl.sizes[c.i]
	for done < len(src) && c.pos < total {
		if c.pos == c.start+c.size {
			if !c.pl.video {
				break
			}
			c.next()
			continue
		}
		in := c.pos - c.start
		m := min(len(src)-done, c.size-in)
		d, s := dst[done:done+m], src[done:done+m]
		if c.protected {
			if m = c.protect(d, s, in); m == 0 {
				break
			}
		} else {
			copyUnlessSame(d, s)
		}
		c.pos += m
		done += m
	}
	return done
}

// protect encrypts s (the region's bytes from offset in) into d and
// returns how many bytes it took: all of s, or for cbcs up to the start
// of a block that s does not hold whole.
func (c *SampleCursor) protect(d, s []byte, in int) int {
	p := c.pl.e.p
	if p.scheme == CENC {
		c.stream.xor(d, s)
		return len(s)
	}
	// cbcs: video encrypts the first 16-byte block of every 160 bytes
	// (1:9), audio every block; a block is encrypted only when whole.
	period := 160
	if !c.pl.video {
		period = 16
	}
	first := (in + period - 1) / period * period // first block start at or after in
	last := c.size - 16                          // blocks start at or before last
	end := in + len(s)
	if end > first {
		// Stop before a block this piece cuts.
		if o := first + (end-1-first)/period*period; o <= last && o+16 > end {
			end = o
		}
	}
	m := end - in
	copyUnlessSame(d[:m], s[:m])
	if top := min(end-16, last); top >= first {
		c.pl.e.c.cbcStride(d[first-in:m], period, (top-first)/period+1, &c.chain)
	}
	return m
}

// copyUnlessSame copies s to d unless they are the same bytes (Encrypt
// works in place through the cursor).
func copyUnlessSame(d, s []byte) {
	if len(s) > 0 && &d[0] != &s[0] {
		copy(d, s)
	}
}
