package media

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// SegmentData is one segment's samples with their bytes, concatenated in
// decode order in Data.
type SegmentData struct {
	Track   *Track
	Index   int
	Seg     Segment
	Samples []Sample // Samples[i] occupies Data[Pos[i]:Pos[i]+Size]
	Pos     []int
	Data    []byte

	// buf holds Data at offset head, leaving room in front for the
	// segment's headers, so that Encode writes the response without
	// copying the samples again.
	buf  []byte
	head int
	size int // total sample bytes (Data may be nil, see LayoutSource)
}

// PayloadSize is the segment's total sample bytes.
func (d *SegmentData) PayloadSize() int { return d.size }

// LayoutSource is a Source for which ReadSegment reads nothing: it returns
// the segment's samples and their positions (Pos) with Data nil, so that a
// server can build the segment's headers from the sample tables and then
// stream the samples itself, in bounded chunks.
type LayoutSource interface {
	Source
	LayoutOnly() bool
}

// SampleBytes returns sample i's bytes.
func (d *SegmentData) SampleBytes(i int) []byte {
	return d.Data[d.Pos[i] : d.Pos[i]+int(d.Samples[i].Size)]
}

// maxGap is the largest hole between samples read through rather than
// split into two requests: one range request costs more than 64 KiB of
// sequential bytes on local disk and object stores alike.
const maxGap = 64 << 10

// maxSegmentBytes bounds one segment's memory.
const maxSegmentBytes = 512 << 20

// ReadSegment reads segment k of t with as few range reads as the file's
// layout allows.
func ReadSegment(ctx context.Context, src Source, t *Track, k int) (*SegmentData, error) {
	if k < 0 || k >= len(t.Segments) {
		return nil, fmt.Errorf("segment %d of %d", k, len(t.Segments))
	}
	seg := t.Segments[k]
	samples := t.Samples[seg.First:seg.End]
	d := &SegmentData{Track: t, Index: k, Seg: seg, Samples: samples, Pos: make([]int, len(samples))}
	total := 0
	for i, s := range samples {
		d.Pos[i] = total
		total += int(s.Size)
		if total > maxSegmentBytes {
			return nil, fmt.Errorf("%w: segment larger than %d bytes", ErrUnsupported, maxSegmentBytes)
		}
	}
	d.size = total
	if ls, ok := src.(LayoutSource); ok && ls.LayoutOnly() {
		return d, nil
	}
	// Room for styp + moof + mdat header: the trun's 16 bytes a sample,
	// and senc/saiz entries when the fragment gets encrypted.
	d.head = 1024 + 128*len(samples)
	if bs, ok := src.(BufferSource); ok {
		d.buf = bs.SegmentBuffer(d.head + total)
	} else {
		d.buf = make([]byte, d.head+total)
	}
	d.Data = d.buf[d.head:]
	for i := 0; i < len(samples); {
		// A run: following samples that sit at increasing offsets with small
		// gaps, read in one request.
		j := i + 1
		end := samples[i].Offset + int64(samples[i].Size)
		for j < len(samples) && samples[j].Offset >= end && samples[j].Offset-end <= maxGap {
			end = samples[j].Offset + int64(samples[j].Size)
			j++
		}
		if err := readRun(ctx, src, t.Source, samples[i:j], d.Pos[i:j], d.Data, end); err != nil {
			return nil, err
		}
		i = j
	}
	return d, nil
}

func readRun(ctx context.Context, src Source, name string, run []Sample, pos []int, dst []byte, end int64) error {
	start := run[0].Offset
	rc, err := src.ReadRange(ctx, name, start, end-start)
	if err != nil {
		return fmt.Errorf("read %s [%d,%d): %w", name, start, end, err)
	}
	defer rc.Close()
	// Local files seek over gaps (reading through them costs a read call
	// per 8 KiB); other readers read through. Samples back to back in the
	// file are one read.
	seeker, _ := rc.(io.Seeker)
	at := start
	for i := 0; i < len(run); {
		s := run[i]
		if gap := s.Offset - at; gap > 0 {
			if seeker != nil {
				if _, err := seeker.Seek(gap, io.SeekCurrent); err != nil {
					return fmt.Errorf("read %s at %d: %w", name, at, err)
				}
			} else if _, err := io.CopyN(io.Discard, rc, gap); err != nil {
				return fmt.Errorf("read %s at %d: %w", name, at, short(err))
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

// short turns a premature end into ErrMalformed: the sample table pointed
// past what the file holds (it changed under us, or lied).
func short(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: file shorter than its sample table", ErrMalformed)
	}
	return err
}

// HeaderRoom returns the buffer holding d.Data and the offset of Data in
// it: the room in front is for the segment's headers (cmaf.Encode). buf
// is nil when d was not read into such a buffer.
func (d *SegmentData) HeaderRoom() (buf []byte, head int) { return d.buf, d.head }
