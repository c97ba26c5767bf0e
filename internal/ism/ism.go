package ism

import "errors"

// MaxSize is the largest .ism Parse reads. Real server manifests are a few
// kilobytes; the limit only stops a hostile upload from costing memory.
const MaxSize = 1 << 20

// Namespace is the SMIL 2.0 namespace AMS wrote on the root element.
const Namespace = "http://www.w3.org/2001/SMIL20/Language"

// Entry kinds: the element names inside <switch>.
const (
	KindVideo      = "video"
	KindAudio      = "audio"
	KindTextStream = "textstream"
)

// Parameter names that Entry models as fields rather than in Params.
const (
	ParamTrackID   = "trackID"
	ParamTrackName = "trackName"
)

// Errors wrapped by Parse and Marshal.
var (
	ErrTooLarge  = errors.New("ism: manifest larger than 1 MiB")
	ErrMalformed = errors.New("ism: malformed server manifest")
	ErrInvalid   = errors.New("ism: invalid server manifest")
)

// Manifest is a parsed server manifest.
type Manifest struct {
	// Meta holds the <head><meta name content/> elements in order. AMS
	// wrote {Name: "formats", Content: "mp4-v3"}; see DefaultMeta.
	Meta []Meta

	// Entries are the <switch> children in document order. There is at
	// least one.
	Entries []Entry
}

// Meta is one <meta name="…" content="…"/> element of the head.
type Meta struct {
	Name    string
	Content string
}

// DefaultMeta returns the head AMS wrote into the server manifests it
// produced; use it when deriving a .ism from files.
func DefaultMeta() []Meta { return []Meta{{Name: "formats", Content: "mp4-v3"}} }

// Entry is one <video>, <audio> or <textstream> element.
type Entry struct {
	Kind string // KindVideo, KindAudio or KindTextStream

	// Src is the MP4 file, relative to the .ism: non-empty, '/'-separated,
	// without "." or ".." segments, backslashes, ':' or control characters.
	Src string

	// SystemBitrate is the systemBitrate attribute in bits per second.
	// Video and audio must have it (it is the QualityLevels value of
	// every streaming URL); for text streams 0 means absent.
	SystemBitrate uint64

	Language string // systemLanguage attribute; "" when absent

	// TrackID is the MP4 track ID from <param name="trackID">, or 0 when
	// the entry has none, which means the first track of Kind in Src.
	TrackID uint32

	// TrackName is <param name="trackName">: the name used in streaming
	// URLs ("video", "aac_eng_2_128041_2_1"); "" when absent.
	TrackName string

	// Params holds the other <param> elements by name (nil when there are
	// none). Names are case-sensitive; trackID and trackName in any case
	// are not allowed here.
	Params map[string]string
}
