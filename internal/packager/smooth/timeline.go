package smooth

import (
	"sort"

	"github.com/lockstream/lockstream/internal/media"
)

// start and end are segment k's bounds in HNS. A segment's duration is
// end - start, so that durations add up exactly to converted times.
func start(t *media.Track, k int) uint64 { return t.ToHNS(t.Segments[k].Start) }

func end(t *media.Track, k int) uint64 {
	s := t.Segments[k]
	return t.ToHNS(s.Start + s.Dur)
}

// chunks lists segments [lo, hi) of t as c elements.
func chunks(t *media.Track, lo, hi int, repeat bool) []Chunk {
	var out []Chunk
	var prevEnd uint64
	for k := lo; k < hi; k++ {
		at, d := start(t, k), end(t, k)-start(t, k)
		switch {
		case k > lo && at == prevEnd && repeat && out[len(out)-1].D == d:
			out[len(out)-1].R = max(out[len(out)-1].R, 1) + 1
		case k > lo && at == prevEnd:
			out = append(out, Chunk{D: d})
		default:
			out = append(out, Chunk{T: &at, D: d})
		}
		prevEnd = at + d
	}
	return out
}

// FindSegment returns the index of t's segment whose start, converted to
// HNS, is hns (the {start time} of a fragment URL), or -1. One tick of
// rounding either way is tolerated: a StreamIndex shares the first
// track's chunk times among tracks whose timescales differ.
func FindSegment(t *media.Track, hns uint64) int {
	k := sort.Search(len(t.Segments), func(i int) bool { return start(t, i)+1 >= hns })
	if k < len(t.Segments) {
		if at := start(t, k); at <= hns+1 {
			return k
		}
	}
	return -1
}
