package hls

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// TSSegment returns MPEG-TS segment k.
//
// With video set, k indexes video's segments and audio, when not nil, is
// muxed in (HLS v3, audiotrack=): its segment is the one whose start is
// closest in time to the video segment's. With video nil, k indexes
// audio's segments and the segment is audio only (an m3u8-aapl audio
// rendition). The same arguments always yield the same bytes.
func TSSegment(ctx context.Context, src media.Source, v *packager.View, video *media.Track, k int, audio *media.Track) ([]byte, error) {
	return AppendTSSegment(ctx, nil, src, v, video, k, audio)
}

// AppendTSSegment is TSSegment appending to dst, for callers that recycle
// response buffers: every byte of the segment is written, so dst's spare
// capacity need not be zeroed.
func AppendTSSegment(ctx context.Context, dst []byte, src media.Source, v *packager.View, video *media.Track, k int, audio *media.Track) ([]byte, error) {
	return AppendTSSegmentWith(ctx, dst, src, v, video, k, audio, TSOptions{})
}

// TSSegmentWith is TSSegment with options (encryption).
func TSSegmentWith(ctx context.Context, src media.Source, v *packager.View, video *media.Track, k int, audio *media.Track, o TSOptions) ([]byte, error) {
	return AppendTSSegmentWith(ctx, nil, src, v, video, k, audio, o)
}

// AppendTSSegmentWith is AppendTSSegment with options. AES-128 encrypts
// the finished segment in place, so the output is allocated (or must have
// spare capacity, for no copy) for cenc.SealedSize of the clear segment;
// SAMPLE-AES encrypts the samples as they are muxed. The same arguments
// always yield the same bytes.
func AppendTSSegmentWith(ctx context.Context, dst []byte, src media.Source, v *packager.View, video *media.Track, k int, audio *media.Track, o TSOptions) ([]byte, error) {
	r, err := newTSRequest(v, video, k, audio, o)
	if err != nil {
		return dst, err
	}
	m := r.m
	var vd, ad *media.SegmentData
	if video != nil {
		d, release, err := readSegment(ctx, src, video, k)
		if err != nil {
			return dst, err
		}
		defer release()
		vd = d
		if m.sampleAES {
			e, release, err := sampleAESVideo(d, m.vc.lenSz, m.cipher, m.iv)
			if err != nil {
				return dst, fmt.Errorf("track %s segment %d: %w", video.Name, k, err)
			}
			defer release()
			vd, m.vc.lenSz = e, 4
		}
	}
	if audio != nil {
		d, release, err := readSegment(ctx, src, audio, r.ak)
		if err != nil {
			return dst, err
		}
		defer release()
		ad = d
	}
	if r.enc.Method != TSAES128 {
		return m.mux(dst, k, vd, ad, 0)
	}
	base := len(dst)
	if dst, err = m.mux(dst, k, vd, ad, cenc.SealOverhead); err != nil {
		return dst, err
	}
	return r.enc.Cipher.SealSegment(dst, base, r.iv)
}

// tsRequest is a checked request for TS segment k: its muxer, and the
// audio segment (ak) muxed in.
type tsRequest struct {
	m     *tsMux
	video *media.Track
	audio *media.Track
	k, ak int
	enc   TSEncryption
	iv    [16]byte
}

