package media

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/Eyevinn/mp4ff/mp4"
)

// ParseFile reads the metadata of one MP4 file (progressive, or fragmented
// with moov + moof/mdat pairs) and returns its video and audio tracks with
// complete sample tables. Track names are left empty: the caller names
// tracks (from the .ism or derived).
func ParseFile(ctx context.Context, src Source, name string, size int64) (tracks []*Track, err error) {
	w := &boxWalker{ctx: ctx, src: src, name: name, size: size}
	var (
		moov  *mp4.MoovBox
		moofs []moofAt
	)
	for off, n := int64(0), 0; off < size; n++ {
		if n == maxTopBoxes {
			return nil, fmt.Errorf("%w: %s: more than %d top-level boxes", ErrUnsupported, name, maxTopBoxes)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := w.header(off)
		if err != nil {
			return nil, err
		}
		switch b.typ {
		case "moov":
			if moov != nil {
				return nil, fmt.Errorf("%w: %s: two moov boxes", ErrMalformed, name)
			}
			if b.size > maxMoovSize {
				return nil, fmt.Errorf("%w: %s: moov of %d bytes exceeds %d", ErrUnsupported, name, b.size, maxMoovSize)
			}
			raw, err := w.bytes(b.off, b.size)
			if err != nil {
				return nil, err
			}
			box, err := decodeBox(raw, uint64(b.off))
			if err != nil {
				return nil, fmt.Errorf("%s: moov: %w", name, err)
			}
			mv, ok := box.(*mp4.MoovBox)
			if !ok {
				return nil, fmt.Errorf("%w: %s: moov did not decode", ErrMalformed, name)
			}
			moov = mv
		case "moof":
			if b.size > maxMoofSize {
				return nil, fmt.Errorf("%w: %s: moof of %d bytes exceeds %d", ErrUnsupported, name, b.size, maxMoofSize)
			}
			raw, err := w.bytes(b.off, b.size)
			if err != nil {
				return nil, err
			}
			box, err := decodeBox(raw, uint64(b.off))
			if err != nil {
				return nil, fmt.Errorf("%s: moof at %d: %w", name, b.off, err)
			}
			mf, ok := box.(*mp4.MoofBox)
			if !ok {
				return nil, fmt.Errorf("%w: %s: moof did not decode", ErrMalformed, name)
			}
			moofs = append(moofs, moofAt{mf, b.off})
		}
		off += b.size
	}
	if moov == nil {
		return nil, fmt.Errorf("%w: %s has no moov box", ErrMalformed, name)
	}
	if len(moov.Traks) > MaxTracksPerFile {
		return nil, fmt.Errorf("%w: %s has %d tracks", ErrTooManyTracks, name, len(moov.Traks))
	}
	for _, trak := range moov.Traks {
		t, err := trackFromTrak(name, moov, trak)
		if err != nil {
			return nil, err
		}
		if t == nil {
			continue // subtitles, hint and other tracks are not packaged
		}
		if len(moofs) > 0 {
			if err := addFragmentSamples(t, moov, moofs); err != nil {
				return nil, fmt.Errorf("%s: track %d: %w", name, t.SourceID, err)
			}
		}
		if err := finish(t, size); err != nil {
			return nil, fmt.Errorf("%s: track %d: %w", name, t.SourceID, err)
		}
		tracks = append(tracks, t)
	}
	if len(tracks) == 0 {
		return nil, fmt.Errorf("%w: %s has no audio or video track", ErrUnsupported, name)
	}
	return tracks, nil
}

type moofAt struct {
	box *mp4.MoofBox
	off int64
}

// decodeBox decodes one complete box. mp4ff is fuzzed upstream, but a
// panic on hostile input must never take down a request, so it is turned
// into ErrMalformed here.
func decodeBox(raw []byte, startPos uint64) (box mp4.Box, err error) {
	defer func() {
		if r := recover(); r != nil {
			box, err = nil, fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	box, err = mp4.DecodeBox(startPos, bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return box, nil
}

// trackFromTrak describes one trak; nil for kinds that are not packaged.
func trackFromTrak(name string, moov *mp4.MoovBox, trak *mp4.TrakBox) (*Track, error) {
	if trak.Tkhd == nil || trak.Mdia == nil || trak.Mdia.Hdlr == nil || trak.Mdia.Mdhd == nil ||
		trak.Mdia.Minf == nil || trak.Mdia.Minf.Stbl == nil || trak.Mdia.Minf.Stbl.Stsd == nil {
		return nil, fmt.Errorf("%w: %s: incomplete trak", ErrMalformed, name)
	}
	t := &Track{Source: name, SourceID: trak.Tkhd.TrackID, Timescale: trak.Mdia.Mdhd.Timescale}
	switch trak.Mdia.Hdlr.HandlerType {
	case "vide":
		t.Kind = Video
	case "soun":
		t.Kind = Audio
	default:
		return nil, nil
	}
	if t.Timescale == 0 {
		return nil, fmt.Errorf("%w: %s: track %d has timescale 0", ErrMalformed, name, t.SourceID)
	}
	t.Language = trak.Mdia.Mdhd.GetLanguage()
	if trak.Mdia.Elng != nil && trak.Mdia.Elng.Language != "" {
		t.Language = trak.Mdia.Elng.Language
	}
	if t.Language == "" {
		t.Language = "und"
	}
	if err := describeEntry(t, trak.Mdia.Minf.Stbl.Stsd); err != nil {
		return nil, fmt.Errorf("%s: track %d: %w", name, t.SourceID, err)
	}
	if err := progressiveSamples(t, trak); err != nil {
		return nil, fmt.Errorf("%s: track %d: %w", name, t.SourceID, err)
	}
	if t.Kind == Video {
		applyEditShift(t, trak)
	}
	return t, nil
}

// applyEditShift folds the first edit's media time into composition
// offsets, so that the first frame is presented at decode time 0 as CMAF
// expects (ffmpeg and AMS write such an edit for B-frame delay).
func applyEditShift(t *Track, trak *mp4.TrakBox) {
	if trak.Edts == nil || len(trak.Edts.Elst) == 0 {
		return
	}
	for _, e := range trak.Edts.Elst[0].Entries {
		if e.MediaTime < 0 {
			continue // empty edit
		}
		shift := e.MediaTime
		if shift == 0 || shift > math.MaxInt32 {
			return
		}
		t.EditShift = int32(shift)
		for i := range t.Samples {
			t.Samples[i].CTO -= int32(shift)
		}
		return
	}
}

// progressiveSamples expands stbl into t.Samples.
func progressiveSamples(t *Track, trak *mp4.TrakBox) error {
	st := trak.Mdia.Minf.Stbl
	if st.Stsz == nil || st.Stts == nil || st.Stsc == nil || (st.Stco == nil && st.Co64 == nil) {
		if st.Stsz == nil || st.Stsz.SampleNumber == 0 {
			return nil // fragmented input: samples come from moofs
		}
		return fmt.Errorf("%w: sample table incomplete", ErrMalformed)
	}
	n := int(st.Stsz.SampleNumber)
	if n == 0 {
		return nil
	}
	if n > maxSamples {
		return fmt.Errorf("%w: %d samples", ErrUnsupported, n)
	}
	if st.Stsz.SampleUniformSize == 0 && len(st.Stsz.SampleSize) != n {
		return fmt.Errorf("%w: stsz lists %d sizes for %d samples", ErrMalformed, len(st.Stsz.SampleSize), n)
	}
	samples := make([]Sample, n)

	// Sizes and sync flags.
	for i := range samples {
		if st.Stsz.SampleUniformSize != 0 {
			samples[i].Size = st.Stsz.SampleUniformSize
		} else {
			samples[i].Size = st.Stsz.SampleSize[i]
		}
		samples[i].Sync = st.Stss == nil
	}
	if st.Stss != nil {
		for _, nr := range st.Stss.SampleNumber {
			if nr == 0 || int(nr) > n {
				return fmt.Errorf("%w: stss names sample %d of %d", ErrMalformed, nr, n)
			}
			samples[nr-1].Sync = true
		}
	}

	// Decode times.
	if len(st.Stts.SampleCount) != len(st.Stts.SampleTimeDelta) {
		return fmt.Errorf("%w: stts", ErrMalformed)
	}
	var dts uint64
	i := 0
	for e, cnt := range st.Stts.SampleCount {
		d := st.Stts.SampleTimeDelta[e]
		for c := uint32(0); c < cnt && i < n; c++ {
			samples[i].DTS, samples[i].Dur = dts, d
			dts += uint64(d)
			i++
		}
	}
	if i != n {
		return fmt.Errorf("%w: stts covers %d of %d samples", ErrMalformed, i, n)
	}

	// Composition offsets; EndSampleNr[k] is the last sample (1-based) of run k.
	if st.Ctts != nil {
		if len(st.Ctts.EndSampleNr) != len(st.Ctts.SampleOffset)+1 {
			return fmt.Errorf("%w: ctts", ErrMalformed)
		}
		for k, off := range st.Ctts.SampleOffset {
			from, to := int(st.Ctts.EndSampleNr[k]), int(st.Ctts.EndSampleNr[k+1])
			if from > to || to > n {
				return fmt.Errorf("%w: ctts run %d covers samples %d..%d of %d", ErrMalformed, k, from+1, to, n)
			}
			for j := from; j < to; j++ {
				samples[j].CTO = off
			}
		}
	}

	// Offsets: chunks from stco/co64, samples per chunk from stsc.
	var chunkOffsets []uint64
	if st.Co64 != nil {
		chunkOffsets = st.Co64.ChunkOffset
	} else {
		chunkOffsets = make([]uint64, len(st.Stco.ChunkOffset))
		for k, o := range st.Stco.ChunkOffset {
			chunkOffsets[k] = uint64(o)
		}
	}
	entries := st.Stsc.Entries
	if len(entries) == 0 {
		return fmt.Errorf("%w: empty stsc", ErrMalformed)
	}
	i = 0
	for e, ent := range entries {
		if ent.FirstChunk == 0 || ent.SamplesPerChunk == 0 {
			return fmt.Errorf("%w: stsc entry %d", ErrMalformed, e)
		}
		lastChunk := uint32(len(chunkOffsets))
		if e+1 < len(entries) {
			lastChunk = entries[e+1].FirstChunk - 1
		}
		if lastChunk > uint32(len(chunkOffsets)) || ent.FirstChunk > lastChunk+1 {
			return fmt.Errorf("%w: stsc entry %d names chunks beyond stco", ErrMalformed, e)
		}
		for c := ent.FirstChunk; c <= lastChunk && i < n; c++ {
			off := chunkOffsets[c-1]
			for s := uint32(0); s < ent.SamplesPerChunk && i < n; s++ {
				if off > math.MaxInt64 {
					return fmt.Errorf("%w: sample offset overflow", ErrMalformed)
				}
				samples[i].Offset = int64(off)
				off += uint64(samples[i].Size)
				i++
			}
		}
	}
	if i != n {
		return fmt.Errorf("%w: chunks hold %d of %d samples", ErrMalformed, i, n)
	}
	t.Samples = samples
	return nil
}

// addFragmentSamples appends the samples the moofs describe for t.
func addFragmentSamples(t *Track, moov *mp4.MoovBox, moofs []moofAt) error {
	var trex *mp4.TrexBox
	if moov.Mvex != nil {
		for _, tx := range moov.Mvex.Trexs {
			if tx.TrackID == t.SourceID {
				trex = tx
			}
		}
	}
	var next uint64
	if n := len(t.Samples); n > 0 {
		next = t.Samples[n-1].DTS + uint64(t.Samples[n-1].Dur)
	}
	for _, m := range moofs {
		for _, traf := range m.box.Trafs {
			if traf.Tfhd == nil || traf.Tfhd.TrackID != t.SourceID {
				continue
			}
			if traf.Senc != nil || traf.Saiz != nil {
				return ErrEncrypted
			}
			base := next
			if traf.Tfdt != nil {
				base = traf.Tfdt.BaseMediaDecodeTime()
			}
			dataBase := uint64(m.off)
			if traf.Tfhd.HasBaseDataOffset() {
				dataBase = traf.Tfhd.BaseDataOffset
			}
			for _, trun := range traf.Truns {
				dur := trun.AddSampleDefaultValues(traf.Tfhd, trex)
				off := int64(dataBase)
				if trun.HasDataOffset() {
					off += int64(trun.DataOffset)
				}
				dts := base
				for _, s := range trun.Samples {
					if len(t.Samples) >= maxSamples {
						return fmt.Errorf("%w: more than %d samples", ErrUnsupported, maxSamples)
					}
					t.Samples = append(t.Samples, Sample{
						DTS: dts, Offset: off, Size: s.Size, Dur: s.Dur, CTO: s.CompositionTimeOffset, Sync: !mp4.DecodeSampleFlags(s.Flags).SampleIsNonSync,
					})
					off += int64(s.Size)
					dts += uint64(s.Dur)
				}
				base += dur
			}
			next = base
		}
	}
	return nil
}

// finish validates sample bounds and computes durations and bitrates.
func finish(t *Track, fileSize int64) error {
	if len(t.Samples) == 0 {
		return fmt.Errorf("%w: track has no samples", ErrUnsupported)
	}
	var total uint64
	for i, s := range t.Samples {
		if s.Offset < 0 || s.Offset+int64(s.Size) > fileSize {
			return fmt.Errorf("%w: sample %d lies outside the file", ErrMalformed, i+1)
		}
		if i > 0 && s.DTS < t.Samples[i-1].DTS {
			return fmt.Errorf("%w: decode times go backwards at sample %d", ErrMalformed, i+1)
		}
		total += uint64(s.Size)
	}
	if !t.Samples[0].Sync {
		if t.Kind == Video {
			return fmt.Errorf("%w: first video sample is not a sync sample", ErrUnsupported)
		}
	}
	last := t.Samples[len(t.Samples)-1]
	t.Duration = last.DTS + uint64(last.Dur) - t.Samples[0].DTS
	if t.Duration == 0 {
		return fmt.Errorf("%w: track has zero duration", ErrMalformed)
	}
	avg := uint64(float64(total) * 8 / (float64(t.Duration) / float64(t.Timescale)))
	if t.Bitrate == 0 {
		t.Bitrate = avg
	}
	t.MaxBitrate = peakBitrate(t)
	if t.MaxBitrate < t.Bitrate {
		t.MaxBitrate = t.Bitrate
	}
	if t.Kind == Video && t.FrameRateDen == 0 {
		t.FrameRateNum, t.FrameRateDen = frameRate(t)
	}
	return nil
}

// peakBitrate is the largest bit count over any one-second window that
// starts at a sample, the measure HLS BANDWIDTH asks for.
func peakBitrate(t *Track) uint64 {
	var peak, sum uint64
	ts := uint64(t.Timescale)
	j := 0
	for i := range t.Samples {
		for j < len(t.Samples) && t.Samples[j].DTS < t.Samples[i].DTS+ts {
			sum += uint64(t.Samples[j].Size)
			j++
		}
		peak = max(peak, sum)
		sum -= uint64(t.Samples[i].Size)
	}
	return peak * 8
}

// frameRate picks the most common sample duration.
func frameRate(t *Track) (num, den uint32) {
	counts := map[uint32]int{}
	for _, s := range t.Samples {
		counts[s.Dur]++
	}
	durs := make([]uint32, 0, len(counts))
	for d := range counts {
		durs = append(durs, d)
	}
	slices.Sort(durs)
	var best uint32
	for _, d := range durs {
		if best == 0 || counts[d] > counts[best] {
			best = d
		}
	}
	if best == 0 {
		return 0, 0
	}
	g := gcd(t.Timescale, best)
	return t.Timescale / g, best / g
}

func gcd(a, b uint32) uint32 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
