package origin

import "io"

// writeMapped is WriteTo for a whole segment whose samples are mapped in
// memory. Clear samples go from the mapping to the connection, runs of
// samples back to back in the file in one write each: one copy (page
// cache to socket) instead of a read into a buffer and a write of it.
// Encrypted samples are encrypted from the mapping into a chunk (or, when
// larger than a chunk, the sample buffer) and written from there.
func (st *segmentStream) writeMapped(w io.Writer) (int64, error) {
	var written int64
	write := func(p []byte) error {
		n, err := w.Write(p)
		written += int64(n)
		st.pos += int64(n)
		if err != nil {
			return clientError{err}
		}
		return nil
	}
	d := st.d
	if st.plan == nil {
		if err := write(st.head); err != nil {
			return written, err
		}
		for i := 0; i < len(d.Samples); {
			start := d.Samples[i].Offset - st.mBase
			end := start + int64(d.Samples[i].Size)
			j := i + 1
			for j < len(d.Samples) && d.Samples[j].Offset-st.mBase == end {
				end += int64(d.Samples[j].Size)
				j++
			}
			if err := write(st.m[start:end]); err != nil {
				return written, err
			}
			i = j
		}
		return written, nil
	}
	b := st.bufs.get(max(st.chunk, len(st.head)))
	defer func() { st.bufs.put(b) }()
	n := copy(b, st.head)
	for i, s := range d.Samples {
		size := int(s.Size)
		if n+size > len(b) && n > 0 {
			if err := write(b[:n]); err != nil {
				return written, err
			}
			n = 0
		}
		if size > len(b) {
			big := st.sample(size)
			st.plan.EncryptTo(i, big, st.sampleBytes(i))
			if err := write(big); err != nil {
				return written, err
			}
			continue
		}
		st.plan.EncryptTo(i, b[n:n+size], st.sampleBytes(i))
		n += size
	}
	if n > 0 {
		if err := write(b[:n]); err != nil {
			return written, err
		}
	}
	return written, nil
}
