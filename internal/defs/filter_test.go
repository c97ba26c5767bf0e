package defs_test

import (
	"math"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestFilterRoundTrip(t *testing.T) {
	f := roundTrip[defs.AssetFilter](t, sample(t, "asset_filter.json"))
	requireNoError(t, f.Validate())
	if *f.Properties.PresentationTimeRange.PresentationWindowDuration != math.MaxInt64 {
		t.Fatal("AMS's MaxInt64 sentinel lost")
	}
	af := roundTrip[defs.AccountFilter](t, sample(t, "asset_filter.json"))
	requireNoError(t, af.Validate())
	requireNoError(t, (&defs.AssetFilter{}).Validate())
	requireNoError(t, (&defs.AccountFilter{Properties: &defs.MediaFilterProperties{}}).Validate())
}

func TestFilterValidate(t *testing.T) {
	const (
		ptr = "properties.presentationTimeRange."
		c0  = "properties.tracks[0].trackSelections[0]."
		c1  = "properties.tracks[1].trackSelections[1]."
	)
	i64 := func(v int64) *int64 { return &v }
	tests := []struct {
		name   string
		mutate func(p *defs.MediaFilterProperties)
		field  string
		msg    string
	}{
		{"timescale positive", func(p *defs.MediaFilterProperties) { p.PresentationTimeRange.Timescale = i64(0) }, ptr + "timescale", "greater than 0"},
		{"start before end", func(p *defs.MediaFilterProperties) { p.PresentationTimeRange.StartTimestamp = i64(170000000) },
			ptr + "endTimestamp", "greater than startTimestamp"},
		{"no negative timestamps", func(p *defs.MediaFilterProperties) { p.PresentationTimeRange.StartTimestamp = i64(-1) },
			ptr + "startTimestamp", "negative"},
		{"window at least 60 s", func(p *defs.MediaFilterProperties) {
			p.PresentationTimeRange.PresentationWindowDuration = i64(599999999)
		}, ptr + "presentationWindowDuration", "at least 60 seconds (600000000"},
		{"window of 60 s", func(p *defs.MediaFilterProperties) {
			p.PresentationTimeRange.PresentationWindowDuration = i64(600000000)
		}, "", ""},
		{"window with default timescale", func(p *defs.MediaFilterProperties) {
			p.PresentationTimeRange.Timescale = nil
			p.PresentationTimeRange.PresentationWindowDuration = i64(60)
		}, ptr + "presentationWindowDuration", "60 seconds"},
		{"window with small timescale", func(p *defs.MediaFilterProperties) {
			p.PresentationTimeRange.Timescale = i64(1)
			p.PresentationTimeRange.PresentationWindowDuration = i64(60)
		}, "", ""},
		{"huge timescale does not overflow", func(p *defs.MediaFilterProperties) {
			p.PresentationTimeRange.Timescale = i64(math.MaxInt64)
			p.PresentationTimeRange.LiveBackoffDuration = i64(math.MaxInt64)
		}, ptr + "presentationWindowDuration", "at least 60 seconds"},
		{"backoff at most 300 s", func(p *defs.MediaFilterProperties) {
			p.PresentationTimeRange.LiveBackoffDuration = i64(3000000001)
		}, ptr + "liveBackoffDuration", "at most 300 seconds"},
		{"first quality bitrate required", func(p *defs.MediaFilterProperties) { p.FirstQuality.Bitrate = nil },
			"properties.firstQuality.bitrate", "is required"},
		{"first quality bitrate positive", func(p *defs.MediaFilterProperties) { p.FirstQuality.Bitrate = defs.Ptr(int32(0)) },
			"properties.firstQuality.bitrate", "greater than 0"},
		{"conditions required", func(p *defs.MediaFilterProperties) { p.Tracks[1].TrackSelections = nil },
			"properties.tracks[1].trackSelections", "at least one"},
		{"property enum", func(p *defs.MediaFilterProperties) { p.Tracks[0].TrackSelections[0].Property = "Codec" },
			c0 + "property", `"Codec" is not one of`},
		{"property Unknown rejected", func(p *defs.MediaFilterProperties) {
			p.Tracks[0].TrackSelections[0].Property = defs.FilterTrackPropertyTypeUnknown
		}, c0 + "property", "not one of"},
		{"operation enum", func(p *defs.MediaFilterProperties) { p.Tracks[0].TrackSelections[0].Operation = "Equals" },
			c0 + "operation", "not one of Equal, NotEqual"},
		{"value required", func(p *defs.MediaFilterProperties) { p.Tracks[0].TrackSelections[0].Value = " " }, c0 + "value", "is required"},
		{"type value", func(p *defs.MediaFilterProperties) { p.Tracks[0].TrackSelections[0].Value = "subtitle" },
			c0 + "value", "video, audio, text"},
		{"type value any case", func(p *defs.MediaFilterProperties) { p.Tracks[0].TrackSelections[0].Value = "TEXT" }, "", ""},
		{"bitrate number", func(p *defs.MediaFilterProperties) { p.Tracks[1].TrackSelections[1].Value = "2000000" }, "", ""},
		{"bitrate range order", func(p *defs.MediaFilterProperties) { p.Tracks[1].TrackSelections[1].Value = "5-4" },
			c1 + "value", "must not end below"},
		{"bitrate syntax", func(p *defs.MediaFilterProperties) { p.Tracks[1].TrackSelections[1].Value = "2Mbps" },
			c1 + "value", "bitrate or a range"},
		{"bitrate overflow", func(p *defs.MediaFilterProperties) { p.Tracks[1].TrackSelections[1].Value = "0-99999999999999999999" },
			c1 + "value", "out of range"},
		{"language tag", func(p *defs.MediaFilterProperties) { p.Tracks[0].TrackSelections[1].Value = "english!" },
			"properties.tracks[0].trackSelections[1].value", "language tag"},
		{"language with region", func(p *defs.MediaFilterProperties) { p.Tracks[0].TrackSelections[1].Value = "en-US" }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := decode[defs.AssetFilter](t, sample(t, "asset_filter.json"))
			tt.mutate(f.Properties)
			err := f.Validate()
			a := defs.AccountFilter{Properties: f.Properties}
			if tt.field == "" {
				requireNoError(t, err)
				requireNoError(t, a.Validate())
				return
			}
			requireFieldError(t, err, tt.field, tt.msg)
			requireFieldError(t, a.Validate(), tt.field, tt.msg)
		})
	}
}
