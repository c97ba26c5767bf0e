package packager

import (
	"github.com/lockstream/lockstream/internal/media"
)

// View is the part of a presentation one manifest request exposes: the
// tracks left after track filters and the presentation window left after
// time filters. Segments outside a view are refused, so a View is applied
// to segment requests too.
type View struct {
	P *media.Presentation
	// Tracks in presentation order (video by descending bitrate, then audio).
	Tracks []*media.Track
	// Start and End bound the window in HNS, relative to the presentation
	// start; End 0 means the end of the presentation. A segment is inside
	// when it starts within [Start, End).
	Start, End uint64
	// Suffix is appended inside the parentheses of every sub-resource URL
	// (",format=mpd-time-csf,encryption=cenc,filter=a"), so that one
	// request identifies format, scheme and filters, as AMS does.
	Suffix string
}

// Full returns the unfiltered view of p.
func Full(p *media.Presentation, suffix string) *View {
	return &View{P: p, Tracks: p.Tracks, Suffix: suffix}
}

// Video returns the view's video tracks.
func (v *View) Video() []*media.Track { return v.kind(media.Video) }

// Audio returns the view's audio tracks.
func (v *View) Audio() []*media.Track { return v.kind(media.Audio) }

func (v *View) kind(k media.Kind) []*media.Track {
	var out []*media.Track
	for _, t := range v.Tracks {
		if t.Kind == k {
			out = append(out, t)
		}
	}
	return out
}

// Has reports whether t is in the view.
func (v *View) Has(t *media.Track) bool {
	for _, x := range v.Tracks {
		if x == t {
			return true
		}
	}
	return false
}

// Window returns the indexes [lo, hi) of t's segments inside the view.
func (v *View) Window(t *media.Track) (lo, hi int) {
	origin := t.Samples[0].DTS
	lo, hi = len(t.Segments), 0
	for k, s := range t.Segments {
		at := t.ToHNS(s.Start - origin)
		if at+5_000 < v.Start || (v.End > 0 && at >= v.End) {
			continue
		}
		lo, hi = min(lo, k), k+1
	}
	if hi == 0 {
		return 0, 0
	}
	return lo, hi
}

// Contains reports whether segment k of t is inside the view.
func (v *View) Contains(t *media.Track, k int) bool {
	lo, hi := v.Window(t)
	return v.Has(t) && k >= lo && k < hi
}

// Duration returns the window's duration in HNS.
func (v *View) Duration() uint64 {
	end := v.P.Duration
	if v.End > 0 && v.End < end {
		end = v.End
	}
	if v.Start >= end {
		return 0
	}
	return end - v.Start
}
