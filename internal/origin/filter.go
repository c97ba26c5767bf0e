package origin

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// maxFilters bounds how many filters one request may compose (AMS: ten).
const maxFilters = 10

// view applies the locator's filters and the URL's filter= names to p.
// Asset filters shadow account filters of the same name, as in AMS.
//
// Composition: time ranges intersect; a track stays only when every
// filter with track selections keeps it (within one filter, selections
// are OR-ed and the conditions of a selection AND-ed).
func view(p *media.Presentation, li *locatorInfo, names []string, suffix string) (*packager.View, *mpeError) {
	v := packager.Full(p, suffix)
	all := append(append([]string{}, li.Locator.Filters...), names...)
	if len(all) > maxFilters {
		return nil, mpe(http.StatusUnsupportedMediaType, codeFilterTooMany, "%d filters requested; at most %d compose", len(all), maxFilters)
	}
	var firstQuality *int32
	seen := map[string]bool{}
	for _, n := range all {
		key := strings.ToLower(n)
		if seen[key] {
			continue
		}
		seen[key] = true
		f := li.AssetFilters[key]
		if f == nil {
			f = li.AccountFilters[key]
		}
		if f == nil {
			return nil, mpe(http.StatusNotFound, codeFilterNotFound, "filter %q is neither an asset nor an account filter", n)
		}
		if r := f.PresentationTimeRange; r != nil {
			scale := int64(media.HNS)
			if r.Timescale != nil && *r.Timescale > 0 {
				scale = *r.Timescale
			}
			if r.StartTimestamp != nil && *r.StartTimestamp > 0 {
				v.Start = max(v.Start, toHNS(*r.StartTimestamp, scale))
			}
			// AMS writes MaxInt64 for "unset".
			if r.EndTimestamp != nil && *r.EndTimestamp > 0 && *r.EndTimestamp < 1<<62 {
				end := toHNS(*r.EndTimestamp, scale)
				if v.End == 0 || end < v.End {
					v.End = end
				}
			}
			// presentationWindowDuration and liveBackoffDuration shape
			// live presentations; every Lockstream presentation is VOD.
		}
		if len(f.Tracks) > 0 {
			v.Tracks = slices.DeleteFunc(slices.Clone(v.Tracks), func(t *media.Track) bool { return !keeps(f.Tracks, t) })
		}
		if f.FirstQuality != nil && f.FirstQuality.Bitrate != nil {
			if firstQuality != nil {
				return nil, mpe(http.StatusUnsupportedMediaType, codeFilterMultiFirstQ, "more than one filter sets firstQuality")
			}
			firstQuality = f.FirstQuality.Bitrate
		}
	}
	if len(v.Tracks) == 0 {
		return nil, mpe(http.StatusUnsupportedMediaType, codeFilterRemovedAll, "the filters remove every track")
	}
	if v.End > 0 && v.End <= v.Start {
		return nil, mpe(http.StatusUnsupportedMediaType, codeFilterRemovedAll, "the filters' time ranges do not overlap")
	}
	if firstQuality != nil {
		// The rendition closest to the requested bitrate leads, so that HLS
		// players start with it.
		best := -1
		for i, t := range v.Tracks {
			if t.Kind != media.Video {
				continue
			}
			if best < 0 || absDiff(t.Bitrate, uint64(*firstQuality)) < absDiff(v.Tracks[best].Bitrate, uint64(*firstQuality)) {
				best = i
			}
		}
		if best > 0 {
			t := v.Tracks[best]
			v.Tracks = append([]*media.Track{t}, slices.Delete(slices.Clone(v.Tracks), best, best+1)...)
		}
	}
	for _, t := range v.Tracks {
		if lo, hi := v.Window(t); lo < hi {
			return v, nil
		}
	}
	return nil, mpe(http.StatusUnsupportedMediaType, codeFilterRemovedAll, "the filters' time range holds no segment")
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

func toHNS(v, scale int64) uint64 {
	if v <= 0 {
		return 0
	}
	return uint64(v/scale)*media.HNS + uint64(v%scale)*media.HNS/uint64(scale)
}

// keeps reports whether any selection of a filter keeps t.
func keeps(sels []defs.FilterTrackSelection, t *media.Track) bool {
	for _, sel := range sels {
		ok := true
		for _, c := range sel.TrackSelections {
			if !condition(c, t) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func condition(c defs.FilterTrackPropertyCondition, t *media.Track) bool {
	var match bool
	switch c.Property {
	case defs.FilterTrackPropertyTypeType:
		match = strings.EqualFold(c.Value, string(t.Kind))
	case defs.FilterTrackPropertyTypeName:
		match = strings.EqualFold(c.Value, t.Name)
	case defs.FilterTrackPropertyTypeLanguage:
		match = sameLanguage(c.Value, t.Language)
	case defs.FilterTrackPropertyTypeFourCC:
		match = strings.EqualFold(c.Value, t.FourCC)
	case defs.FilterTrackPropertyTypeBitrate:
		match = bitrateMatches(c.Value, t.Bitrate)
	default:
		return false
	}
	if c.Operation == defs.FilterTrackPropertyCompareOperationNotEqual {
		return !match
	}
	return match
}

// bitrateMatches takes "N" or the range "lo-hi".
func bitrateMatches(v string, b uint64) bool {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(v), "-")
	l, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
	if err != nil {
		return false
	}
	if !isRange {
		return b == l
	}
	h, err := strconv.ParseUint(strings.TrimSpace(hi), 10, 64)
	return err == nil && b >= l && b <= h
}

// iso639 maps two-letter codes to the three-letter forms MP4 files carry
// (both bibliographic and terminology variants where they differ).
var iso639 = map[string][]string{
	"en": {"eng"}, "es": {"spa"}, "fr": {"fra", "fre"}, "de": {"deu", "ger"}, "it": {"ita"}, "pt": {"por"},
	"ja": {"jpn"}, "zh": {"zho", "chi"}, "ko": {"kor"}, "ru": {"rus"}, "nl": {"nld", "dut"}, "sv": {"swe"},
	"ar": {"ara"}, "hi": {"hin"}, "pl": {"pol"}, "tr": {"tur"}, "da": {"dan"}, "fi": {"fin"}, "no": {"nor"},
}

// sameLanguage compares language tags loosely: "en", "eng" and "en-US"
// all name English.
func sameLanguage(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(s)
		if p, _, ok := strings.Cut(s, "-"); ok {
			s = p
		}
		if long, ok := iso639[s]; ok {
			return long[0]
		}
		for _, longs := range iso639 {
			if slices.Contains(longs, s) {
				return longs[0]
			}
		}
		return s
	}
	return norm(a) == norm(b)
}
