package cenc

import (
	"fmt"

	"github.com/Eyevinn/mp4ff/hevc"

	"github.com/lockstream/lockstream/internal/media"
)

// Slice types of H.265.
const (
	hevcB = 0
	hevcP = 1
	hevcI = 2
)

// hevcSliceHeaderSize returns the size in bytes of the slice segment
// header of an H.265 VCL NAL unit (ITU-T H.265 §7.3.6.1), NAL header and
// byte_alignment() included: the offset of the first byte of slice data.
func (ps *paramSets) hevcSliceHeaderSize(nal []byte) (int, error) {
	r := rbspReader{b: nal}
	r.u(16) // NAL unit header
	typ := nal[0] >> 1 & 0x3f
	first := r.flag()
	if typ >= 16 && typ <= 23 { // IRAP
		r.flag() // no_output_of_prior_pics_flag
	}
	ppsID := r.ue()
	if r.err {
		return 0, errorf("H.265 slice header runs past its NAL unit")
	}
	pps, ok := ps.hevcPPS[ppsID]
	if !ok {
		return 0, errorf("H.265 slice refers to unknown PPS %d", ppsID)
	}
	sps, ok := ps.hevcSPS[pps.SeqParameterSetID]
	if !ok {
		return 0, errorf("H.265 PPS refers to unknown SPS %d", pps.SeqParameterSetID)
	}
	ctbLog2 := uint32(sps.Log2MinLumaCodingBlockSizeMinus3) + 3 + uint32(sps.Log2DiffMaxMinLumaCodingBlockSize)
	if ctbLog2 > 6 {
		return 0, errorf("H.265 CTB size 2^%d", ctbLog2)
	}
	ctb := uint32(1) << ctbLog2
	picSizeInCtbs := ((sps.PicWidthInLumaSamples + ctb - 1) / ctb) * ((sps.PicHeightInLumaSamples + ctb - 1) / ctb)
	dependent := false
	if !first {
		if pps.DependentSliceSegmentsEnabledFlag {
			dependent = r.flag()
		}
		r.u(ceilLog2(picSizeInCtbs)) // slice_segment_address
	}
	if !dependent {
		if err := ps.hevcIndependentHeader(&r, typ, sps, pps); err != nil {
			return 0, err
		}
	}
	if pps.TilesEnabledFlag || pps.EntropyCodingSyncEnabledFlag {
		// At most one entry point per CTB.
		if n := r.ue(); n > 0 {
			if n > picSizeInCtbs {
				return 0, errorf("H.265 slice with %d entry points", n)
			}
			bits := r.ue() + 1
			if bits > 32 {
				return 0, errorf("H.265 entry point offsets of %d bits", bits)
			}
			for range n {
				if r.u(int(bits)); r.err {
					break
				}
			}
		}
	}
	if pps.SliceSegmentHeaderExtensionPresentFlag {
		n := r.ue()
		if n > 256 {
			return 0, errorf("H.265 slice header extension of %d bytes", n)
		}
		for range n {
			r.u(8)
		}
	}
	// byte_alignment(): a one bit, then zero bits to the byte boundary.
	if !r.flag() {
		return 0, errorf("H.265 slice header alignment")
	}
	for r.left > 0 {
		if r.flag() {
			return 0, errorf("H.265 slice header alignment")
		}
	}
	if r.err {
		return 0, errorf("H.265 slice header runs past its NAL unit")
	}
	return r.pos, nil
}

