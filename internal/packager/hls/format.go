package hls

import "strconv"

// Format is an HLS flavour of the AMS format= argument.
type Format int

// HLS formats (ams-v3-api.md §9.2).
const (
	// TS is m3u8-aapl: HLS v4, MPEG-TS segments, audio as separate
	// rendition groups.
	TS Format = iota
	// TSv3 is m3u8-aapl-v3: HLS v3, audio muxed into the video segments,
	// no rendition groups.
	TSv3
	// CMAF is m3u8-cmaf: HLS v7, fMP4/CMAF segments with EXT-X-MAP.
	CMAF
)

var formatTokens = [...]string{TS: "m3u8-aapl", TSv3: "m3u8-aapl-v3", CMAF: "m3u8-cmaf"}

// String returns the format= token.
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatTokens) {
		return formatTokens[f]
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// IsTS reports whether f delivers MPEG-TS segments.
func (f Format) IsTS() bool { return f == TS || f == TSv3 }

// Key is one encryption signalling tag: EXT-X-KEY in media playlists,
// EXT-X-SESSION-KEY in the multivariant playlist. Fields hold attribute
// values verbatim (IV with its 0x prefix); empty ones are left out.
type Key struct {
	Method            string // AES-128, SAMPLE-AES, SAMPLE-AES-CTR, NONE
	URI               string
	IV                string
	KeyFormat         string
	KeyFormatVersions string
}
