package hls

import (
	"context"
	"fmt"
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
	if b, base, release, ok := media.MapSamples(ctx, src, t.Source, samples); ok {
		return &mappedSamples{b: b, base: base, samples: samples, free: release}
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

// rangeSamples reads samples sequentially through a media.RunReader
// (one open range read per run of samples, holes seeked over or read
// through), holding one batch of samples at a time.
type rangeSamples struct {
	samples []media.Sample
	rr      *media.RunReader
	buf     *[]byte
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
	return &rangeSamples{samples: samples, rr: media.NewRunReader(ctx, src, name, media.RunEnds(samples))}
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
	off := s.Offset
	r.have, r.haveEnd = 0, 0
	// Batch the samples that follow back to back within the run.
	j, n := i+1, int64(s.Size)
	for j < len(r.samples) && r.samples[j].Offset == off+n && n+int64(r.samples[j].Size) <= batchBytes && off+n+int64(r.samples[j].Size) <= r.rr.RunEnd(i) {
		n += int64(r.samples[j].Size)
		j++
	}
	if r.buf == nil {
		r.buf = sampleBufs.Get().(*[]byte)
	}
	if int64(cap(*r.buf)) < n {
		*r.buf = make([]byte, max(n, batchBytes))
	}
	if err := r.rr.ReadAt(i, off, (*r.buf)[:n]); err != nil {
		return nil, err
	}
	r.have, r.haveEnd, r.haveAt = i, j, off
	return (*r.buf)[:s.Size], nil
}

func (r *rangeSamples) release() {
	r.rr.Close()
	if r.buf != nil && cap(*r.buf) <= maxPooledSample {
		sampleBufs.Put(r.buf)
	}
	r.buf, r.have, r.haveEnd = nil, 0, 0
}
