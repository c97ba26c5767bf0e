package media

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Ref selects a track of a file for a presentation, as one entry of an
// .ism server manifest does.
type Ref struct {
	File string // blob name
	Size int64  // file size in bytes
	// Kind and TrackID select the track: TrackID 0 means the first track of
	// Kind; Kind "" takes every audio and video track of the file.
	Kind    Kind
	TrackID uint32
	// Name, Bitrate and Language override what the file says when set.
	Name     string
	Bitrate  uint64
	Language string
}

// Options shape a presentation.
type Options struct {
	// TargetDuration is the wished segment length; segments are cut at the
	// first video sync sample at or after each multiple (default 4 s).
	TargetDuration time.Duration
}

// Presentation is the set of tracks an asset streams, with one segment
// timeline cut on video sync samples.
type Presentation struct {
	// Tracks lists video tracks by descending bitrate, then audio tracks by
	// language and descending bitrate.
	Tracks []*Track
	// Duration is the longest track's duration in HNS.
	Duration uint64
	// Boundaries are the segment start times in HNS shared by all tracks
	// (the first is 0 relative to the earliest sample).
	Boundaries []uint64
	// TargetDuration is the configured target.
	TargetDuration time.Duration
}

// Segment is one segment of a track: samples [First, End) starting at
// decode time Start (track timescale) and lasting Dur.
type Segment struct {
	First, End int
	Start, Dur uint64
}

// Load parses every referenced file (each once) and builds the
// presentation.
func Load(ctx context.Context, src Source, refs []Ref, opts Options) (*Presentation, error) {
	if len(refs) == 0 {
		return nil, fmt.Errorf("%w: asset has no media files", ErrUnsupported)
	}
	if opts.TargetDuration <= 0 {
		opts.TargetDuration = 4 * time.Second
	}
	parsed := map[string][]*Track{}
	p := &Presentation{TargetDuration: opts.TargetDuration}
	for _, r := range refs {
		all, ok := parsed[r.File]
		if !ok {
			var err error
			if all, err = ParseFile(ctx, src, r.File, r.Size); err != nil {
				return nil, err
			}
			parsed[r.File] = all
		}
		picked := pick(all, r)
		if len(picked) == 0 {
			return nil, fmt.Errorf("%w: %s has no %s track %d", ErrUnsupported, r.File, cmp.Or(string(r.Kind), "media"), r.TrackID)
		}
		if len(p.Tracks)+len(picked) > MaxTracksPerPresentation {
			return nil, fmt.Errorf("%w: more than %d tracks in one presentation", ErrTooManyTracks, MaxTracksPerPresentation)
		}
		for _, t := range picked {
			c := *t // a file may appear in several refs
			if r.Bitrate > 0 {
				c.Bitrate = r.Bitrate
			}
			if r.Language != "" {
				c.Language = r.Language
			}
			c.Name = r.Name
			p.Tracks = append(p.Tracks, &c)
		}
	}
	slices.SortStableFunc(p.Tracks, func(a, b *Track) int {
		if a.Kind != b.Kind {
			return cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind))
		}
		if a.Kind == Audio && a.Language != b.Language {
			return strings.Compare(a.Language, b.Language)
		}
		return cmp.Compare(b.Bitrate, a.Bitrate)
	})
	nameTracks(p.Tracks)
	if err := p.cut(); err != nil {
		return nil, err
	}
	return p, nil
}

func kindOrder(k Kind) int {
	if k == Video {
		return 0
	}
	return 1
}

func pick(all []*Track, r Ref) []*Track {
	var out []*Track
	for _, t := range all {
		if r.Kind != "" && t.Kind != r.Kind {
			continue
		}
		if r.TrackID != 0 && t.SourceID != r.TrackID {
			continue
		}
		out = append(out, t)
		if r.Kind != "" {
			break // first matching track of that kind
		}
	}
	return out
}

// nameTracks gives every unnamed track an AMS-style name and makes
// (name, bitrate) unique, since URLs address tracks by both. It returns
// the number of lookups it made, so tests can check it stays linear.
func nameTracks(ts []*Track) (probes int) {
	for _, t := range ts {
		if t.Name != "" {
			continue
		}
		if t.Kind == Video {
			t.Name = "video"
		} else {
			// AMS: codec_language_channels_bitrate_...; players only need it
			// unique and stable.
			t.Name = fmt.Sprintf("aac_%s_%d_%d", t.Language, t.Channels, t.Bitrate)
			if t.FourCC != "mp4a" {
				t.Name = fmt.Sprintf("%s_%s_%d_%d", strings.ReplaceAll(t.FourCC, "-", ""), t.Language, t.Channels, t.Bitrate)
			}
		}
	}
	// Distinct bitrates keep QualityLevels() addressable: a track whose
	// (name, bitrate) is taken gets the next free bitrate. next maps a
	// taken pair to a candidate at or above the next free one, so that the
	// search skips whole runs (union-find with path compression) instead
	// of stepping one bitrate at a time, which was quadratic in the tracks
	// sharing a name and bitrate.
	next := map[trackKey]uint64{}
	var free func(k trackKey) uint64
	free = func(k trackKey) uint64 {
		probes++
		n, taken := next[k]
		if !taken {
			return k.bitrate
		}
		f := free(trackKey{k.name, n})
		next[k] = f // path compression
		return f
	}
	for _, t := range ts {
		b := free(trackKey{t.Name, t.Bitrate})
		t.Bitrate = b
		next[trackKey{t.Name, b}] = b + 1
	}
	return probes
}

type trackKey struct {
	name    string
	bitrate uint64
}

// Find returns the track a URL names: by name and bitrate, or by name alone
// when bitrate is 0.
func (p *Presentation) Find(name string, bitrate uint64) *Track {
	for _, t := range p.Tracks {
		if strings.EqualFold(t.Name, name) && (bitrate == 0 || t.Bitrate == bitrate) {
			return t
		}
	}
	return nil
}

// Video returns the video tracks; Audio the audio tracks.
func (p *Presentation) Video() []*Track { return p.kind(Video) }

// Audio returns the audio tracks.
func (p *Presentation) Audio() []*Track { return p.kind(Audio) }

func (p *Presentation) kind(k Kind) []*Track {
	var out []*Track
	for _, t := range p.Tracks {
		if t.Kind == k {
			out = append(out, t)
		}
	}
	return out
}
