package hls

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/lockstream/lockstream/internal/media"
)

// The TS path reads segment samples into pooled buffers: the samples are
// only an input to the muxer, never returned, so a fresh (zeroed, page
// faulted) multi-megabyte allocation per request would cost as much CPU as
// the muxing itself. The read policy is media.ReadSegment's: runs of
// samples with holes up to readGap are fetched in one range read.
const (
	readGap      = 64 << 10
	maxReadBytes = 512 << 20
	maxPooled    = 64 << 20 // larger buffers are left to the GC
)

var readBufs = sync.Pool{New: func() any { return new([]byte) }}

// readSegment reads segment k of t into a pooled buffer; release returns
// the buffer once d is no longer used.
func readSegment(ctx context.Context, src media.Source, t *media.Track, k int) (d *media.SegmentData, release func(), err error) {
	if k < 0 || k >= len(t.Segments) {
		return nil, nil, fmt.Errorf("%w: segment %d of %d", ErrNotFound, k, len(t.Segments))
	}
	seg := t.Segments[k]
	samples := t.Samples[seg.First:seg.End]
	d = &media.SegmentData{Track: t, Index: k, Seg: seg, Samples: samples, Pos: make([]int, len(samples))}
	total := 0
	for i, s := range samples {
		d.Pos[i] = total
		total += int(s.Size)
		if total > maxReadBytes {
			return nil, nil, fmt.Errorf("%w: segment larger than %d bytes", media.ErrUnsupported, maxReadBytes)
		}
	}
	bp := readBufs.Get().(*[]byte)
	if cap(*bp) < total {
		*bp = make([]byte, total)
	}
	d.Data = (*bp)[:total]
	release = func() {
		if cap(*bp) <= maxPooled {
			readBufs.Put(bp)
		}
	}
	for i := 0; i < len(samples); {
		j := i + 1
		end := samples[i].Offset + int64(samples[i].Size)
		for j < len(samples) && samples[j].Offset >= end && samples[j].Offset-end <= readGap {
			end = samples[j].Offset + int64(samples[j].Size)
			j++
		}
		if err := readRun(ctx, src, t.Source, samples[i:j], d.Pos[i:j], d.Data, end); err != nil {
			release()
			return nil, nil, err
		}
		i = j
	}
	return d, release, nil
}

// readRun reads the samples of one run, [run[0].Offset, end) in one
// range read. When holes make up most of the span (audio interleaved with
// video), the span is read whole into a pooled buffer and the samples
// copied out: one large read instead of a small read per hole.
func readRun(ctx context.Context, src media.Source, name string, run []media.Sample, pos []int, dst []byte, end int64) error {
	start := run[0].Offset
	rc, err := src.ReadRange(ctx, name, start, end-start)
	if err != nil {
		return fmt.Errorf("read %s [%d,%d): %w", name, start, end, err)
	}
	defer rc.Close()
	useful := int64(0)
	for _, s := range run {
		useful += int64(s.Size)
	}
	if span := end - start; span > 2*useful && span <= maxPooled {
		bp := readBufs.Get().(*[]byte)
		defer readBufs.Put(bp)
		if int64(cap(*bp)) < span {
			*bp = make([]byte, span)
		}
		buf := (*bp)[:span]
		if _, err := io.ReadFull(rc, buf); err != nil {
			return fmt.Errorf("read %s [%d,%d): %w", name, start, end, short(err))
		}
		for i, s := range run {
			copy(dst[pos[i]:pos[i]+int(s.Size)], buf[s.Offset-start:])
		}
		return nil
	}
	// Local files seek over holes; other readers read through them.
	// Samples back to back in the file (and in dst) are one read.
	seeker, _ := rc.(io.Seeker)
	var hole []byte
	at := start
	for i := 0; i < len(run); {
		s := run[i]
		if gap := s.Offset - at; gap > 0 {
			if seeker != nil {
				if _, err := seeker.Seek(gap, io.SeekCurrent); err != nil {
					return fmt.Errorf("read %s at %d: %w", name, at, err)
				}
			} else {
				if hole == nil {
					hp := holeBufs.Get().(*[]byte)
					defer holeBufs.Put(hp)
					hole = *hp
				}
				if _, err := io.ReadFull(rc, hole[:gap]); err != nil {
					return fmt.Errorf("read %s at %d: %w", name, at, short(err))
				}
			}
		}
		j, n := i+1, int(s.Size)
		for j < len(run) && run[j].Offset == run[j-1].Offset+int64(run[j-1].Size) && pos[j] == pos[i]+n {
			n += int(run[j].Size)
			j++
		}
		if _, err := io.ReadFull(rc, dst[pos[i]:pos[i]+n]); err != nil {
			return fmt.Errorf("read %s at %d: %w", name, s.Offset, short(err))
		}
		at = s.Offset + int64(n)
		i = j
	}
	return nil
}

// holeBufs hold the bytes of holes (at most readGap) read through.
var holeBufs = sync.Pool{New: func() any { b := make([]byte, readGap); return &b }}

// short turns a premature end into media.ErrMalformed: the sample table
// pointed past what the file holds.
func short(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: file shorter than its sample table", media.ErrMalformed)
	}
	return err
}
