package smooth

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// Media is the SmoothStreamingMedia root element of a client manifest.
type Media struct {
	XMLName      xml.Name      `xml:"SmoothStreamingMedia"`
	MajorVersion int           `xml:"MajorVersion,attr"`
	MinorVersion int           `xml:"MinorVersion,attr"`
	TimeScale    uint64        `xml:"TimeScale,attr"`
	Duration     uint64        `xml:"Duration,attr"`
	Protection   *Protection   `xml:"Protection"`
	Streams      []StreamIndex `xml:"StreamIndex"`
}

// Protection carries the DRM headers of a protected presentation.
type Protection struct {
	Headers []ProtectionHeader `xml:"ProtectionHeader"`
}

// ProtectionHeader is one DRM system's header: for PlayReady, SystemID
// "9A04F079-9840-4286-AB92-E65BE0885F95" and the base64 PlayReady Object.
type ProtectionHeader struct {
	SystemID string `xml:"SystemID,attr"`
	Data     string `xml:",chardata"`
}

// StreamIndex is one stream: a set of QualityLevels sharing one timeline.
type StreamIndex struct {
	Type          string         `xml:"Type,attr"`
	Name          string         `xml:"Name,attr"`
	Language      string         `xml:"Language,attr,omitempty"`
	Subtype       string         `xml:"Subtype,attr,omitempty"`
	Chunks        int            `xml:"Chunks,attr"`
	QualityLevels int            `xml:"QualityLevels,attr"`
	URL           string         `xml:"Url,attr"`
	TimeScale     uint64         `xml:"TimeScale,attr,omitempty"`
	MaxWidth      int            `xml:"MaxWidth,attr,omitempty"`
	MaxHeight     int            `xml:"MaxHeight,attr,omitempty"`
	DisplayWidth  int            `xml:"DisplayWidth,attr,omitempty"`
	DisplayHeight int            `xml:"DisplayHeight,attr,omitempty"`
	Levels        []QualityLevel `xml:"QualityLevel"`
	Chunk         []Chunk        `xml:"c"`
}

// QualityLevel is one track of a stream.
type QualityLevel struct {
	Index            int    `xml:"Index,attr"`
	Bitrate          uint64 `xml:"Bitrate,attr"`
	FourCC           string `xml:"FourCC,attr"`
	MaxWidth         int    `xml:"MaxWidth,attr,omitempty"`
	MaxHeight        int    `xml:"MaxHeight,attr,omitempty"`
	CodecPrivateData string `xml:"CodecPrivateData,attr"`
	SamplingRate     int    `xml:"SamplingRate,attr,omitempty"`
	Channels         int    `xml:"Channels,attr,omitempty"`
	BitsPerSample    int    `xml:"BitsPerSample,attr,omitempty"`
	PacketSize       int    `xml:"PacketSize,attr,omitempty"`
	AudioTag         int    `xml:"AudioTag,attr,omitempty"`
}

// Chunk is one c element. T is set on the first chunk and after a gap; R
// (MinorVersion 2 only) is the number of consecutive chunks of duration D
// it stands for, this one included, as clients (ExoPlayer) read it.
type Chunk struct {
	T *uint64 `xml:"t,attr"`
	D uint64  `xml:"d,attr"`
	R int     `xml:"r,attr,omitempty"`
}

// Format is the AMS Smooth output format: "" (Smooth 2.2, with r
// attributes) or FormatV20.
type Format string

// FormatV20 is AMS "fmp4-v20": Smooth 2.0, MinorVersion 0, no r.
const FormatV20 Format = "fmp4-v20"

// Options shape a manifest.
type Options struct {
	Format Format
	// Protection, when set, is written as the manifest's Protection
	// element (PlayReady ProtectionHeader).
	Protection *Protection
}

