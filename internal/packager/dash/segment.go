package dash

import (
	"context"
	"errors"
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// ErrNotFound is returned when the requested track or segment is not in
// the view (the origin answers 404).
var ErrNotFound = errors.New("dash: segment not found")

// Init returns the CMAF init segment (ftyp + moov) of t.
func Init(t *media.Track) ([]byte, error) {
	b, err := cmaf.Init(t)
	if err != nil {
		return nil, fmt.Errorf("dash: init %s: %w", t.Name, err)
	}
	return b, nil
}

// FindSegment returns the index of t's segment whose S@t ($Time$ in the
// media URL, track timescale) is time, or -1.
func FindSegment(t *media.Track, time uint64) int { return t.SegmentAt(time) }

// MediaFragment builds segment k of t as an unencoded CMAF fragment
// (moof + mdat, sequence number k+1), for callers that transform it
// (encryption) before encoding. It refuses segments outside v with
// ErrNotFound.
func MediaFragment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) (*mp4.Fragment, error) {
	_, f, err := MediaSegment(ctx, src, v, t, k)
	return f, err
}

// MediaSegment is MediaFragment that also returns the segment's samples,
// whose Encode writes the fragment without copying them again.
func MediaSegment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) (*media.SegmentData, *mp4.Fragment, error) {
	if !v.Contains(t, k) {
		return nil, nil, fmt.Errorf("%w: %s segment %d", ErrNotFound, t.Name, k)
	}
	d, f, err := cmaf.Segment(ctx, src, t, k)
	if err != nil {
		return nil, nil, fmt.Errorf("dash: %w", err)
	}
	return d, f, nil
}

// Segment returns media segment k of t (styp + moof + mdat).
func Segment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) ([]byte, error) {
	d, f, err := MediaSegment(ctx, src, v, t, k)
	if err != nil {
		return nil, err
	}
	b, err := cmaf.Encode(d, f, true)
	if err != nil {
		return nil, fmt.Errorf("dash: %s segment %d: %w", t.Name, k, err)
	}
	return b, nil
}
