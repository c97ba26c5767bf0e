package hls

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// CMAFInit returns the CMAF header (ftyp + moov) of t, the EXT-X-MAP of
// m3u8-cmaf playlists.
func CMAFInit(t *media.Track) ([]byte, error) { return cmaf.Init(t) }

// CMAFSegment returns CMAF segment k of t (styp + moof + mdat, sequence
// number k+1).
func CMAFSegment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) ([]byte, error) {
	d, f, err := CMAFMediaSegment(ctx, src, v, t, k)
	if err != nil {
		return nil, err
	}
	return cmaf.Encode(d, f, true)
}

// CMAFMediaSegment is CMAFSegment before encoding, for callers that
// encrypt the fragment; encode it with cmaf.Encode (with styp).
func CMAFMediaSegment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) (*media.SegmentData, *mp4.Fragment, error) {
	if !v.Contains(t, k) {
		return nil, nil, fmt.Errorf("%w: segment %d of track %s", ErrNotFound, k, t.Name)
	}
	return cmaf.Segment(ctx, src, t, k)
}

// CMAFKeyframe returns the I-frame fragment an m3u8-cmaf I-frame playlist
// names with Fragments(<name>=<dts>,…,type=keyframes): the sync sample of
// t decoded at dts (track timescale), alone in a CMAF segment whose
// sample lasts until the next sync sample, so that I-frame fragments tile
// the timeline like the playlist's EXTINFs.
func CMAFKeyframe(ctx context.Context, src media.Source, v *packager.View, t *media.Track, dts uint64) ([]byte, error) {
	f, _, err := CMAFKeyframeFragment(ctx, src, v, t, dts)
	if err != nil {
		return nil, err
	}
	return cmaf.FragmentBytes(f, true)
}

// CMAFKeyframeFragment is CMAFKeyframe before encoding, for callers that
// encrypt it; sample is the key frame's index in t.Samples.
func CMAFKeyframeFragment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, dts uint64) (f *mp4.Fragment, sample int, err error) {
	i, ok := slices.BinarySearchFunc(t.Samples, dts, func(s media.Sample, v uint64) int {
		switch {
		case s.DTS < v:
			return -1
		case s.DTS > v:
			return 1
		}
		return 0
	})
	if !ok || !t.Samples[i].Sync || t.Kind != media.Video {
		return nil, 0, fmt.Errorf("%w: no keyframe of track %s at %d", ErrNotFound, t.Name, dts)
	}
	k := segmentOf(t, i)
	if !v.Contains(t, k) {
		return nil, 0, fmt.Errorf("%w: keyframe %d of track %s", ErrNotFound, dts, t.Name)
	}
	s := t.Samples[i]
	s.Dur = uint32(keyframeEnd(t, i) - s.DTS)
	rc, err := src.ReadRange(ctx, t.Source, s.Offset, int64(s.Size))
	if err != nil {
		return nil, 0, fmt.Errorf("read %s [%d,+%d): %w", t.Source, s.Offset, s.Size, err)
	}
	defer rc.Close()
	data := make([]byte, s.Size)
	if _, err := io.ReadFull(rc, data); err != nil {
		return nil, 0, fmt.Errorf("%w: read keyframe: %v", media.ErrMalformed, err)
	}
	d := &media.SegmentData{
		Track: t, Index: k,
		Seg:     media.Segment{First: i, End: i + 1, Start: s.DTS, Dur: uint64(s.Dur)},
		Samples: []media.Sample{s}, Pos: []int{0}, Data: data,
	}
	f, err = cmaf.Fragment(d, uint32(i+1))
	if err != nil {
		return nil, 0, err
	}
	return f, i, nil
}

// segmentOf returns the segment holding sample i.
func segmentOf(t *media.Track, i int) int {
	k, _ := slices.BinarySearchFunc(t.Segments, i, func(s media.Segment, i int) int {
		switch {
		case s.End <= i:
			return -1
		case s.First > i:
			return 1
		}
		return 0
	})
	return k
}

// keyframeEnd returns the decode time at which the I-frame at sample i
// stops being shown in an I-frame playlist: the next sync sample, or the
// end of its segment, which always starts on a sync sample.
func keyframeEnd(t *media.Track, i int) uint64 {
	seg := t.Segments[segmentOf(t, i)]
	for j := i + 1; j < seg.End; j++ {
		if t.Samples[j].Sync {
			return t.Samples[j].DTS
		}
	}
	return seg.Start + seg.Dur
}