// Manifest returns the Smooth client manifest of view v.
func Manifest(v *packager.View, o Options) ([]byte, error) {
	m := &Media{MajorVersion: 2, MinorVersion: 2, TimeScale: media.HNS, Duration: v.Duration(), Protection: o.Protection}
	switch o.Format {
	case "":
	case FormatV20:
		m.MinorVersion = 0
	default:
		return nil, fmt.Errorf("smooth: unknown format %q", o.Format)
	}
	for _, set := range streams(v) {
		si, err := streamIndex(v, set, m.MinorVersion >= 2)
		if err != nil {
			return nil, err
		}
		m.Streams = append(m.Streams, *si)
	}
	if len(m.Streams) == 0 {
		return nil, fmt.Errorf("%w: no track has fragments in the view", ErrNotFound)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("smooth: encode manifest: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// streams groups the view's tracks into StreamIndexes: video tracks of one
// name whose chunk times agree share one, every audio track has its own.
// Tracks without fragments in the window are left out.
func streams(v *packager.View) [][]*media.Track {
	var out [][]*media.Track
	for _, t := range v.Tracks {
		if lo, hi := v.Window(t); lo >= hi {
			continue
		}
		joined := false
		if t.Kind == media.Video {
			for i, set := range out {
				if set[0].Kind == media.Video && set[0].Name == t.Name && sameChunks(v, set[0], t) {
					out[i], joined = append(set, t), true
					break
				}
			}
		}
		if !joined {
			out = append(out, []*media.Track{t})
		}
	}
	return out
}

func sameChunks(v *packager.View, a, b *media.Track) bool {
	alo, ahi := v.Window(a)
	blo, bhi := v.Window(b)
	if ahi-alo != bhi-blo {
		return false
	}
	for i := range ahi - alo {
		x, y := a.ToHNS(a.Segments[alo+i].Start), b.ToHNS(b.Segments[blo+i].Start)
		if x > y+1 || y > x+1 {
			return false
		}
	}
	return true
}

func streamIndex(v *packager.View, set []*media.Track, repeat bool) (*StreamIndex, error) {
	t0 := set[0]
	si := &StreamIndex{
		Type:          string(t0.Kind),
		Name:          t0.Name,
		QualityLevels: len(set),
		URL:           "QualityLevels({bitrate})/Fragments(" + t0.Name + "={start time}" + v.Suffix + ")",
		TimeScale:     media.HNS,
	}
	if t0.Kind == media.Audio {
		si.Language = t0.Language
	}
	for i, t := range set {
		q, err := qualityLevel(t, i)
		if err != nil {
			return nil, err
		}
		if t.Kind == media.Video {
			si.MaxWidth, si.MaxHeight = max(si.MaxWidth, t.Width), max(si.MaxHeight, t.Height)
		} else {
			si.Subtype = q.FourCC
		}
		si.Levels = append(si.Levels, q)
	}
	si.DisplayWidth, si.DisplayHeight = si.MaxWidth, si.MaxHeight
	lo, hi := v.Window(t0)
	si.Chunk = chunks(t0, lo, hi, repeat)
	si.Chunks = hi - lo
	return si, nil
}

func qualityLevel(t *media.Track, index int) (QualityLevel, error) {
	q := QualityLevel{Index: index, Bitrate: t.Bitrate}
	switch t.FourCC {
	case "avc1", "avc3":
		q.FourCC = "H264"
	case "hvc1", "hev1":
		q.FourCC = strings.ToUpper(t.FourCC)
	case "mp4a":
		q.FourCC = "AACL"
		if strings.HasSuffix(t.Codec, ".5") || strings.HasSuffix(t.Codec, ".29") {
			q.FourCC = "AACH"
		}
		q.AudioTag = 255
		q.CodecPrivateData = strings.ToUpper(hex.EncodeToString(t.ASC))
	case "ec-3", "ac-3":
		q.FourCC = strings.ToUpper(t.FourCC)
		q.AudioTag = 65534 // WAVE_FORMAT_EXTENSIBLE
	default:
		return q, fmt.Errorf("smooth: %s: codec %s not supported", t.Name, t.FourCC)
	}
	if t.Kind == media.Video {
		q.MaxWidth, q.MaxHeight = t.Width, t.Height
		q.CodecPrivateData = annexB(t.ParamSets)
	} else {
		q.SamplingRate, q.Channels = t.SampleRate, t.Channels
		q.BitsPerSample, q.PacketSize = 16, 4
	}
	return q, nil
}

// annexB writes parameter sets with start codes, in hex, as Smooth's
// CodecPrivateData carries them for H.264 and H.265.
func annexB(sets [][]byte) string {
	var b strings.Builder
	for _, ps := range sets {
		b.WriteString("00000001")
		b.WriteString(strings.ToUpper(hex.EncodeToString(ps)))
	}
	return b.String()
}
