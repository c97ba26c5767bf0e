package media

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Errors callers map to HTTP statuses. Every parse failure wraps one of
// them.
var (
	// ErrMalformed: the file is not a well-formed MP4 of a kind we read.
	ErrMalformed = errors.New("media: malformed input")
	// ErrUnsupported: well formed, but a codec or layout we cannot package.
	ErrUnsupported = errors.New("media: unsupported input")
	// ErrEncrypted: the input is already encrypted.
	ErrEncrypted = errors.New("media: input is already encrypted")
	// ErrTooManyTracks wraps ErrUnsupported (the origin answers 415
	// MPE_INPUT_FORMAT_NOT_SUPPORTED): a file or presentation with more
	// tracks than MaxTracksPerFile or MaxTracksPerPresentation.
	ErrTooManyTracks = fmt.Errorf("%w: too many tracks (at most %d per file, %d per presentation)", ErrUnsupported, MaxTracksPerFile, MaxTracksPerPresentation)
)

// Source reads byte ranges of an asset's files. blob.Store bound to one
// container satisfies it through BlobSource.
type Source interface {
	// ReadRange reads n bytes of file name from off (n < 0: to the end).
	ReadRange(ctx context.Context, name string, off, n int64) (io.ReadCloser, error)
}

// BufferSource is a Source that also supplies the buffers segments are
// read into, so that a server can recycle them between requests instead
// of allocating (and zeroing) megabytes per segment. SegmentBuffer returns
// a slice of length n whose contents are arbitrary: ReadSegment overwrites
// every byte it hands out.
type BufferSource interface {
	Source
	SegmentBuffer(n int) []byte
}

// Limits guard memory against hostile or broken files.
// Track limits. AMS encoder output has a handful of tracks per file and a
// few dozen per asset at most (a bitrate ladder of up to ~10 video tracks
// plus audio in many languages); 128 leaves ample room while bounding what
// one request can make the origin parse, name and hold in memory (a 29 MB
// file with 10,000 tracks took 90 s to its first manifest).
const (
	MaxTracksPerFile         = 128
	MaxTracksPerPresentation = 128
)

const (
	maxMoovSize  = 256 << 20
	maxMoofSize  = 16 << 20
	maxTopBoxes  = 1 << 20
	maxSamples   = 50_000_000
	readAheadLen = 64 << 10
)

// readAt reads exactly n bytes at off.
func readAt(ctx context.Context, src Source, name string, off, n int64) ([]byte, error) {
	rc, err := src.ReadRange(ctx, name, off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(rc, buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s truncated at byte %d", ErrMalformed, name, off)
		}
		return nil, err
	}
	return buf, nil
}

// boxWalker iterates over the top-level boxes of a file with few range
// reads: it keeps a read-ahead window so that small boxes (ftyp, moof,
// sidx) next to each other cost one request.
type boxWalker struct {
	ctx  context.Context
	src  Source
	name string
	size int64

	win    []byte
	winOff int64
}

// bytes returns n bytes at off, from the window when possible.
func (w *boxWalker) bytes(off, n int64) ([]byte, error) {
	if off >= w.winOff && off+n <= w.winOff+int64(len(w.win)) {
		return w.win[off-w.winOff : off-w.winOff+n], nil
	}
	want := max(n, readAheadLen)
	if off+want > w.size {
		want = w.size - off
	}
	if want < n {
		return nil, fmt.Errorf("%w: %s: box at %d runs past the end of the file", ErrMalformed, w.name, off)
	}
	b, err := readAt(w.ctx, w.src, w.name, off, want)
	if err != nil {
		return nil, err
	}
	if n <= readAheadLen {
		w.win, w.winOff = b, off
	}
	return b[:n], nil
}

// topBox is one top-level box header.
type topBox struct {
	typ    string
	off    int64 // box start
	size   int64 // whole box, header included
	hdrLen int64
}

// next reads the header of the box at off.
func (w *boxWalker) header(off int64) (topBox, error) {
	rest := w.size - off
	if rest < 8 {
		return topBox{}, fmt.Errorf("%w: %s: %d trailing bytes at %d", ErrMalformed, w.name, rest, off)
	}
	h, err := w.bytes(off, min(16, rest))
	if err != nil {
		return topBox{}, err
	}
	b := topBox{typ: string(h[4:8]), off: off, hdrLen: 8}
	switch sz := int64(binary.BigEndian.Uint32(h)); sz {
	case 0: // extends to the end of the file
		b.size = rest
	case 1:
		if len(h) < 16 {
			return topBox{}, fmt.Errorf("%w: %s: truncated large box header at %d", ErrMalformed, w.name, off)
		}
		u := binary.BigEndian.Uint64(h[8:])
		if u > uint64(rest) {
			return topBox{}, fmt.Errorf("%w: %s: box %q at %d claims %d bytes, %d remain", ErrMalformed, w.name, b.typ, off, u, rest)
		}
		b.size, b.hdrLen = int64(u), 16
	default:
		b.size = sz
	}
	if b.size < b.hdrLen || b.size > rest {
		return topBox{}, fmt.Errorf("%w: %s: box %q at %d has size %d (%d bytes remain)", ErrMalformed, w.name, printable(b.typ), off, b.size, rest)
	}
	return b, nil
}

// printable makes a box type safe for messages.
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fmt.Sprintf("%x", s)
		}
	}
	return s
}

// Mapper is a Source whose files can be read in place (blob.Mapper on the
// local store): MapRange returns bytes [off, off+n) of file name, valid
// until release, never to be written. A source behind which nothing maps
// answers an error and the caller reads with ReadRange instead. Reading
// the bytes faults if the file is truncated underneath (only something
// outside the store can do that), so a server enables
// debug.SetPanicOnFault on the goroutine that reads them.
type Mapper interface {
	MapRange(ctx context.Context, name string, off, n int64) (b []byte, release func(), err error)
}

// MapSamples maps the file span that holds samples (all in file name)
// when src is a Mapper: b holds the file's bytes from offset base on, until
// release. ok is false when src does not map, or maps less than the
// samples need (a file shorter than its sample table): the caller reads
// with ReadRange instead, which reports the short file.
func MapSamples(ctx context.Context, src Source, name string, samples []Sample) (b []byte, base int64, release func(), ok bool) {
	m, isMapper := src.(Mapper)
	if !isMapper || len(samples) == 0 {
		return nil, 0, nil, false
	}
	lo, hi := samples[0].Offset, int64(0)
	for _, s := range samples {
		lo = min(lo, s.Offset)
		hi = max(hi, s.Offset+int64(s.Size))
	}
	b, release, err := m.MapRange(ctx, name, lo, hi-lo)
	if err != nil {
		return nil, 0, nil, false
	}
	if int64(len(b)) < hi-lo {
		release()
		return nil, 0, nil, false
	}
	return b, lo, release, true
}
