package defs

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// DefaultTimescale is the presentation time range timescale when absent
// (100 ns units, as in AMS manifests).
const DefaultTimescale = 10_000_000

// AssetFilter is a dynamic manifest filter on one asset.
type AssetFilter struct {
	ID         string                 `json:"id,omitempty"`
	Name       string                 `json:"name,omitempty"`
	Type       string                 `json:"type,omitempty"`
	SystemData *SystemData            `json:"systemData,omitempty"`
	Properties *MediaFilterProperties `json:"properties,omitempty"`
}

// AccountFilter is a dynamic manifest filter shared by the account.
type AccountFilter struct {
	ID         string                 `json:"id,omitempty"`
	Name       string                 `json:"name,omitempty"`
	Type       string                 `json:"type,omitempty"`
	SystemData *SystemData            `json:"systemData,omitempty"`
	Properties *MediaFilterProperties `json:"properties,omitempty"`
}

// MediaFilterProperties is shared by asset and account filters.
type MediaFilterProperties struct {
	PresentationTimeRange *PresentationTimeRange `json:"presentationTimeRange,omitempty"`
	FirstQuality          *FirstQuality          `json:"firstQuality,omitempty"`
	// Tracks are OR-ed; the conditions inside each are AND-ed.
	Tracks []FilterTrackSelection `json:"tracks,omitempty"`
}

// PresentationTimeRange trims the presentation; values are in Timescale
// units. AMS returns math.MaxInt64 for unset end/window values.
type PresentationTimeRange struct {
	StartTimestamp             *int64 `json:"startTimestamp,omitempty"`
	EndTimestamp               *int64 `json:"endTimestamp,omitempty"`
	PresentationWindowDuration *int64 `json:"presentationWindowDuration,omitempty"`
	LiveBackoffDuration        *int64 `json:"liveBackoffDuration,omitempty"`
	Timescale                  *int64 `json:"timescale,omitempty"`
	ForceEndTimestamp          *bool  `json:"forceEndTimestamp,omitempty"`
}

// FirstQuality picks the first HLS rendition by bitrate.
type FirstQuality struct {
	Bitrate *int32 `json:"bitrate,omitempty"`
}

// FilterTrackSelection is a set of AND-ed track conditions.
type FilterTrackSelection struct {
	TrackSelections []FilterTrackPropertyCondition `json:"trackSelections"`
}

// FilterTrackPropertyCondition is one track condition; all fields required.
type FilterTrackPropertyCondition struct {
	Property  FilterTrackPropertyType             `json:"property"`
	Operation FilterTrackPropertyCompareOperation `json:"operation"`
	Value     string                              `json:"value"`
}

// Validate checks a create or update body.
func (f *AssetFilter) Validate() error { return validateFilter(f.Properties) }

// Validate checks a create or update body.
func (f *AccountFilter) Validate() error { return validateFilter(f.Properties) }

func validateFilter(p *MediaFilterProperties) error {
	if p == nil {
		return nil
	}
	const path = "properties"
	if r := p.PresentationTimeRange; r != nil {
		if err := r.validate(join(path, "presentationTimeRange")); err != nil {
			return err
		}
	}
	if q := p.FirstQuality; q != nil {
		bp := join(path, "firstQuality.bitrate")
		switch {
		case q.Bitrate == nil:
			return required(bp)
		case *q.Bitrate <= 0:
			return errorf(bp, "must be greater than 0")
		}
	}
	tp := join(path, "tracks")
	for i, t := range p.Tracks {
		sp := join(index(tp, i), "trackSelections")
		if len(t.TrackSelections) == 0 {
			return errorf(sp, "must hold at least one condition")
		}
		for j := range t.TrackSelections {
			if err := t.TrackSelections[j].validate(index(sp, j)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *PresentationTimeRange) validate(path string) error {
	ts := int64(DefaultTimescale)
	if r.Timescale != nil {
		if ts = *r.Timescale; ts <= 0 {
			return errorf(join(path, "timescale"), "must be greater than 0")
		}
	}
	for _, f := range []struct {
		name string
		v    *int64
	}{
		{"startTimestamp", r.StartTimestamp},
		{"endTimestamp", r.EndTimestamp},
		{"presentationWindowDuration", r.PresentationWindowDuration},
		{"liveBackoffDuration", r.LiveBackoffDuration},
	} {
		if f.v != nil && *f.v < 0 {
			return errorf(join(path, f.name), "must not be negative")
		}
	}
	if r.StartTimestamp != nil && r.EndTimestamp != nil && *r.StartTimestamp >= *r.EndTimestamp {
		return errorf(join(path, "endTimestamp"), "must be greater than startTimestamp")
	}
	// AMS limits: a live window of at least 60 s and a back-off of at most
	// 300 s. Compared without multiplying, which could overflow.
	if w := r.PresentationWindowDuration; w != nil && *w/60 < ts {
		return errorf(join(path, "presentationWindowDuration"), "must be at least 60 seconds (%d timescale units)", mulSat(60, ts))
	}
	if b := r.LiveBackoffDuration; b != nil && *b > mulSat(300, ts) {
		return errorf(join(path, "liveBackoffDuration"), "must be at most 300 seconds (%d timescale units)", mulSat(300, ts))
	}
	return nil
}

// mulSat multiplies non-negative values, saturating at math.MaxInt64.
func mulSat(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

var (
	bitrateRE  = regexp.MustCompile(`^(\d+)(?:-(\d+))?$`)
	languageRE = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)
)

func (c *FilterTrackPropertyCondition) validate(path string) error {
	if err := checkEnum(join(path, "property"), c.Property, FilterTrackPropertyTypeType, FilterTrackPropertyTypeName,
		FilterTrackPropertyTypeLanguage, FilterTrackPropertyTypeFourCC, FilterTrackPropertyTypeBitrate); err != nil {
		return err
	}
	if err := checkEnum(join(path, "operation"), c.Operation,
		FilterTrackPropertyCompareOperationEqual, FilterTrackPropertyCompareOperationNotEqual); err != nil {
		return err
	}
	vp := join(path, "value")
	v := strings.TrimSpace(c.Value)
	if v == "" {
		return required(vp)
	}
	switch c.Property {
	case FilterTrackPropertyTypeType:
		// AMS documentation writes both "audio" and "Audio".
		switch strings.ToLower(v) {
		case "video", "audio", "text":
		default:
			return errorf(vp, "%q is not one of video, audio, text", c.Value)
		}
	case FilterTrackPropertyTypeBitrate:
		m := bitrateRE.FindStringSubmatch(v)
		if m == nil {
			return errorf(vp, "%q must be a bitrate or a range lo-hi in bits per second", c.Value)
		}
		lo, err1 := strconv.ParseInt(m[1], 10, 64)
		hi, err2 := lo, error(nil)
		if m[2] != "" {
			hi, err2 = strconv.ParseInt(m[2], 10, 64)
		}
		if err1 != nil || err2 != nil {
			return errorf(vp, "%q is out of range", c.Value)
		}
		if lo > hi {
			return errorf(vp, "range %q must not end below its start", c.Value)
		}
	case FilterTrackPropertyTypeLanguage:
		if !languageRE.MatchString(v) {
			return errorf(vp, "%q is not a language tag (e.g. en, en-US)", c.Value)
		}
	}
	return nil
}
