package hls

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// A streamed TS segment is not built in memory: its packet layout (plan)
// follows from the sample tables, so its size is known before any byte is
// written, and its PES units are then muxed in order into a bounded
// output chunk, each unit's samples read as it is written (sampleData).
// AES-128 runs CBC across the chunks, carrying the partial last block of
// each into the next, and pads at the very end. A request holds one
// chunk (TSStreamChunk, or one unit when an I-frame is larger) and one
// sample per track, never the segment, whatever its bitrate.

// TSStreamChunk is the default output chunk of a TSStream: what WriteTo
// writes at once.
const TSStreamChunk = 64 << 10

// maxPooledChunk bounds the chunk buffers kept for reuse (an I-frame's
// unit can grow one).
const maxPooledChunk = 4 << 20

var chunkBufs = sync.Pool{New: func() any { return new([]byte) }}

// TSStreamable reports whether NewTSStream can stream the segment of
// video (nil: audio only) under o. Annex B sizes of NAL unit lengths other
// than 4 bytes, and SAMPLE-AES sizes, depend on the sample data, so such
// segments are planned from the samples read whole: callers build them
// with AppendTSSegmentWith.
func TSStreamable(video *media.Track, o TSOptions) bool {
	return o.Encryption.Method != TSSampleAES && (video == nil || video.NALULengthSize == 4)
}

// TSStream is MPEG-TS segment k (as AppendTSSegmentWith builds it, byte
// for byte) produced as it is read. It is an io.ReadSeeker for
// http.ServeContent (a seek backwards restarts the muxer from the start;
// a clear segment skips the units before the position without reading
// them, an encrypted one must encrypt them for the CBC chain) and an
// io.WriterTo that writes one chunk per Write. Close it when done.
type TSStream struct {
	ctx   context.Context
	src   media.Source
	r     *tsRequest
	vs    []media.Sample // the video segment's samples
	first int            // index of vs[0] in the video track
	l     *tsLayout
	pmt   []byte
	aes   bool
	size  int64
	chunk int

	// Muxer state, from the start of the segment or the restart.
	vd, ad sampleData
	next   int // next unit; -1: PAT and PMT come first
	st     unitState
	mode   cipher.BlockMode
	carry  [16]byte // AES-128: clear bytes of the partial last block
	nCarry int
	bufp   *[]byte // pooled chunk buffer
	buf    []byte  // output bytes [bufAt, bufAt+len(buf))
	bufAt  int64
	err    error // sticky until a restart

	pos int64
}

// NewTSStream returns TSSegmentWith's segment as a stream that writes
// chunk bytes at a time (0: TSStreamChunk; a PES unit larger than a chunk
// is written whole); it fails as TSSegmentWith does for requests that do
// not exist and refuses segments TSStreamable rejects. Nothing is read
// until the stream is.
func NewTSStream(ctx context.Context, src media.Source, v *packager.View, video *media.Track, k int, audio *media.Track, o TSOptions, chunk int) (*TSStream, error) {
	if !TSStreamable(video, o) {
		return nil, fmt.Errorf("%w: this TS segment is planned from its sample data and cannot be streamed", media.ErrUnsupported)
	}
	r, err := newTSRequest(v, video, k, audio, o)
	if err != nil {
		return nil, err
	}
	if chunk <= 0 {
		chunk = TSStreamChunk
	}
	// The first chunk holds PAT and PMT whole.
	chunk = max(chunk, 2*packetSize)
	s := &TSStream{ctx: ctx, src: src, r: r, chunk: chunk, aes: r.enc.Method == TSAES128, next: -1}
	var as []media.Sample
	if video != nil {
		seg := video.Segments[k]
		s.vs, s.first = video.Samples[seg.First:seg.End], seg.First
	}
	if audio != nil {
		seg := audio.Segments[r.ak]
		as = audio.Samples[seg.First:seg.End]
	}
	if s.l, err = plan(r.m.streams(s.vs, as, nil)); err != nil {
		return nil, err
	}
	for _, u := range s.l.units {
		if u.size > maxReadBytes {
			return nil, fmt.Errorf("%w: PES of %d bytes", media.ErrUnsupported, u.size)
		}
	}
	if s.pmt, err = r.m.pmt(); err != nil {
		return nil, err
	}
	s.size = int64(s.l.size)
	if s.aes {
		s.size = int64(cenc.SealedSize(s.l.size))
	}
	return s, nil
}

// Size is the segment's length in bytes (sealed, under AES-128).
func (s *TSStream) Size() int64 { return s.size }

// restart rewinds the muxer to the start of the segment.
func (s *TSStream) restart() {
	s.releaseData()
	s.next, s.st, s.mode, s.nCarry, s.err = -1, unitState{}, nil, 0, nil
	s.buf, s.bufAt = s.buf[:0], 0
}

func (s *TSStream) releaseData() {
	if s.vd != nil {
		s.vd.release()
		s.vd = nil
	}
	if s.ad != nil {
		s.ad.release()
		s.ad = nil
	}
}

// seekTo makes the buffered chunk hold output offset pos (pos < size):
// it restarts when pos lies behind, skips whole units ahead of it when
// the output is clear, and muxes chunks until one holds pos.
func (s *TSStream) seekTo(pos int64) error {
	if pos < s.bufAt {
		s.restart()
	}
	if !s.aes && pos >= s.bufAt+int64(len(s.buf)) {
		s.skipTo(pos)
	}
	for pos >= s.bufAt+int64(len(s.buf)) {
		if s.err != nil {
			return s.err
		}
		if err := s.fill(); err != nil {
			s.err = err
			return err
		}
	}
	return nil
}

