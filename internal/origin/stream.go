package origin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
)

// An fMP4 media segment is not built in memory: its headers (styp, moof
// with senc/saiz/saio, the mdat header) come from the sample tables — and,
// when encrypted, from one pass over the samples that works out their
// subsample layouts — and its samples are then read, encrypted and written
// a chunk at a time. A request holds the headers (a few KiB), one read
// chunk and, when encrypting, one sample; never the segment, whatever its
// bitrate. Byte ranges, HEAD and conditional requests go through
// http.ServeContent over the stream's io.ReadSeeker.

// maxPooledSample bounds the sample buffers kept for reuse.
const maxPooledSample = 4 << 20

// sampleBuffers recycles the per-request sample buffers.
type sampleBuffers struct{ pool sync.Pool }

func (p *sampleBuffers) get(n int) []byte {
	if v, ok := p.pool.Get().(*[]byte); ok {
		if cap(*v) >= n {
			return (*v)[:n]
		}
		p.pool.Put(v)
	}
	return make([]byte, n, max(n, chunk))
}

func (p *sampleBuffers) put(b []byte) {
	if b != nil && cap(b) <= maxPooledSample {
		p.pool.Put(&b)
	}
}

// layoutSource makes media.ReadSegment return sample layouts only.
type layoutSource struct{ media.Source }

func (layoutSource) LayoutOnly() bool { return true }

// skeleton is what a segment's stream needs besides the samples' bytes:
// the encoded headers, the sample layout, the finished encryption plan
// (nil for clear output) and the file range reads. It is immutable once
// built, so the server keeps it per segment (Server.skeletons) and later
// requests skip building the fragment and, when encrypting, the pass
// over the samples that works out their subsample layouts.
type skeleton struct {
	head   []byte
	d      *media.SegmentData // Samples and Pos; no Data
	plan   *cenc.Plan
	runEnd []int64 // media.RunEnds of the samples
	size   int64
}

// segmentStream is one fMP4 media segment as an io.ReadSeeker (and
// io.WriterTo): head, then the samples of d, encrypted by plan when it is
// set.
type segmentStream struct {
	*skeleton
	ctx  context.Context
	src  media.Source
	file string
	pos  int64

	rr *media.RunReader // the samples' range reads (when not mapped)

	bufs  *sampleBuffers
	buf   []byte // sample cur, encrypted
	cur   int
	chunk int // bytes per write (WriteTo)

	// The segment's file span mapped in memory (media.Mapper), when the
	// source maps: samples are then sliced from it instead of read.
	mapTried bool
	m        []byte
	mBase    int64 // file offset of m[0]
	mRelease func()
}

// newSkeleton builds the skeleton of the lazy fragment f of segment d (see
// cmaf.Fragment), with styp in front when styp is set. A non-nil plan
// encrypts the samples: newSkeleton reads each sample once to complete it
// before encoding the headers.
func newSkeleton(ctx context.Context, src media.Source, d *media.SegmentData, f *mp4.Fragment, plan *cenc.Plan, styp bool, bufs *sampleBuffers) (*skeleton, error) {
	sk := &skeleton{d: d, runEnd: media.RunEnds(d.Samples)}
	if plan != nil {
		if plan.Len() != len(d.Samples) {
			return nil, fmt.Errorf("stream %s segment %d: plan of %d samples for %d", d.Track.Name, d.Index, plan.Len(), len(d.Samples))
		}
		st := sk.stream(ctx, src, bufs, 0)
		defer st.Close()
		for i, s := range d.Samples {
			b := st.sample(int(s.Size))
			if err := st.readAt(i, s.Offset, b); err != nil {
				return nil, err
			}
			if err := plan.AddSample(i, b); err != nil {
				return nil, fmt.Errorf("encrypt %s: %w", d.Track.Name, err)
			}
		}
		if err := plan.Finish(); err != nil {
			return nil, fmt.Errorf("encrypt %s: %w", d.Track.Name, err)
		}
		sk.plan = plan
	}
	head, err := cmaf.Header(f, styp)
	if err != nil {
		return nil, fmt.Errorf("stream %s segment %d: %w", d.Track.Name, d.Index, err)
	}
	sk.head = head
	sk.size = int64(len(head)) + int64(d.PayloadSize())
	return sk, nil
}

// stream returns a stream of the segment reading from src, writing
// chunkSize bytes at a time (0: chunk).
func (sk *skeleton) stream(ctx context.Context, src media.Source, bufs *sampleBuffers, chunkSize int) *segmentStream {
	if chunkSize <= 0 {
		chunkSize = chunk
	}
	return &segmentStream{skeleton: sk, ctx: ctx, src: src, file: sk.d.Track.Source, bufs: bufs, cur: -1, chunk: chunkSize}
}

// Size is the segment's length in bytes.
func (st *segmentStream) Size() int64 { return st.size }

// sample returns the sample buffer with n bytes.
func (st *segmentStream) sample(n int) []byte {
	if cap(st.buf) < n {
		st.bufs.put(st.buf)
		st.buf = st.bufs.get(n)
	}
	st.cur = -1
	st.buf = st.buf[:n]
	return st.buf
}

// mapped maps the file span of the segment's samples once, when the
// source can (media.Mapper), and reports whether it is mapped. A source
// that cannot map is read with range reads instead: not an error.
func (st *segmentStream) mapped() bool {
	if st.mapTried {
		return st.m != nil
	}
	st.mapTried = true
	b, base, release, ok := media.MapSamples(st.ctx, st.src, st.file, st.d.Samples)
	if ok {
		st.m, st.mBase, st.mRelease = b, base, release
	}
	return ok
}

