package media

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// RunReader reads the bytes of a segment's samples from their file in
// increasing order through range reads, for servers that stream a
// segment instead of reading it whole (ReadSegment): samples with holes
// of at most 64 KiB between them (audio chunks interleaved with video)
// share one range read — a run — whose holes are seeked over when the
// reader can seek (local files) and read through otherwise (cheaper than
// another request to a remote store). It holds one open range read and
// no buffer of its own.
type RunReader struct {
	ctx     context.Context
	src     Source
	name    string
	runEnd  []int64
	rc      io.ReadCloser
	at, end int64 // file offset rc is at, and where its range ends
}

// RunEnds returns, per sample, where the run holding it ends in the
// file: what NewRunReader needs, computed once per segment (servers keep
// it with the segment's headers).
func RunEnds(samples []Sample) []int64 {
	ends := make([]int64, len(samples))
	for i := len(samples) - 1; i >= 0; i-- {
		s := samples[i]
		end := s.Offset + int64(s.Size)
		if i+1 < len(samples) {
			if n := samples[i+1]; n.Offset >= end && n.Offset-end <= maxGap {
				end = ends[i+1]
			}
		}
		ends[i] = end
	}
	return ends
}

// NewRunReader reads the samples whose run ends are runEnd (RunEnds)
// from file name of src.
func NewRunReader(ctx context.Context, src Source, name string, runEnd []int64) *RunReader {
	return &RunReader{ctx: ctx, src: src, name: name, runEnd: runEnd}
}

// RunEnd is where the run holding sample i ends: ReadAt reads up to it.
func (r *RunReader) RunEnd(i int) int64 { return r.runEnd[i] }

// ReadAt fills dst from file offset off, which lies in sample i's run
// with off+len(dst) ≤ RunEnd(i): from the open range read when off lies
// ahead in it, within a hole's reach, else from a new one that runs to
// the end of i's run. A file shorter than its sample table is
// ErrMalformed.
func (r *RunReader) ReadAt(i int, off int64, dst []byte) error {
	end := off + int64(len(dst))
	if r.rc == nil || off < r.at || end > r.end || off-r.at > maxGap {
		r.Close()
		rc, err := r.src.ReadRange(r.ctx, r.name, off, r.runEnd[i]-off)
		if err != nil {
			return fmt.Errorf("read %s [%d,%d): %w", r.name, off, r.runEnd[i], err)
		}
		r.rc, r.at, r.end = rc, off, r.runEnd[i]
	}
	if gap := off - r.at; gap > 0 {
		if sk, ok := r.rc.(io.Seeker); ok {
			if _, err := sk.Seek(gap, io.SeekCurrent); err != nil {
				r.Close()
				return fmt.Errorf("read %s at %d: %w", r.name, r.at, err)
			}
		} else if err := skipRead(r.rc, gap); err != nil {
			r.Close()
			return fmt.Errorf("read %s at %d: %w", r.name, r.at, short(err))
		}
	}
	if _, err := io.ReadFull(r.rc, dst); err != nil {
		r.Close()
		return fmt.Errorf("read %s at %d: %w", r.name, off, short(err))
	}
	r.at = end
	return nil
}

// Close ends the open range read; a later ReadAt opens another.
func (r *RunReader) Close() {
	if r.rc != nil {
		_ = r.rc.Close()
		r.rc = nil
	}
}

// holeBufs hold the bytes of holes (at most maxGap) read through.
var holeBufs = sync.Pool{New: func() any { b := make([]byte, maxGap); return &b }}

// skipRead reads n ≤ maxGap bytes of rc through a pooled hole buffer,
// held only for the read (io.CopyN would allocate per hole, and holes
// come between every few samples of interleaved files).
func skipRead(rc io.Reader, n int64) error {
	hp := holeBufs.Get().(*[]byte)
	defer holeBufs.Put(hp)
	_, err := io.ReadFull(rc, (*hp)[:n])
	return err
}
