package cenc

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/media"
)

// Slice header sizes for cbcs, parsed here rather than with mp4ff's
// slice parsers: those trust the counts they read (a crafted slice makes
// them loop for hours or allocate gigabytes), and a request must fail,
// not hang, on a hostile sample. Every count is checked against the limit
// the standard sets before it drives a loop. The parameter sets come from
// the sample entry, parsed by mp4ff.

// Slice types of H.264 (slice_type % 5).
const (
	avcP  = 0
	avcB  = 1
	avcI  = 2
	avcSP = 3
	avcSI = 4
)

// avcSliceHeaderSize returns the size in bytes of the slice header of an
// H.264 slice NAL unit (ISO/IEC 14496-10 §7.3.3), NAL header included:
// the offset of the first byte of slice data.
func (ps *paramSets) avcSliceHeaderSize(nal []byte) (int, error) {
	r := rbspReader{b: nal}
	h := r.u(8)
	idr := h&0x1f == 5
	refIDC := h >> 5 & 3
	r.ue() // first_mb_in_slice
	sliceType := r.ue()
	ppsID := r.ue()
	if r.err || sliceType > 9 {
		return 0, errorf("H.264 slice type %d", sliceType)
	}
	pps, ok := ps.avcPPS[ppsID]
	if !ok {
		return 0, errorf("H.264 slice refers to unknown PPS %d", ppsID)
	}
	sps, ok := ps.avcSPS[pps.SeqParameterSetID]
	if !ok {
		return 0, errorf("H.264 PPS refers to unknown SPS %d", pps.SeqParameterSetID)
	}
	if sps.SeparateColourPlaneFlag {
		r.u(2)
	}
	r.u(int(sps.Log2MaxFrameNumMinus4) + 4) // frame_num
	field := false
	if !sps.FrameMbsOnlyFlag {
		if field = r.flag(); field {
			r.flag() // bottom_field_flag
		}
	}
	if idr {
		r.ue() // idr_pic_id
	}
	bottomPOC := pps.BottomFieldPicOrderInFramePresentFlag && !field
	switch {
	case sps.PicOrderCntType == 0:
		r.u(int(sps.Log2MaxPicOrderCntLsbMinus4) + 4)
		if bottomPOC {
			r.se()
		}
	case sps.PicOrderCntType == 1 && !sps.DeltaPicOrderAlwaysZeroFlag:
		r.se()
		if bottomPOC {
			r.se()
		}
	}
	if pps.RedundantPicCntPresentFlag {
		r.ue()
	}
	st := sliceType % 5
	if st == avcB {
		r.flag() // direct_spatial_mv_pred_flag
	}
	l0, l1 := uint32(pps.NumRefIdxI0DefaultActiveMinus1), uint32(pps.NumRefIdxI1DefaultActiveMinus1)
	if st == avcP || st == avcSP || st == avcB {
		if r.flag() { // num_ref_idx_active_override_flag
			l0 = r.ue()
			if st == avcB {
				l1 = r.ue()
			}
		}
	}
	if l0 > 31 || l1 > 31 {
		return 0, errorf("H.264 slice with %d/%d reference indices", l0+1, l1+1)
	}
	if st != avcI && st != avcSI {
		if err := avcRefPicListModification(&r); err != nil {
			return 0, err
		}
	}
	if st == avcB {
		if err := avcRefPicListModification(&r); err != nil {
			return 0, err
		}
	}
	if (pps.WeightedPredFlag && (st == avcP || st == avcSP)) || (pps.WeightedBipredIDC == 1 && st == avcB) {
		chroma := sps.ChromaArrayType() != 0
		r.ue() // luma_log2_weight_denom
		if chroma {
			r.ue()
		}
		lists := []uint32{l0}
		if st == avcB {
			lists = append(lists, l1)
		}
		for _, n := range lists {
			for i := uint32(0); i <= n && !r.err; i++ {
				if r.flag() { // luma weight and offset
					r.se()
					r.se()
				}
				if chroma && r.flag() { // two chroma weights and offsets
					r.se()
					r.se()
					r.se()
					r.se()
				}
			}
		}
	}
	if refIDC != 0 {
		if idr {
			r.flag() // no_output_of_prior_pics_flag
			r.flag() // long_term_reference_flag
		} else if r.flag() { // adaptive_ref_pic_marking_mode_flag
			if err := avcMMCO(&r); err != nil {
				return 0, err
			}
		}
	}
	if pps.EntropyCodingModeFlag && st != avcI && st != avcSI {
		r.ue() // cabac_init_idc
	}
	r.se() // slice_qp_delta
	if st == avcSP || st == avcSI {
		if st == avcSP {
			r.flag()
		}
		r.se()
	}
	if pps.DeblockingFilterControlPresentFlag {
		if r.ue() != 1 {
			r.se()
			r.se()
		}
	}
	if pps.NumSliceGroupsMinus1 > 0 && pps.SliceGroupMapType >= 3 && pps.SliceGroupMapType <= 5 {
		// Ceil(Log2(PicSizeInMapUnits ÷ SliceGroupChangeRate + 1)), exact
		// division: the fewest bits n with 2^n·rate ≥ size + rate.
		size, rate := uint64(pps.PicSizeInMapUnitsMinus1)+1, uint64(pps.SliceGroupChangeRateMinus1)+1
		n := 0
		for n < 32 && uint64(1)<<n*rate < size+rate {
			n++
		}
		r.u(n)
	}
	if r.err {
		return 0, errorf("H.264 slice header runs past its NAL unit")
	}
	return r.pos, nil
}

// avcRefPicListModification reads one list's ref_pic_list_modification:
// at most 33 operations (one per reference index, then the end mark).
func avcRefPicListModification(r *rbspReader) error {
	if !r.flag() {
		return nil
	}
	for range 34 {
		switch op := r.ue(); {
		case r.err:
			return errorf("H.264 reference list modification runs past its NAL unit")
		case op == 3:
			return nil
		case op <= 5:
			r.ue()
		default:
			return errorf("H.264 modification_of_pic_nums_idc %d", op)
		}
	}
	return errorf("H.264 reference list modification without end")
}

// avcMMCO reads dec_ref_pic_marking's operations: each of 1-6 may occur a
// bounded number of times (at most 66 in all for 32 references).
func avcMMCO(r *rbspReader) error {
	for range 100 {
		op := r.ue()
		switch {
		case r.err:
			return errorf("H.264 memory management runs past its NAL unit")
		case op == 0:
			return nil
		case op > 6:
			return errorf("H.264 memory_management_control_operation %d", op)
		}
		if op == 1 || op == 3 {
			r.ue() // difference_of_pic_nums_minus1
		}
		if op == 2 {
			r.ue() // long_term_pic_num
		}
		if op == 3 || op == 6 {
			r.ue() // long_term_frame_idx
		}
		if op == 4 {
			r.ue() // max_long_term_frame_idx_plus1
		}
	}
	return errorf("H.264 memory management without end")
}

// errorf is a slice header error, wrapping media.ErrMalformed.
func errorf(format string, a ...any) error {
	return fmt.Errorf("%w: slice header: %s", media.ErrMalformed, fmt.Sprintf(format, a...))
}