// sampleBytes is sample i in the mapping (mapped() must be true).
func (st *segmentStream) sampleBytes(i int) []byte {
	s := st.d.Samples[i]
	at := s.Offset - st.mBase
	return st.m[at : at+int64(s.Size)]
}

// readAt fills dst from file offset off, part of sample i: from the
// mapping when there is one, else through the samples' run reader.
func (st *segmentStream) readAt(i int, off int64, dst []byte) error {
	if st.mapped() {
		copy(dst, st.m[off-st.mBase:])
		return nil
	}
	if st.rr == nil {
		st.rr = media.NewRunReader(st.ctx, st.src, st.file, st.runEnd)
	}
	return st.rr.ReadAt(i, off, dst)
}

// Read implements io.Reader: header bytes, then samples, clear ones read
// straight into p, encrypted ones through the sample buffer.
func (st *segmentStream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && st.pos < st.size {
		if st.pos < int64(len(st.head)) {
			c := copy(p[n:], st.head[st.pos:])
			n += c
			st.pos += int64(c)
			continue
		}
		off := int(st.pos - int64(len(st.head)))
		d := st.d
		i := st.sampleAt(off)
		s := d.Samples[i]
		within := off - d.Pos[i]
		var c int
		if st.plan != nil {
			if st.cur != i {
				b := st.sample(int(s.Size))
				if err := st.readAt(i, s.Offset, b); err != nil {
					return n, err
				}
				st.plan.Encrypt(i, b)
				st.cur = i
			}
			c = copy(p[n:], st.buf[within:])
		} else {
			c = min(len(p)-n, int(s.Size)-within)
			// Samples that follow back to back in the file: one read.
			for j := i; c < len(p)-n && j+1 < len(d.Samples) && d.Samples[j+1].Offset == d.Samples[j].Offset+int64(d.Samples[j].Size); j++ {
				c += min(len(p)-n-c, int(d.Samples[j+1].Size))
			}
			if err := st.readAt(i, s.Offset+int64(within), p[n:n+c]); err != nil {
				return n, err
			}
		}
		n += c
		st.pos += int64(c)
	}
	if n == 0 && st.pos >= st.size {
		return 0, io.EOF
	}
	return n, nil
}

// chunk is the most a read and write moves at once. Every write wakes
// the reader and costs a pass through TCP, so fewer, larger writes save
// CPU (measured over loopback with the benchmark kit: 64 KiB gives DASH
// cenc ≈ 20–40 % more bytes per CPU-second than 32 KiB); the chunk is
// also what a request in flight holds, so it stays in the tens of KiB.
const chunk = 64 << 10

// WriteTo implements io.WriterTo: the whole segment from the current
// position in few, large writes. Each write is one chunk: the headers,
// then as many whole samples as fit and lie back to back in the file
// (one read, each sample encrypted in place); a sample larger than a
// chunk goes alone through the sample buffer.
func (st *segmentStream) WriteTo(w io.Writer) (int64, error) {
	if st.pos == 0 && st.mapped() {
		return st.writeMapped(w)
	}
	var written int64
	b := st.bufs.get(st.chunk)
	defer st.bufs.put(b)
	head, d := int64(len(st.head)), st.d
	for st.pos < st.size {
		n := 0
		if st.pos < head {
			n = copy(b, st.head[st.pos:])
			st.pos += int64(n)
		}
		if st.pos >= head && st.pos < st.size {
			off := int(st.pos - head)
			i := st.sampleAt(off)
			j, total := i, 0
			if off == d.Pos[i] {
				for j < len(d.Samples) && total+int(d.Samples[j].Size) <= len(b)-n &&
					(j == i || d.Samples[j].Offset == d.Samples[j-1].Offset+int64(d.Samples[j-1].Size)) {
					total += int(d.Samples[j].Size)
					j++
				}
			}
			if total > 0 {
				if err := st.readAt(i, d.Samples[i].Offset, b[n:n+total]); err != nil {
					return written, err
				}
				if st.plan != nil {
					for k := i; k < j; k++ {
						at := n + d.Pos[k] - d.Pos[i]
						st.plan.Encrypt(k, b[at:at+int(d.Samples[k].Size)])
					}
				}
				n += total
				st.pos += int64(total)
			} else if n == 0 {
				if st.plan != nil {
					// Mid-sample or larger than a chunk: Read loads and
					// encrypts the sample into st.buf; write the rest of it.
					if _, err := st.Read(b[:1]); err != nil {
						return written, err
					}
					st.pos--
					m, err := w.Write(st.buf[off-d.Pos[i]:])
					written += int64(m)
					st.pos += int64(m)
					if err != nil {
						return written, err
					}
					continue
				}
				m, err := st.Read(b)
				if err != nil && !errors.Is(err, io.EOF) {
					return written, err
				}
				n = m
			}
		}
		m, err := w.Write(b[:n])
		written += int64(m)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// sampleAt returns the sample holding payload offset off.
func (st *segmentStream) sampleAt(off int) int {
	d := st.d
	return sort.Search(len(d.Pos), func(j int) bool { return d.Pos[j]+int(d.Samples[j].Size) > off })
}

// Seek implements io.Seeker.
func (st *segmentStream) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += st.pos
	case io.SeekEnd:
		offset += st.size
	default:
		return 0, fmt.Errorf("seek: whence %d", whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek: negative position %d", offset)
	}
	st.pos = offset
	return offset, nil
}

// Close releases the open range read, the mapping and the sample buffer.
func (st *segmentStream) Close() error {
	if st.mRelease != nil {
		st.mRelease()
		st.mRelease, st.m = nil, nil
	}
	if st.rr != nil {
		st.rr.Close()
	}
	st.bufs.put(st.buf)
	st.buf = nil
	return nil
}
