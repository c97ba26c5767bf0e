package media

import (
	"fmt"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"
)

// Kind is a track's media type.
type Kind string

// Track kinds.
const (
	Video Kind = "video"
	Audio Kind = "audio"
)

// HNS is the 10 MHz timescale AMS uses in manifests.
const HNS = 10_000_000

// Sample is one access unit of a track, in the track's timescale. Offsets
// are absolute byte positions in the source file.
type Sample struct {
	DTS    uint64
	Offset int64
	Size   uint32
	Dur    uint32
	CTO    int32 // composition offset, edit-list shift already applied
	Sync   bool
}

// Track is one elementary stream of an asset.
type Track struct {
	// Name is the AMS trackName (from the .ism, or derived), unique within a
	// presentation; URLs address tracks by Name and Bitrate.
	Name string
	// Source is the blob name of the file holding the samples; SourceID the
	// track id inside it.
	Source   string
	SourceID uint32
	Kind     Kind
	Language string // ISO 639-2/T three-letter code, "und" when unknown
	// FourCC is the sample entry type: avc1, avc3, hvc1, hev1, mp4a, ec-3, ac-3.
	FourCC    string
	Codec     string // RFC 6381 codecs parameter value
	Timescale uint32
	// Bitrate is the declared bitrate (systemBitrate) or, absent one, the
	// average computed from the samples; MaxBitrate is the peak over any
	// one-second window, for HLS BANDWIDTH.
	Bitrate    uint64
	MaxBitrate uint64

	Width, Height int
	// FrameRate is FrameRateNum/FrameRateDen frames per second (video).
	FrameRateNum, FrameRateDen uint32
	SampleRate                 int
	Channels                   int

	// Entry is the source's sample entry box (avc1, mp4a, …), reused
	// verbatim in generated init segments.
	Entry mp4.Box
	// ParamSets holds the decoder parameter sets (SPS/PPS, or VPS/SPS/PPS)
	// for formats that carry them in band (MPEG-TS); ASC holds the AAC
	// AudioSpecificConfig.
	ParamSets [][]byte
	ASC       []byte
	// NALULengthSize is the size of the NAL unit length prefix (video).
	NALULengthSize int

	Samples []Sample
	// EditShift is the composition delay removed from CTO by the first
	// edit (video with B-frames): the original offsets are CTO+EditShift,
	// which formats that forbid PTS < DTS (MPEG-TS) need back.
	EditShift int32
	// Segments is the track's cut of the presentation timeline.
	Segments []Segment
	// Duration is the track's length in its timescale.
	Duration uint64
}

// IsVideo reports whether t is a video track.
func (t *Track) IsVideo() bool { return t.Kind == Video }

// DurationTime is the track duration as a time.Duration.
func (t *Track) DurationTime() time.Duration {
	return time.Duration(float64(t.Duration) / float64(t.Timescale) * float64(time.Second))
}

// FrameRate returns the frame rate as a float (0 when unknown).
func (t *Track) FrameRate() float64 {
	if t.FrameRateDen == 0 {
		return 0
	}
	return float64(t.FrameRateNum) / float64(t.FrameRateDen)
}

func (t *Track) String() string {
	return fmt.Sprintf("%s %s %s %dbps %s", t.Kind, t.Name, t.Codec, t.Bitrate, t.Language)
}

// FromHNS converts a 10 MHz time into the track's timescale.
func (t *Track) FromHNS(v uint64) uint64 { return scale(v, HNS, uint64(t.Timescale)) }

// ToHNS converts a time in the track's timescale to 10 MHz units.
func (t *Track) ToHNS(v uint64) uint64 { return scale(v, uint64(t.Timescale), HNS) }

// scale computes v*to/from without overflow for realistic values.
func scale(v, from, to uint64) uint64 {
	if from == to {
		return v
	}
	q, r := v/from, v%from
	return q*to + r*to/from
}