// skipTo passes over the clear units that end at or before pos without
// muxing them: the continuity counters advance by their packet counts.
func (s *TSStream) skipTo(pos int64) {
	units := s.l.units
	if s.next < 0 {
		if len(units) == 0 || pos < int64(units[0].off) {
			return
		}
		s.next = 0
	}
	for s.next < len(units) {
		u := &units[s.next]
		end := int64(u.off + u.packets*packetSize)
		if end > pos {
			break
		}
		if u.audio {
			s.st.ccA = byte((int(s.st.ccA) + u.packets) & 0x0f)
		} else {
			s.st.ccV = byte((int(s.st.ccV) + u.packets) & 0x0f)
		}
		s.next++
	}
	s.buf = s.buf[:0]
	s.bufAt = 2 * packetSize
	if s.next < len(units) {
		s.bufAt = int64(units[s.next].off)
	}
}

// fill muxes the next chunk after the buffered one: PAT and PMT first,
// then whole units while they fit the chunk size (at least one, the
// buffer growing for a unit larger than a chunk); under AES-128 the
// chunk's whole blocks are encrypted and the rest carried over, the last
// chunk padded.
func (s *TSStream) fill() error {
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("hls: TS segment: %w", err)
	}
	at := s.bufAt + int64(len(s.buf))
	if at >= s.size {
		return io.EOF
	}
	if s.bufp == nil {
		s.bufp = chunkBufs.Get().(*[]byte)
		if cap(*s.bufp) < s.chunk+2*16 {
			*s.bufp = make([]byte, 0, s.chunk+2*16)
		}
	}
	b := (*s.bufp)[:0]
	// CBC keeps lengths: output byte i of the chunk is the encryption of
	// clear byte at+i, the carried bytes first.
	b = append(b, s.carry[:s.nCarry]...)
	s.nCarry = 0
	added := false
	if s.next < 0 {
		b = b[:len(b)+2*packetSize]
		psi := b[len(b)-2*packetSize:]
		putPSI(psi[:packetSize], pidPAT, byte(s.r.k), patSection())
		putPSI(psi[packetSize:], pidPMT, byte(s.r.k), s.pmt)
		s.next, added = 0, true
	}
	units := s.l.units
	for s.next < len(units) {
		u := &units[s.next]
		n := u.packets * packetSize
		if added && len(b)+n > s.chunk {
			break
		}
		if int64(u.off) != at+int64(len(b)) {
			return fmt.Errorf("hls: TS unit %d planned at %d, muxed at %d", s.next, u.off, at+int64(len(b)))
		}
		if cap(b)-len(b) < n+16 {
			grown := make([]byte, len(b), len(b)+n+2*16)
			copy(grown, b)
			b = grown
			*s.bufp = grown
		}
		if err := s.unit(b[len(b):len(b)+n], u); err != nil {
			return err
		}
		b = b[:len(b)+n]
		s.next++
		added = true
	}
	if s.aes {
		if s.mode == nil {
			s.mode = s.r.enc.Cipher.SegmentEncrypter(s.r.iv)
		}
		if s.next == len(units) {
			pad := 16 - len(b)%16
			for range pad {
				b = append(b, byte(pad))
			}
		} else {
			whole := len(b) &^ 15
			s.nCarry = copy(s.carry[:], b[whole:])
			b = b[:whole]
		}
		s.mode.CryptBlocks(b, b)
	}
	s.buf, s.bufAt = b, at
	return nil
}

// unit muxes u into pkts, opening the sample readers on first use.
func (s *TSStream) unit(pkts []byte, u *tsUnit) error {
	if u.audio && s.ad == nil {
		s.ad = openSamples(s.ctx, s.src, s.r.audio, s.r.ak)
	}
	if !u.audio && s.vd == nil {
		s.vd = openSamples(s.ctx, s.src, s.r.video, s.r.k)
	}
	return s.r.m.writeUnit(pkts, u, s.vs, s.first, s.vd, s.ad, &s.st)
}

// Read implements io.Reader.
func (s *TSStream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && s.pos < s.size {
		if err := s.seekTo(s.pos); err != nil {
			return n, err
		}
		c := copy(p[n:], s.buf[s.pos-s.bufAt:])
		n += c
		s.pos += int64(c)
	}
	if n == 0 && s.pos >= s.size {
		return 0, io.EOF
	}
	return n, nil
}

// WriteTo implements io.WriterTo: the segment from the current position,
// one Write per chunk. A failed Write's error is returned as it is, so
// that callers can tell a client gone from a failed read.
func (s *TSStream) WriteTo(w io.Writer) (int64, error) {
	var written int64
	for s.pos < s.size {
		if err := s.seekTo(s.pos); err != nil {
			return written, err
		}
		m, err := w.Write(s.buf[s.pos-s.bufAt:])
		written += int64(m)
		s.pos += int64(m)
		if err != nil {
			return written, err
		}
		if m == 0 {
			return written, io.ErrShortWrite
		}
	}
	return written, nil
}

// Seek implements io.Seeker; the muxer moves on the next Read.
func (s *TSStream) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += s.pos
	case io.SeekEnd:
		offset += s.size
	default:
		return 0, fmt.Errorf("hls: seek: whence %d", whence)
	}
	if offset < 0 {
		return 0, errors.New("hls: seek: negative position")
	}
	s.pos = offset
	return offset, nil
}

// Close releases the open reads and the chunk buffer.
func (s *TSStream) Close() error {
	s.releaseData()
	if s.bufp != nil && cap(*s.bufp) <= maxPooledChunk {
		chunkBufs.Put(s.bufp)
	}
	s.bufp, s.buf = nil, nil
	return nil
}