func newTSRequest(v *packager.View, video *media.Track, k int, audio *media.Track, o TSOptions) (*tsRequest, error) {
	lead := video
	if lead == nil {
		lead = audio
	}
	if lead == nil {
		return nil, fmt.Errorf("%w: no track", ErrNotFound)
	}
	if !v.Contains(lead, k) {
		return nil, fmt.Errorf("%w: segment %d of track %s", ErrNotFound, k, lead.Name)
	}
	if k < 0 || k >= len(lead.Segments) {
		return nil, fmt.Errorf("%w: segment %d of %d", ErrNotFound, k, len(lead.Segments))
	}
	if audio != nil && !v.Has(audio) {
		return nil, fmt.Errorf("%w: audio track %s", ErrNotFound, audio.Name)
	}
	if audio != nil && len(audio.Segments) == 0 {
		return nil, fmt.Errorf("%w: audio track %s has no segments", ErrNotFound, audio.Name)
	}
	m, err := newTSMux(video, audio)
	if err != nil {
		return nil, err
	}
	r := &tsRequest{m: m, video: video, audio: audio, k: k, ak: k, enc: o.Encryption}
	if err := r.enc.check(m); err != nil {
		return nil, err
	}
	r.iv = r.enc.iv(k)
	if r.enc.Method == TSSampleAES {
		m.sampleAES, m.cipher, m.iv = true, r.enc.Cipher, &r.iv
	}
	if audio != nil && video != nil {
		r.ak = closestSegment(audio, video.ToHNS(video.Segments[k].Start))
	}
	return r, nil
}

// tsMux multiplexes one video and/or one audio track.
type tsMux struct {
	video *media.Track
	vc    *videoCodec
	audio *media.Track
	ac    *audioCodec
	// SAMPLE-AES: video samples arrive encrypted (sampleAESVideo), audio
	// frames are encrypted as they are written.
	sampleAES bool
	cipher    *cenc.Cipher
	iv        *[16]byte
}

