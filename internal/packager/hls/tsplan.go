package hls

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/lockstream/lockstream/internal/media"
)

// Audio PES grouping: several AAC frames share one PES (and its header and
// stuffing) while the group lasts at most maxAudioPES and its payload fits
// the 16-bit PES length. PCRs ride on every PES of the PCR PID, so the
// bound also keeps PCRs of audio-only segments within 100 ms.
const (
	maxAudioPES      = 100 * time.Millisecond
	maxAudioPESBytes = 60000
)

// tsUnit is one PES of a segment: a video access unit or a group of audio
// frames, samples [first, end) of its stream's segment.
type tsUnit struct {
	audio       bool
	first, end  int
	pts, dts    uint64 // 90 kHz with tsOffset, not yet wrapped to 33 bits
	withDTS     bool
	size        int // PES bytes, header included
	packets     int
	pcr         bool
	rai         bool
	off         int // byte offset in the segment
	payloadSize int // PES payload (access unit or ADTS frames)
}

// tsLayout is the packet layout of one segment: PAT, PMT, then the PES
// units in decode order. It depends on sample metadata only, so playlists
// can compute byte ranges without reading media.
type tsLayout struct {
	units []tsUnit
	size  int
}

// tsStreams is what a segment multiplexes: the samples of a video segment,
// of an audio segment, or both.
type tsStreams struct {
	video *media.Track
	vs    []media.Sample
	audio *media.Track
	as    []media.Sample
	// auSize returns the Annex B size of video sample i.
	auSize func(i int) (int, error)
	// audioHeader is the per-frame header size (7 for ADTS, 0 otherwise).
	audioHeader int
}

// to90k converts a signed time of t (track timescale) to 90 kHz, offset by
// tsOffset seconds.
func to90k(t *media.Track, v int64) uint64 {
	v += tsOffset * int64(t.Timescale)
	if v < 0 {
		v = 0
	}
	u, ts := uint64(v), uint64(t.Timescale)
	return u/ts*90000 + u%ts*90000/ts
}

// videoTimes returns the TS DTS and PTS of a video sample: the decode time
// moved back by the edit shift that media folded into the composition
// offsets (so that PTS ≥ DTS, as MPEG-TS requires), and the presentation
// time the fMP4 outputs use, so that TS and CMAF renditions align.
func videoTimes(t *media.Track, s media.Sample) (pts, dts uint64) {
	pts = to90k(t, int64(s.DTS)+int64(s.CTO))
	dts = to90k(t, int64(s.DTS)-int64(t.EditShift))
	return pts, min(dts, pts)
}

// plan lays out one segment.
func plan(in tsStreams) (*tsLayout, error) {
	l := &tsLayout{}
	var vu, au []tsUnit
	if in.video != nil {
		vu = make([]tsUnit, 0, len(in.vs))
		for i, s := range in.vs {
			n, err := in.auSize(i)
			if err != nil {
				return nil, err
			}
			pts, dts := videoTimes(in.video, s)
			u := tsUnit{first: i, end: i + 1, pts: pts, dts: dts, withDTS: pts != dts, pcr: true, rai: s.Sync, payloadSize: n}
			u.size = pesHeaderLen(u.withDTS) + n
			vu = append(vu, u)
		}
	}
	if in.audio != nil {
		t := in.audio
		maxDur := uint64(maxAudioPES) * uint64(t.Timescale) / uint64(time.Second)
		for i := 0; i < len(in.as); {
			s := in.as[i]
			payload := in.audioHeader + int(s.Size)
			j := i + 1
			for ; j < len(in.as); j++ {
				n := in.audioHeader + int(in.as[j].Size)
				if in.as[j].DTS+uint64(in.as[j].Dur)-s.DTS > maxDur || payload+n > maxAudioPESBytes {
					break
				}
				payload += n
			}
			pts := to90k(t, int64(s.DTS)+int64(s.CTO))
			u := tsUnit{audio: true, first: i, end: j, pts: pts, dts: pts, pcr: in.video == nil, payloadSize: payload}
			u.size = pesHeaderLen(false) + payload
			au = append(au, u)
			i = j
		}
	}
	// Interleave by decode time, video first on ties.
	l.units = make([]tsUnit, 0, len(vu)+len(au))
	for i, j := 0, 0; i < len(vu) || j < len(au); {
		if j == len(au) || (i < len(vu) && vu[i].dts <= au[j].dts) {
			l.units = append(l.units, vu[i])
			i++
		} else {
			l.units = append(l.units, au[j])
			j++
		}
	}
	// Each stream's packets sum to a multiple of 16, so that every segment
	// starts with continuity counter 0 and consecutive segments continue
	// each other: the last PES of each stream is spread over extra
	// packets (each still carrying payload).
	count := [2]int{}
	last := [2]int{-1, -1}
	for i := range l.units {
		u := &l.units[i]
		u.packets = packetsFor(u.size, u.pcr)
		s := 0
		if u.audio {
			s = 1
		}
		count[s] += u.packets
		last[s] = i
	}
	for s := range 2 {
		if last[s] < 0 {
			continue
		}
		if r := count[s] % 16; r != 0 {
			u := &l.units[last[s]]
			if extra := 16 - r; u.size >= u.packets+extra {
				u.packets += extra
			}
		}
	}
	off := 2 * packetSize // PAT, PMT
	for i := range l.units {
		l.units[i].off = off
		off += l.units[i].packets * packetSize
	}
	l.size = off
	return l, nil
}

