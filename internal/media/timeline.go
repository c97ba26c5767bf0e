package media

import (
	"fmt"
	"slices"
	"time"
)

// cut computes the shared boundaries from the reference track (the first
// video track, else the first audio track) and each track's segments.
func (p *Presentation) cut() error {
	ref := p.Tracks[0]
	target := uint64(p.TargetDuration / (time.Second / HNS))
	origin := ref.ToHNS(ref.Samples[0].DTS)
	var bounds []uint64
	next := uint64(0)
	for _, s := range ref.Samples {
		if !s.Sync && ref.Kind == Video {
			continue
		}
		at := ref.ToHNS(s.DTS) - origin
		// Half a millisecond of slack absorbs timescale rounding.
		if len(bounds) == 0 || at+5_000 >= next {
			bounds = append(bounds, at)
			next = at + target
		}
	}
	p.Boundaries = bounds
	for _, t := range p.Tracks {
		p.Duration = max(p.Duration, t.ToHNS(t.Duration))
		if err := p.cutTrack(t, origin); err != nil {
			return fmt.Errorf("track %s: %w", t.Name, err)
		}
	}
	return nil
}

// cutTrack assigns t's samples to the boundaries. Video segments start at
// the track's first sync sample at or after a boundary, so that ladders
// with aligned GOPs share one timeline and others still decode.
func (p *Presentation) cutTrack(t *Track, origin uint64) error {
	segs := make([]Segment, 0, len(p.Boundaries))
	i := 0
	for k := range p.Boundaries {
		first := i
		var end int
		if k+1 < len(p.Boundaries) {
			limit := p.Boundaries[k+1] + origin
			end = first
			for end < len(t.Samples) && t.ToHNS(t.Samples[end].DTS)+5_000 < limit {
				end++
			}
			if t.Kind == Video {
				for end < len(t.Samples) && !t.Samples[end].Sync {
					end++
				}
			}
		} else {
			end = len(t.Samples)
		}
		if end == first {
			continue // a short track ends early; its timeline ends here
		}
		s0, sl := t.Samples[first], t.Samples[end-1]
		segs = append(segs, Segment{First: first, End: end, Start: s0.DTS, Dur: sl.DTS + uint64(sl.Dur) - s0.DTS})
		i = end
	}
	if len(segs) == 0 {
		return fmt.Errorf("%w: no segments", ErrUnsupported)
	}
	t.Segments = segs
	return nil
}

// SegmentAt returns the index of the segment of t starting at decode time
// start (track timescale), or -1.
func (t *Track) SegmentAt(start uint64) int {
	k, ok := slices.BinarySearchFunc(t.Segments, start, func(s Segment, v uint64) int {
		switch {
		case s.Start < v:
			return -1
		case s.Start > v:
			return 1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return k
}