func newTSMux(video, audio *media.Track) (*tsMux, error) {
	m := &tsMux{video: video, audio: audio}
	var err error
	if video != nil {
		if video.Kind != media.Video {
			return nil, fmt.Errorf("%w: track %s is not video", ErrNotFound, video.Name)
		}
		if m.vc, err = newVideoCodec(video); err != nil {
			return nil, err
		}
	}
	if audio != nil {
		if audio.Kind != media.Audio {
			return nil, fmt.Errorf("%w: track %s is not audio", ErrNotFound, audio.Name)
		}
		if m.ac, err = newAudioCodec(audio); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// streams describes a segment's samples for plan; vd supplies the data
// for Annex B sizes that metadata cannot predict (vd nil: metadata only).
func (m *tsMux) streams(vs, as []media.Sample, vd *media.SegmentData) tsStreams {
	in := tsStreams{video: m.video, vs: vs}
	if m.video != nil {
		in.auSize = m.vc.metadataSizes(vs)
		// SAMPLE-AES sizes come from the data too: a SAMPLE-AES reader
		// takes trailing zero bytes for part of the last NAL unit, which
		// would move its clear trailer, so the access units are not
		// padded to a predicted size.
		if vd != nil && (m.vc.lenSz != 4 || m.sampleAES) {
			in.auSize = func(i int) (int, error) { return m.vc.annexBSize(vd.SampleBytes(i), vs[i].Sync) }
		}
	}
	if m.audio != nil {
		in.audio, in.as = m.audio, as
		if m.ac.adts != nil {
			in.audioHeader = 7
		}
	}
	return in
}

func (m *tsMux) pmt() ([]byte, error) {
	var es []esInfo
	pcr := uint16(pidAudio)
	if m.video != nil {
		st := byte(stH264)
		if m.vc.hevc {
			st = stHEVC
		}
		es = append(es, esInfo{pid: pidVideo, streamType: st, streamID: sidVideo})
		pcr = pidVideo
	}
	if m.audio != nil {
		es = append(es, m.ac.es)
	}
	if m.sampleAES {
		var err error
		if es, err = m.sampleAESStreams(es); err != nil {
			return nil, err
		}
	}
	s := pmtSection(pcr, es)
	// Apple's SAMPLE-AES readers want the PMT in one packet; so does
	// putPSI: pointer field, section, CRC.
	if 1+len(s)+4 > payloadSize {
		return nil, fmt.Errorf("%w: PMT of %d bytes does not fit a TS packet", media.ErrUnsupported, len(s)+4)
	}
	return s, nil
}

// mux writes the segment: PAT and PMT (continuity counter k mod 16, one
// of each per segment), then the planned PES units. A new output buffer
// gets spare bytes of extra capacity.
func (m *tsMux) mux(dst []byte, k int, vd, ad *media.SegmentData, spare int) ([]byte, error) {
	var vs, as []media.Sample
	if vd != nil {
		vs = vd.Samples
	}
	if ad != nil {
		as = ad.Samples
	}
	l, err := plan(m.streams(vs, as, vd))
	if err != nil {
		return dst, err
	}
	pmt, err := m.pmt()
	if err != nil {
		return dst, err
	}
	base := len(dst)
	if cap(dst)-base < l.size {
		grown := make([]byte, base, base+l.size+spare)
		copy(grown, dst)
		dst = grown
	}
	dst = dst[:base+l.size]
	out := dst[base:]
	putPSI(out[0:packetSize], pidPAT, byte(k), patSection())
	putPSI(out[packetSize:2*packetSize], pidPMT, byte(k), pmt)
	var st unitState
	var vsd, asd sampleData
	first := 0
	if vd != nil {
		vsd, first = segmentSamples{vd}, vd.Seg.First
	}
	if ad != nil {
		asd = segmentSamples{ad}
	}
	for i := range l.units {
		u := &l.units[i]
		if err := m.writeUnit(out[u.off:u.off+u.packets*packetSize], u, vs, first, vsd, asd, &st); err != nil {
			return dst[:base], err
		}
	}
	return dst, nil
}

// unitState carries what one PES unit leaves for the next: the
// continuity counters and the SAMPLE-AES audio scratch.
type unitState struct {
	ccV, ccA byte
	frame    []byte
}

// writeUnit writes the planned PES unit u into pkts (its packets): the
// PES header, then its samples from vd (video: vs are the segment's
// samples, first the index of vs[0] in the track) or ad.
func (m *tsMux) writeUnit(pkts []byte, u *tsUnit, vs []media.Sample, first int, vd, ad sampleData, st *unitState) error {
	var w pesWriter
	var hdr [19]byte
	if u.audio {
		pcr := int64(-1)
		if u.pcr {
			pcr = int64(u.dts) - pcrLead
		}
		w.reset(pkts, u.packets, u.size, pidAudio, st.ccA, pcr, false)
		w.write(hdr[:putPESHeader(hdr[:], m.ac.es.streamID, u.size, u.pts, u.dts, false)])
		var adts [7]byte
		for i := u.first; i < u.end; i++ {
			b, err := ad.bytes(i)
			if err != nil {
				return err
			}
			if m.ac.adts != nil {
				if len(b)+7 > 0x1fff {
					return fmt.Errorf("%w: AAC frame of %d bytes", media.ErrMalformed, len(b))
				}
				putADTS(adts[:], m.ac.adts, len(b))
				w.write(adts[:])
			}
			if m.sampleAES {
				// The frame is encrypted in a copy: sample bytes are
				// never modified (they may be shared; MuxTS benchmarks
				// reuse them).
				st.frame = append(st.frame[:0], b...)
				m.cipher.SampleAESFrame(st.frame, m.iv)
				b = st.frame
			}
			w.write(b)
		}
		if !w.done() {
			return fmt.Errorf("hls: audio PES at %d does not match its plan", u.off)
		}
		st.ccA = w.cc
		return nil
	}
	w.reset(pkts, u.packets, u.size, pidVideo, st.ccV, int64(u.dts)-pcrLead, u.rai)
	w.write(hdr[:putPESHeader(hdr[:], sidVideo, u.size, u.pts, u.dts, u.withDTS)])
	b, err := vd.bytes(u.first)
	if err != nil {
		return err
	}
	if err := m.vc.writeAU(&w, b, vs[u.first].Sync, u.payloadSize); err != nil {
		return fmt.Errorf("track %s sample %d: %w", m.video.Name, first+u.first, err)
	}
	if !w.done() {
		return fmt.Errorf("hls: video PES at %d does not match its plan", u.off)
	}
	st.ccV = w.cc
	return nil
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
