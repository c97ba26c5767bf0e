package smooth

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// ErrNotFound is returned when the requested track or fragment is not in
// the view (the origin answers 404).
var ErrNotFound = errors.New("smooth: fragment not found")

// MediaFragment builds fragment k of t (moof + mdat, sequence number k+1)
// with every time in HNS: tfdt, trun sample durations and composition
// offsets, and the tfxd box (absolute time and duration) Smooth clients
// read. Callers that transform the fragment (encryption) encode it
// themselves; it refuses fragments outside v with ErrNotFound.
func MediaFragment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) (*mp4.Fragment, error) {
	_, f, err := MediaSegment(ctx, src, v, t, k)
	return f, err
}

// MediaSegment is MediaFragment that also returns the fragment's samples,
// whose Encode writes the fragment without copying them again.
func MediaSegment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) (*media.SegmentData, *mp4.Fragment, error) {
	if !v.Contains(t, k) {
		return nil, nil, fmt.Errorf("%w: %s fragment %d", ErrNotFound, t.Name, k)
	}
	d, f, err := cmaf.Segment(ctx, src, t, k)
	if err != nil {
		return nil, nil, fmt.Errorf("smooth: %w", err)
	}
	if err := toHNS(t, d, f.Moof.Traf); err != nil {
		return nil, nil, fmt.Errorf("smooth: fragment %s %d: %w", t.Name, k, err)
	}
	tfxd := mp4.NewTfxdBox(start(t, k), end(t, k)-start(t, k))
	tfxd.Tfxd.Version = 1 // 64-bit times: HNS passes 2^32 after 7 minutes
	if err := f.Moof.Traf.AddChild(tfxd); err != nil {
		return nil, nil, err
	}
	return d, f, nil
}

// Fragment returns fragment k of t as Smooth clients request it: moof +
// mdat, no styp.
func Fragment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) ([]byte, error) {
	d, f, err := MediaSegment(ctx, src, v, t, k)
	if err != nil {
		return nil, err
	}
	b, err := cmaf.Encode(d, f, false)
	if err != nil {
		return nil, fmt.Errorf("smooth: %s fragment %d: %w", t.Name, k, err)
	}
	return b, nil
}

// toHNS rescales the trun of one segment's fragment from the track
// timescale to HNS. Sample i lasts ToHNS(DTS[i+1]) - ToHNS(DTS[i]) and the
// last one ends at ToHNS(segment end), so the fragment spans exactly the
// manifest's chunk; composition offsets become ToHNS(PTS) - ToHNS(DTS).
func toHNS(t *media.Track, d *media.SegmentData, traf *mp4.TrafBox) error {
	trun := traf.Trun
	if len(trun.Samples) != len(d.Samples) {
		return fmt.Errorf("trun has %d samples, segment %d", len(trun.Samples), len(d.Samples))
	}
	segEnd := t.ToHNS(d.Seg.Start + d.Seg.Dur)
	signed := false
	dts := t.ToHNS(d.Samples[0].DTS)
	for i, s := range d.Samples {
		next := segEnd
		if i+1 < len(d.Samples) {
			next = t.ToHNS(d.Samples[i+1].DTS)
		}
		if next < dts || next-dts > math.MaxUint32 {
			return fmt.Errorf("sample %d: duration out of range", i)
		}
		pts := int64(s.DTS) + int64(s.CTO)
		var hpts int64
		if pts >= 0 {
			hpts = int64(t.ToHNS(uint64(pts)))
		} else {
			hpts = -int64(t.ToHNS(uint64(-pts)))
		}
		cto := hpts - int64(dts)
		if cto < math.MinInt32 || cto > math.MaxInt32 {
			return fmt.Errorf("sample %d: composition offset out of range", i)
		}
		signed = signed || cto < 0
		trun.Samples[i].Dur = uint32(next - dts)
		trun.Samples[i].CompositionTimeOffset = int32(cto)
		dts = next
	}
	// Version 0 (unsigned offsets, what PIFF-era clients know) unless an
	// offset is negative.
	trun.Version = 0
	if signed {
		trun.Version = 1
	}
	traf.Tfdt.SetBaseMediaDecodeTime(t.ToHNS(d.Seg.Start))
	return nil
}