// aud and parameter-set overhead of H.264 / HEVC access units.
var (
	audH264 = []byte{0, 0, 0, 1, 0x09, 0xf0}
	audHEVC = []byte{0, 0, 0, 1, 0x46, 0x01, 0x50}
)

// videoCodec is what the TS muxer needs to know of a video track.
type videoCodec struct {
	hevc   bool
	aud    []byte
	params []byte // start-code prefixed parameter sets, inserted before sync samples
	lenSz  int
}

func newVideoCodec(t *media.Track) (*videoCodec, error) {
	c := &videoCodec{lenSz: t.NALULengthSize}
	switch t.FourCC {
	case "avc1", "avc3":
		c.aud = audH264
	case "hvc1", "hev1":
		c.hevc, c.aud = true, audHEVC
	default:
		return nil, fmt.Errorf("%w: %s video in MPEG-TS", media.ErrUnsupported, t.FourCC)
	}
	if c.lenSz != 1 && c.lenSz != 2 && c.lenSz != 4 {
		return nil, fmt.Errorf("%w: NAL unit length size %d", media.ErrUnsupported, c.lenSz)
	}
	for _, ps := range t.ParamSets {
		c.params = append(c.params, 0, 0, 0, 1)
		c.params = append(c.params, ps...)
	}
	return c, nil
}

// predictedSize is the Annex B size of sample s when NAL unit lengths are
// 4 bytes (start codes replace them one for one): AUD + parameter sets
// before sync samples + the sample. In-band AUDs that conversion drops are
// made up by trailing zero bytes (Annex B trailing_zero_8bits), so the
// size, and with it the whole packet layout, follows from the sample table.
func (c *videoCodec) predictedSize(s media.Sample) int {
	n := len(c.aud) + int(s.Size)
	if s.Sync {
		n += len(c.params)
	}
	return n
}

// metadataSizes returns an auSize function for plan that needs no media
// bytes; it fails for length sizes other than 4, whose Annex B size
// depends on the NAL unit count.
func (c *videoCodec) metadataSizes(vs []media.Sample) func(int) (int, error) {
	return func(i int) (int, error) {
		if c.lenSz != 4 {
			return 0, fmt.Errorf("%w: byte ranges need 4-byte NAL unit lengths (have %d)", media.ErrUnsupported, c.lenSz)
		}
		return c.predictedSize(vs[i]), nil
	}
}

// isAUD reports whether nal is an access unit delimiter.
func (c *videoCodec) isAUD(nal []byte) bool {
	if c.hevc {
		return (nal[0]>>1)&0x3f == 35
	}
	return nal[0]&0x1f == 9
}

// annexBSize is the converted size of sample data (any length size): what
// writeAnnexB produces before padding.
func (c *videoCodec) annexBSize(data []byte, sync bool) (int, error) {
	n := len(c.aud)
	if sync {
		n += len(c.params)
	}
	err := c.walk(data, func(nal []byte) { n += 4 + len(nal) })
	return n, err
}

// walk calls f for every NAL unit of a length-prefixed sample except AUDs.
func (c *videoCodec) walk(data []byte, f func(nal []byte)) error {
	for pos := 0; pos < len(data); {
		if pos+c.lenSz > len(data) {
			return fmt.Errorf("%w: NAL unit length field runs past the sample", media.ErrMalformed)
		}
		var n int
		for _, b := range data[pos : pos+c.lenSz] {
			n = n<<8 | int(b)
		}
		pos += c.lenSz
		if n > len(data)-pos {
			return fmt.Errorf("%w: NAL unit of %d bytes in a sample with %d left", media.ErrMalformed, n, len(data)-pos)
		}
		if n > 0 && !c.isAUD(data[pos:pos+n]) {
			f(data[pos : pos+n])
		}
		pos += n
	}
	return nil
}

// writeAU writes the access unit of one sample, n bytes as planned: AUD,
// parameter sets before sync samples, the NAL units with start codes,
// then zero padding.
func (c *videoCodec) writeAU(w *pesWriter, data []byte, sync bool, n int) error {
	start := w.left + w.room // PES bytes still to write
	w.write(c.aud)
	if sync {
		w.write(c.params)
	}
	var err error
	sc := [4]byte{0, 0, 0, 1}
	werr := c.walk(data, func(nal []byte) {
		if err != nil {
			return
		}
		if start-(w.left+w.room)+4+len(nal) > n {
			err = fmt.Errorf("%w: access unit exceeds its planned size", media.ErrMalformed)
			return
		}
		w.write(sc[:])
		w.write(nal)
	})
	if werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	w.zero(n - (start - (w.left + w.room)))
	return nil
}

// keyframeRanges returns, for each sync video sample of a segment, its
// index in vs and the byte range of its PES packets.
func (l *tsLayout) keyframeRanges() (idx []int, off, n []int) {
	for _, u := range l.units {
		if !u.audio && u.rai {
			idx = append(idx, u.first)
			off = append(off, u.off)
			n = append(n, u.packets*packetSize)
		}
	}
	return idx, off, n
}

// closestSegment returns the index of t's segment whose start is closest
// to at (HNS on the media timeline shared by the file's tracks).
func closestSegment(t *media.Track, at uint64) int {
	k, _ := slices.BinarySearchFunc(t.Segments, at, func(s media.Segment, v uint64) int {
		return cmp.Compare(t.ToHNS(s.Start), v)
	})
	if k == len(t.Segments) {
		return k - 1
	}
	if k > 0 && at-t.ToHNS(t.Segments[k-1].Start) < t.ToHNS(t.Segments[k].Start)-at {
		return k - 1
	}
	return k
}
