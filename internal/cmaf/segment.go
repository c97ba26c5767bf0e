package cmaf

import (
	"context"
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/media"
)

// Segment reads segment k of t and builds it as an unencoded fragment
// (moof + mdat, sequence number k+1) whose mdat shares the returned
// samples' buffer; Encode writes it without copying them again. Callers
// check that the segment is in their view first.
func Segment(ctx context.Context, src media.Source, t *media.Track, k int) (*media.SegmentData, *mp4.Fragment, error) {
	d, err := media.ReadSegment(ctx, src, t, k)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s segment %d: %w", t.Name, k, err)
	}
	f, err := Fragment(d, uint32(k+1))
	if err != nil {
		return nil, nil, fmt.Errorf("fragment %s segment %d: %w", t.Name, k, err)
	}
	return d, f, nil
}