// hevcIndependentHeader reads the part of a slice segment header that
// dependent slice segments inherit.
func (ps *paramSets) hevcIndependentHeader(r *rbspReader, typ byte, sps *hevc.SPS, pps *hevc.PPS) error {
	chroma := sps.ChromaFormatIDC != 0 && !(sps.SeparateColourPlaneFlag && sps.ChromaFormatIDC == 3)
	r.u(int(pps.NumExtraSliceHeaderBits)) // slice_reserved_flag[]
	sliceType := r.ue()
	if r.err || sliceType > hevcI {
		return errorf("H.265 slice type %d", sliceType)
	}
	if pps.OutputFlagPresentFlag {
		r.flag()
	}
	if sps.SeparateColourPlaneFlag {
		r.u(2)
	}
	numPicTotalCurr := uint32(0)
	temporalMVP := false
	if typ != 19 && typ != 20 { // not IDR
		r.u(int(sps.Log2MaxPicOrderCntLsbMinus4) + 4) // slice_pic_order_cnt_lsb
		if !r.flag() {                                // short_term_ref_pic_set_sps_flag
			n, err := hevcShortTermRPS(r, sps)
			if err != nil {
				return err
			}
			numPicTotalCurr += n
		} else {
			idx := uint32(0)
			if sps.NumShortTermRefPicSets > 1 {
				idx = r.u(ceilLog2(uint32(sps.NumShortTermRefPicSets)))
			}
			if int(idx) >= len(sps.ShortTermRefPicSets) {
				return errorf("H.265 short-term RPS %d of %d", idx, len(sps.ShortTermRefPicSets))
			}
			n, ok := usedPics(sps.ShortTermRefPicSets[idx])
			if !ok && pps.ListsModificationPresentFlag {
				// mp4ff keeps no flags of inter-predicted SPS sets; the
				// count matters only for reference list modification.
				return fmt.Errorf("%w: H.265 reference list modification with an inter-predicted SPS RPS", media.ErrUnsupported)
			}
			numPicTotalCurr += n
		}
		if sps.LongTermRefPicsPresentFlag {
			numSps := uint32(0)
			if sps.NumLongTermRefPics > 0 {
				if numSps = r.ue(); numSps > uint32(sps.NumLongTermRefPics) {
					return errorf("H.265 %d long-term pictures of %d", numSps, sps.NumLongTermRefPics)
				}
			}
			numPics := r.ue()
			if numSps+numPics > 32 {
				return errorf("H.265 %d long-term pictures", numSps+numPics)
			}
			for i := range numSps + numPics {
				used := false
				if i < numSps {
					if sps.NumLongTermRefPics > 1 {
						idx := r.u(ceilLog2(uint32(sps.NumLongTermRefPics)))
						if int(idx) >= len(sps.LongTermRefPicSets) {
							return errorf("H.265 long-term picture %d of %d", idx, len(sps.LongTermRefPicSets))
						}
						used = sps.LongTermRefPicSets[idx].UsedByCurrPicLtFlag
					} else if len(sps.LongTermRefPicSets) > 0 {
						used = sps.LongTermRefPicSets[0].UsedByCurrPicLtFlag
					}
				} else {
					r.u(int(sps.Log2MaxPicOrderCntLsbMinus4) + 4) // poc_lsb_lt
					used = r.flag()
				}
				if used {
					numPicTotalCurr++
				}
				if r.flag() { // delta_poc_msb_present_flag
					r.ue()
				}
				if r.err {
					return errorf("H.265 slice header runs past its NAL unit")
				}
			}
		}
		if sps.SpsTemporalMvpEnabledFlag {
			temporalMVP = r.flag()
		}
	}
	saoLuma, saoChroma := false, false
	if sps.SampleAdaptiveOffsetEnabledFlag {
		saoLuma = r.flag()
		if chroma {
			saoChroma = r.flag()
		}
	}
	if sliceType == hevcP || sliceType == hevcB {
		l0, l1 := uint32(pps.NumRefIdxL0DefaultActiveMinus1), uint32(pps.NumRefIdxL1DefaultActiveMinus1)
		if r.flag() { // num_ref_idx_active_override_flag
			l0 = r.ue()
			if sliceType == hevcB {
				l1 = r.ue()
			}
		}
		if l0 > 14 || l1 > 14 {
			return errorf("H.265 slice with %d/%d reference indices", l0+1, l1+1)
		}
		if pps.ListsModificationPresentFlag {
			if pps.SccExtension != nil && pps.SccExtension.CurrPicRefEnabledFlag {
				numPicTotalCurr++
			}
			if numPicTotalCurr > 1 {
				bits := ceilLog2(numPicTotalCurr)
				if r.flag() { // ref_pic_list_modification_flag_l0
					for range l0 + 1 {
						r.u(bits)
					}
				}
				if sliceType == hevcB && r.flag() {
					for range l1 + 1 {
						r.u(bits)
					}
				}
			}
		}
		if sliceType == hevcB {
			r.flag() // mvd_l1_zero_flag
		}
		if pps.CabacInitPresentFlag {
			r.flag()
		}
		if temporalMVP {
			fromL0 := true
			if sliceType == hevcB {
				fromL0 = r.flag()
			}
			if (fromL0 && l0 > 0) || (!fromL0 && l1 > 0) {
				r.ue() // collocated_ref_idx
			}
		}
		if (pps.WeightedPredFlag && sliceType == hevcP) || (pps.WeightedBipredFlag && sliceType == hevcB) {
			hevcPredWeightTable(r, sliceType == hevcB, l0, l1, chroma)
		}
		r.ue() // five_minus_max_num_merge_cand
		if sps.SccExtension != nil && sps.SccExtension.MotionVectorResolutionControlIdc == 2 {
			r.flag() // use_integer_mv_flag
		}
	}
	r.se() // slice_qp_delta
	if pps.SliceChromaQpOffsetsPresentFlag {
		r.se()
		r.se()
	}
	if pps.SccExtension != nil && pps.SccExtension.SliceActQpOffsetsPresentFlag {
		r.se()
		r.se()
		r.se()
	}
	if pps.RangeExtension != nil && pps.RangeExtension.ChromaQpOffsetListEnabledFlag {
		r.flag() // cu_chroma_qp_offset_enabled_flag
	}
	disabled := pps.DeblockingFilterDisabledFlag
	if pps.DeblockingFilterOverrideEnabledFlag && r.flag() { // deblocking_filter_override_flag
		if disabled = r.flag(); !disabled {
			r.se() // beta
			r.se() // tc
		}
	}
	if pps.LoopFilterAcrossSlicesEnabledFlag && (saoLuma || saoChroma || !disabled) {
		r.flag()
	}
	if r.err {
		return errorf("H.265 slice header runs past its NAL unit")
	}
	return nil
}

