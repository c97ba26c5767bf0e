package hls

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/lockstream/lockstream/internal/media"
)

// sampleData is where the TS muxer gets the bytes of a segment's samples:
// the single access point, so that where they come from (a segment read
// whole, range reads as the segment is written, a memory-mapped file) is
// the implementation's business. Samples are asked for in increasing
// order of i (a streamed segment restarted from its beginning opens a new
// sampleData); the returned bytes stay valid until the next call and are
// never modified (SAMPLE-AES encrypts copies), since an implementation
// may hand out shared memory.
type sampleData interface {
	bytes(i int) ([]byte, error)
	// release frees what the implementation holds (open reads, buffers).
	release()
}

// segmentSamples serves the samples of a segment read whole.
type segmentSamples struct{ d *media.SegmentData }

func (s segmentSamples) bytes(i int) ([]byte, error) { return s.d.SampleBytes(i), nil }
func (segmentSamples) release()                      {}

// openSamples returns the sample bytes of segment k of t for a streamed
// segment, read as they are asked for.
func openSamples(ctx context.Context, src media.Source, t *media.Track, k int) sampleData {
	seg := t.Segments[k]
	samples := t.Samples[seg.First:seg.End]
	if m, ok := src.(media.Mapper); ok && len(samples) > 0 {
		if ms := mapSamples(ctx, m, t.Source, samples); ms != nil {
			return ms
		}
	}
	return newRangeSamples(ctx, src, t.Source, samples)
}

// mappedSamples serves samples straight from a memory-mapped file
// (media.Mapper): no read, no copy before the muxer's own.
type mappedSamples struct {
	b       []byte
	base    int64 // file offset of b[0]
	samples []media.Sample
	free    func()
}

// mapSamples maps the file span of samples; nil when the source does not
// map it (the caller reads instead).
func mapSamples(ctx context.Context, m media.Mapper, name string, samples []media.Sample) *mappedSamples {
	lo, hi := samples[0].Offset, int64(0)
	for _, s := range samples {
		lo = min(lo, s.Offset)
		hi = max(hi, s.Offset+int64(s.Size))
	}
	b, release, err := m.MapRange(ctx, name, lo, hi-lo)
	if err != nil {
		return nil
	}
	if int64(len(b)) < hi-lo {
		// Shorter than the sample table: the range reads say so.
		release()
		return nil
	}
	return &mappedSamples{b: b, base: lo, samples: samples, free: release}
}

func (m *mappedSamples) bytes(i int) ([]byte, error) {
	if i < 0 || i >= len(m.samples) {
		return nil, fmt.Errorf("hls: sample %d of a segment of %d", i, len(m.samples))
	}
	s := m.samples[i]
	at := s.Offset - m.base
	return m.b[at : at+int64(s.Size) : at+int64(s.Size)], nil
}

func (m *mappedSamples) release() {
	if m.free != nil {
		m.free()
		m.free = nil
	}
}

// maxPooledSample bounds the sample buffers kept for reuse: a streamed
// segment holds one sample per track, rarely more than an I-frame.
const maxPooledSample = 4 << 20

var sampleBufs = sync.Pool{New: func() any { return new([]byte) }}

// rangeSamples reads samples sequentially through media.Source.ReadRange,
// holding one open range read and one sample at a time. The read policy
// is readSegment's: samples with holes of at most readGap between them
// share one range read, and holes are seeked over when the reader can
// seek (local files) and read through otherwise (cheaper than another
// request to a remote store).
type rangeSamples struct {
	ctx     context.Context
	src     media.Source
	name    string
	samples []media.Sample
	runEnd  []int64 // per sample: where the range read holding it ends

	rc          io.ReadCloser
	rcAt, rcEnd int64 // file offset rc is at, and where its range ends
	buf         *[]byte
	// The buffer holds samples [have, haveEnd), back to back in the
	// file from haveAt: small samples (audio frames) are read a batch at
	// a time rather than a read call each.
	have, haveEnd int
	haveAt        int64
}

// batchBytes is how many bytes of samples back to back in the file one
// read fetches at most (a larger sample is read alone).
const batchBytes = 32 << 10

