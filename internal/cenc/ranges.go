package cenc

import (
	"fmt"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/hevc"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/media"
)

// cencMinClear is the fewest bytes of a protected NAL unit, length prefix
// included, that cenc leaves in the clear: enough for the NAL and slice
// headers of real streams, and the value mp4ff and Bento4 use, so that
// outputs can be compared with theirs byte for byte.
const cencMinClear = 96

// isSlice reports whether a NAL unit with header byte h carries slice
// data, the only NAL units Common Encryption protects: H.264 types 1
// (non-IDR) and 5 (IDR); H.265 VCL types 0-9 and 16-21 (the reserved VCL
// types are left clear).
func (p *Protection) isSlice(h byte) bool {
	switch p.media {
	case h264:
		t := h & 0x1f
		return t == 1 || t == 5
	case h265:
		t := h >> 1 & 0x3f
		return t <= 9 || (t >= 16 && t <= 21)
	}
	return false
}

// subsamples appends the subsample layout of one video sample to dst: a
// clear run, then the protected bytes of each slice NAL unit (cenc: the
// whole blocks at its end; cbcs: everything after the slice header).
// Every video sample gets at least one entry, so senc and saiz stay
// consistent.
func (p *Protection) subsamples(dst []mp4.SubSamplePattern, sample []byte) ([]mp4.SubSamplePattern, error) {
	start := len(dst)
	clearFrom := 0 // start of the clear run not yet emitted
	for pos := 0; pos < len(sample); {
		if len(sample)-pos < p.lenSz {
			return dst, fmt.Errorf("%w: NAL unit length field runs past the sample", media.ErrMalformed)
		}
		n := 0
		for _, b := range sample[pos : pos+p.lenSz] {
			n = n<<8 | int(b)
		}
		pos += p.lenSz
		if n > len(sample)-pos {
			return dst, fmt.Errorf("%w: NAL unit of %d bytes with %d left in the sample", media.ErrMalformed, n, len(sample)-pos)
		}
		nal := sample[pos : pos+n]
		pos += n
		if n == 0 || !p.isSlice(nal[0]) {
			continue
		}
		prot := 0
		switch p.scheme {
		case CENC:
			if n+p.lenSz >= cencMinClear+16 {
				prot = (n + p.lenSz - cencMinClear) &^ 15
			}
		case CBCS:
			hdr, err := p.ps.sliceHeaderSize(nal, p.media)
			if err != nil {
				return dst, err
			}
			prot = n - hdr
		}
		if prot <= 0 {
			continue
		}
		dst = mp4.AppendProtectRange(dst, uint32(pos-prot-clearFrom), uint32(prot))
		clearFrom = pos
	}
	if clearFrom < len(sample) || len(dst) == start {
		dst = mp4.AppendProtectRange(dst, uint32(len(sample)-clearFrom), 0)
	}
	return dst, nil
}

// paramSets are a video track's parameter sets, parsed for the slice
// header sizes cbcs needs.
type paramSets struct {
	avcSPS  map[uint32]*avc.SPS
	avcPPS  map[uint32]*avc.PPS
	hevcSPS map[uint32]*hevc.SPS
	hevcPPS map[uint32]*hevc.PPS
}

func avcParamSets(c *mp4.AvcCBox) (*paramSets, error) {
	ps := &paramSets{avcSPS: map[uint32]*avc.SPS{}, avcPPS: map[uint32]*avc.PPS{}}
	for _, b := range c.SPSnalus {
		sps, err := avc.ParseSPSNALUnit(b, false)
		if err != nil {
			return nil, fmt.Errorf("%w: SPS: %v", media.ErrMalformed, err)
		}
		ps.avcSPS[sps.ParameterID] = sps
	}
	for _, b := range c.PPSnalus {
		pps, err := avc.ParsePPSNALUnit(b, ps.avcSPS)
		if err != nil {
			return nil, fmt.Errorf("%w: PPS: %v", media.ErrMalformed, err)
		}
		ps.avcPPS[pps.PicParameterSetID] = pps
	}
	if len(ps.avcPPS) == 0 {
		return nil, fmt.Errorf("%w: cbcs needs the PPS in avcC", media.ErrUnsupported)
	}
	return ps, nil
}

func hevcParamSets(c *mp4.HvcCBox) (*paramSets, error) {
	ps := &paramSets{hevcSPS: map[uint32]*hevc.SPS{}, hevcPPS: map[uint32]*hevc.PPS{}}
	for _, b := range c.GetNalusForType(hevc.NALU_SPS) {
		sps, err := hevc.ParseSPSNALUnit(b)
		if err != nil {
			return nil, fmt.Errorf("%w: SPS: %v", media.ErrMalformed, err)
		}
		ps.hevcSPS[uint32(sps.SpsID)] = sps
	}
	for _, b := range c.GetNalusForType(hevc.NALU_PPS) {
		pps, err := hevc.ParsePPSNALUnit(b, ps.hevcSPS)
		if err != nil {
			return nil, fmt.Errorf("%w: PPS: %v", media.ErrMalformed, err)
		}
		ps.hevcPPS[pps.PicParameterSetID] = pps
	}
	if len(ps.hevcPPS) == 0 {
		return nil, fmt.Errorf("%w: cbcs needs the PPS in hvcC", media.ErrUnsupported)
	}
	return ps, nil
}

// sliceHeaderSize returns the bytes of nal (emulation prevention bytes
// included) before its first byte of slice data. Parameter sets sent in
// band rather than in the sample entry are not tracked: a slice referring
// to one fails.
func (ps *paramSets) sliceHeaderSize(nal []byte, m mediaKind) (int, error) {
	var n int
	var err error
	if m == h264 {
		n, err = ps.avcSliceHeaderSize(nal)
	} else {
		n, err = ps.hevcSliceHeaderSize(nal)
	}
	if err != nil {
		return 0, err
	}
	if n > len(nal) {
		return 0, errorf("slice header of %d bytes in a NAL unit of %d", n, len(nal))
	}
	return n, nil
}