// hevcShortTermRPS reads the st_ref_pic_set coded in a slice header
// (index num_short_term_ref_pic_sets) and returns how many of its
// pictures the current picture uses.
func hevcShortTermRPS(r *rbspReader, sps *hevc.SPS) (uint32, error) {
	idx := uint32(sps.NumShortTermRefPicSets)
	if idx > 0 && r.flag() { // inter_ref_pic_set_prediction_flag
		delta := r.ue() + 1 // delta_idx_minus1
		if delta > idx {
			return 0, errorf("H.265 RPS predicted from set %d before %d", delta, idx)
		}
		r.flag() // delta_rps_sign
		r.ue()   // abs_delta_rps_minus1
		ref := int(idx - delta)
		if ref >= len(sps.ShortTermRefPicSets) {
			return 0, errorf("H.265 RPS predicted from unknown set %d", ref)
		}
		used := uint32(0)
		for range int(sps.ShortTermRefPicSets[ref].NumDeltaPocs) + 1 {
			if r.flag() { // used_by_curr_pic_flag
				used++
			} else {
				r.flag() // use_delta_flag
			}
		}
		return used, nil
	}
	neg, pos := r.ue(), r.ue()
	if neg > 16 || pos > 16 || r.err {
		return 0, errorf("H.265 RPS of %d+%d pictures", neg, pos)
	}
	used := uint32(0)
	for range neg + pos {
		r.ue() // delta_poc_minus1
		if r.flag() {
			used++
		}
	}
	return used, nil
}

// usedPics counts the pictures an SPS short-term RPS marks as used by the
// current picture; ok is false for inter-predicted sets, whose flags mp4ff
// does not keep.
func usedPics(s hevc.ShortTermRPS) (n uint32, ok bool) {
	if s.NumDeltaPocs > 0 && len(s.UsedByCurrPicS0)+len(s.UsedByCurrPicS1) == 0 {
		return 0, false
	}
	for _, flags := range [][]bool{s.UsedByCurrPicS0, s.UsedByCurrPicS1} {
		for _, u := range flags {
			if u {
				n++
			}
		}
	}
	return n, true
}

// hevcPredWeightTable reads pred_weight_table() (H.265 §7.3.6.3). The
// per-reference flags of a list come first, then the weights; references
// to pictures of another layer or POC (the condition for a flag) are
// assumed, as single-layer streams always satisfy it.
func hevcPredWeightTable(r *rbspReader, b bool, l0, l1 uint32, chroma bool) {
	r.ue() // luma_log2_weight_denom
	if chroma {
		r.se() // delta_chroma_log2_weight_denom
	}
	lists := []uint32{l0}
	if b {
		lists = append(lists, l1)
	}
	for _, n := range lists {
		var luma, chr [15]bool
		for i := range n + 1 {
			luma[i] = r.flag()
		}
		if chroma {
			for i := range n + 1 {
				chr[i] = r.flag()
			}
		}
		for i := range n + 1 {
			if luma[i] {
				r.se() // delta_luma_weight
				r.se() // luma_offset
			}
			if chr[i] {
				for range 2 {
					r.se() // delta_chroma_weight
					r.se() // delta_chroma_offset
				}
			}
		}
	}
}
