// Package smooth packages a presentation as Microsoft Smooth Streaming
// (MS-SSTR): the client manifest (SmoothStreamingMedia) and moof + mdat
// fragments carrying the tfxd box.
//
// Smooth times are in HNS (10 MHz, the manifest TimeScale) everywhere a
// client sees them: c@t/@d, the {start time} of fragment URLs, and the
// fragments themselves, because clients build their own init segment with
// the manifest's timescale. Tracks keep their own timescales, so every time
// is converted with Track.ToHNS from the track-timescale segment and sample
// times, and durations are differences of converted times (never converted
// durations), so that sums are exact and FindSegment maps a URL time back
// to the segment it was derived from.
package smooth
