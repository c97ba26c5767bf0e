// Package dash packages a presentation as MPEG-DASH: a static MPD with one
// SegmentTemplate and SegmentTimeline per track (AMS formats mpd-time-csf
// and mpd-time-cmaf), CMAF init segments, and media segments cut on the
// presentation's segment timeline.
//
// URLs follow AMS: initialization
// "QualityLevels($Bandwidth$)/Fragments(<track>=i<suffix>)", media
// "QualityLevels($Bandwidth$)/Fragments(<track>=$Time$<suffix>)", where
// $Time$ is the segment's decode time in the track's timescale (its S@t),
// so Track.SegmentAt maps a request back to a segment.
package dash