func newRangeSamples(ctx context.Context, src media.Source, name string, samples []media.Sample) *rangeSamples {
	r := &rangeSamples{ctx: ctx, src: src, name: name, samples: samples, runEnd: make([]int64, len(samples))}
	for i := len(samples) - 1; i >= 0; i-- {
		s := samples[i]
		end := s.Offset + int64(s.Size)
		if i+1 < len(samples) {
			if n := samples[i+1]; n.Offset >= end && n.Offset-end <= readGap {
				end = r.runEnd[i+1]
			}
		}
		r.runEnd[i] = end
	}
	return r
}

func (r *rangeSamples) bytes(i int) ([]byte, error) {
	if i < 0 || i >= len(r.samples) {
		return nil, fmt.Errorf("hls: sample %d of a segment of %d", i, len(r.samples))
	}
	s := r.samples[i]
	if i >= r.have && i < r.haveEnd {
		at := int(s.Offset - r.haveAt)
		return (*r.buf)[at : at+int(s.Size)], nil
	}
	if int64(s.Size) > maxReadBytes {
		return nil, fmt.Errorf("%w: sample of %d bytes", media.ErrUnsupported, s.Size)
	}
	off, end := s.Offset, s.Offset+int64(s.Size)
	r.have, r.haveEnd = 0, 0
	if r.rc == nil || off < r.rcAt || end > r.rcEnd || off-r.rcAt > readGap {
		r.closeRead()
		rc, err := r.src.ReadRange(r.ctx, r.name, off, r.runEnd[i]-off)
		if err != nil {
			return nil, fmt.Errorf("read %s [%d,%d): %w", r.name, off, r.runEnd[i], err)
		}
		r.rc, r.rcAt, r.rcEnd = rc, off, r.runEnd[i]
	}
	if gap := off - r.rcAt; gap > 0 {
		if sk, ok := r.rc.(io.Seeker); ok {
			if _, err := sk.Seek(gap, io.SeekCurrent); err != nil {
				r.closeRead()
				return nil, fmt.Errorf("read %s at %d: %w", r.name, r.rcAt, err)
			}
		} else if err := skipRead(r.rc, gap); err != nil {
			r.closeRead()
			return nil, fmt.Errorf("read %s at %d: %w", r.name, r.rcAt, short(err))
		}
	}
	// Batch the samples that follow back to back within the open range.
	j, n := i+1, int64(s.Size)
	for j < len(r.samples) && r.samples[j].Offset == off+n && n+int64(r.samples[j].Size) <= batchBytes && off+n+int64(r.samples[j].Size) <= r.rcEnd {
		n += int64(r.samples[j].Size)
		j++
	}
	if r.buf == nil {
		r.buf = sampleBufs.Get().(*[]byte)
	}
	if int64(cap(*r.buf)) < n {
		*r.buf = make([]byte, max(n, batchBytes))
	}
	if _, err := io.ReadFull(r.rc, (*r.buf)[:n]); err != nil {
		r.closeRead()
		return nil, fmt.Errorf("read %s at %d: %w", r.name, off, short(err))
	}
	r.rcAt = off + n
	r.have, r.haveEnd, r.haveAt = i, j, off
	return (*r.buf)[:s.Size], nil
}

func (r *rangeSamples) closeRead() {
	if r.rc != nil {
		r.rc.Close()
		r.rc = nil
	}
}

func (r *rangeSamples) release() {
	r.closeRead()
	if r.buf != nil && cap(*r.buf) <= maxPooledSample {
		sampleBufs.Put(r.buf)
	}
	r.buf, r.have, r.haveEnd = nil, 0, 0
}

// skipRead reads n ≤ readGap bytes of rc through a pooled hole buffer,
// held only for the read (io.CopyN would allocate per hole, and holes
// come between every few samples of interleaved files).
func skipRead(rc io.Reader, n int64) error {
	hp := holeBufs.Get().(*[]byte)
	defer holeBufs.Put(hp)
	_, err := io.ReadFull(rc, (*hp)[:n])
	return err
}
