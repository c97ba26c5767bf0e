package streamurl

import "strconv"

// Kind is the kind of resource a path names. The zero value is not a valid
// kind, so a Request that Parse did not fill in is easy to spot.
type Kind int

// Kinds of streaming-origin resources.
const (
	KindManifest Kind = iota + 1 // {name}.ism/manifest(…): Smooth, DASH MPD or HLS master playlist
	KindPlaylist                 // {name}.ism/QualityLevels(b)/Manifest(track,…): HLS media playlist
	KindFragment                 // {name}.ism/QualityLevels(b)/Fragments(track=t,…): segment or init ("i")
	KindDownload                 // {file}: progressive download of a file in the asset
)

var kindNames = [...]string{KindManifest: "manifest", KindPlaylist: "playlist", KindFragment: "fragment", KindDownload: "download"}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Format is the value of the format= argument. The zero value, FormatSmooth,
// is what AMS served when the argument is absent.
type Format int

// Output formats (ams-v3-api.md §9.2). HDS (f4m-f4f) was dropped in AMS v3
// and is refused.
const (
	FormatSmooth   Format = iota // no format= argument: Smooth Streaming
	FormatSmooth20               // fmp4-v20: Smooth 2.0 (no r repeat attributes)
	FormatHLS                    // m3u8-aapl: HLS v4+, TS, separate audio renditions
	FormatHLSv3                  // m3u8-aapl-v3: HLS v3, muxed TS
	FormatHLSCMAF                // m3u8-cmaf: HLS v7, fMP4/CMAF segments
	FormatDASHCSF                // mpd-time-csf: DASH, SegmentTimeline
	FormatDASHCMAF               // mpd-time-cmaf: DASH with CMAF segments
)

var formatTokens = [...]string{
	FormatSmooth:   "",
	FormatSmooth20: "fmp4-v20",
	FormatHLS:      "m3u8-aapl",
	FormatHLSv3:    "m3u8-aapl-v3",
	FormatHLSCMAF:  "m3u8-cmaf",
	FormatDASHCSF:  "mpd-time-csf",
	FormatDASHCMAF: "mpd-time-cmaf",
}

// String returns the AMS format= token; FormatSmooth has none and returns "".
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatTokens) {
		return formatTokens[f]
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// Protocol returns the streaming policy protocol name that enables f:
// "SmoothStreaming", "Hls" or "Dash" (the AMS StreamingPolicy spellings), or
// "" for an invalid Format.
func (f Format) Protocol() string {
	switch f {
	case FormatSmooth, FormatSmooth20:
		return "SmoothStreaming"
	case FormatHLS, FormatHLSv3, FormatHLSCMAF:
		return "Hls"
	case FormatDASHCSF, FormatDASHCMAF:
		return "Dash"
	}
	return ""
}

// IsCMAF reports whether f is served as CMAF (fMP4) segments in HLS or DASH,
// the formats for which AMS accepted "encryption=cbcs" for "cbcs-aapl".
func (f Format) IsCMAF() bool {
	return f == FormatHLSCMAF || f == FormatDASHCSF || f == FormatDASHCMAF
}

// Encryption is the value of the encryption= argument; EncNone means absent.
type Encryption int

// Encryption schemes.
const (
	EncNone Encryption = iota // no encryption= argument
	EncCBC                    // cbc: AES-128 envelope
	EncCENC                   // cenc: CENC (PlayReady, Widevine, ClearKey)
	EncCBCS                   // cbcs-aapl (alias cbcs): CBCS, FairPlay
)

var encTokens = [...]string{EncNone: "", EncCBC: "cbc", EncCENC: "cenc", EncCBCS: "cbcs-aapl"}

// String returns the canonical AMS encryption= token; EncNone returns "".
func (e Encryption) String() string {
	if e >= 0 && int(e) < len(encTokens) {
		return encTokens[e]
	}
	return "Encryption(" + strconv.Itoa(int(e)) + ")"
}

// Args are the arguments that can follow a manifest, playlist or fragment
// ("format=m3u8-aapl,encryption=cbcs-aapl,filter=a;b"). The origin copies a
// request's Args into every sub-URL it writes into a manifest, so that each
// request on its own says which format and scheme it belongs to.
type Args struct {
	Format         Format
	Encryption     Encryption
	Filters        []string // filter=a;b, in request order; nil when absent
	AudioOnlyFalse bool     // audio-only=false: drop the HLS audio-only variant
	Keyframes      bool     // type=keyframes: HLS I-frame playlist
	AudioTrack     string   // audiotrack=: HLS v3 muxed audio track
}

// Request is a parsed streaming-origin path. Fields that do not apply to
// Kind are zero.
type Request struct {
	LocatorID string // lower-case GUID with hyphens
	Kind      Kind

	// Name is the server manifest's file name without ".ism" (for
	// "/…/Big Buck Bunny.ism/manifest" it is "Big Buck Bunny"). It is not
	// the asset's ARM name: an asset may hold several .ism files.
	Name string

	Args // manifest, playlist and fragment arguments

	Bitrate uint64 // QualityLevels(…), playlist and fragment
	Track   string // playlist and fragment track name
	Time    uint64 // fragment start time (0 when Init)
	Init    bool   // fragment is the initialisation segment ("=i")

	// Ext is the ignored trailing extension, lower-cased, with its dot:
	// ".m3u8" or ".mpd" on manifests, ".m3u8" on playlists, and on
	// fragments any 1–8 letters or digits (".ts", ".m4s", ".mp4", …).
	// It is kept so that Path reproduces it.
	Ext string

	File string // download: unescaped path of the file inside the asset, '/'-separated
}
