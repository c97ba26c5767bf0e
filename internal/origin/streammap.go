package origin

import "io"

// writeMapped is WriteTo for a whole segment whose samples are mapped in
// memory. Clear samples are copied from the mapping into 64 KiB chunks
// and written: no read system call per run, and the one user-space copy
// replaces the kernel's copy into the read buffer.
// Encrypted samples are encrypted from the mapping into a chunk, a sample
// larger than the room left in pieces across chunks, and written from
// there.
func (st *segmentStream) writeMapped(w io.Writer) (int64, error) {
	var written int64
	write := func(p []byte) error {
		n, err := w.Write(p)
		written += int64(n)
		st.pos += int64(n)
		return err
	}
	d := st.d
	if st.plan == nil {
		// Runs of samples are gathered into chunk-sized writes: each
		// write wakes the reader and costs a pass through TCP, which for
		// the ~17 KB runs of a file whose audio is interleaved frame by
		// frame costs more than copying them together. Mapped bytes are
		// never handed to the ResponseWriter itself, even in runs longer
		// than a chunk: HTTP/2 copies a handler's large write into frames
		// on the connection's goroutine, where a fault on a truncated
		// file would not be recovered (see ServeHTTP).
		b := st.bufs.get(max(st.chunk, len(st.head)))
		defer st.bufs.put(b)
		n := copy(b, st.head)
		for i := 0; i < len(d.Samples); {
			start := d.Samples[i].Offset - st.mBase
			end := start + int64(d.Samples[i].Size)
			j := i + 1
			for j < len(d.Samples) && d.Samples[j].Offset-st.mBase == end {
				end += int64(d.Samples[j].Size)
				j++
			}
			for run := st.m[start:end]; len(run) > 0; {
				c := copy(b[n:], run)
				n += c
				run = run[c:]
				if n == len(b) {
					if err := write(b); err != nil {
						return written, err
					}
					n = 0
				}
			}
			i = j
		}
		if n > 0 {
			if err := write(b[:n]); err != nil {
				return written, err
			}
		}
		return written, nil
	}
	b := st.bufs.get(max(st.chunk, len(st.head), 16))
	defer st.bufs.put(b)
	n := copy(b, st.head)
	for i := range d.Samples {
		src := st.sampleBytes(i)
		if n+len(src) <= len(b) {
			st.plan.EncryptTo(i, b[n:n+len(src)], src)
			n += len(src)
			continue
		}
		// A sample that does not fit what is left of the chunk is
		// encrypted in pieces across chunks, so nothing larger than a
		// chunk is held whatever the bitrate.
		cur := st.plan.Cursor(i)
		for done := 0; done < len(src); {
			m := cur.Next(b[n:], src[done:min(len(src), done+len(b)-n)])
			n += m
			done += m
			if n == len(b) || m == 0 {
				// Full, or the next encrypted block does not fit the
				// room left (cbcs): a fresh chunk always takes it.
				if err := write(b[:n]); err != nil {
					return written, err
				}
				n = 0
			}
		}
	}
	if n > 0 {
		if err := write(b[:n]); err != nil {
			return written, err
		}
	}
	return written, nil
}
