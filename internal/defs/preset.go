package defs

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Wire types of Transform output presets (ams-v3-models.txt: Preset,
// BuiltInStandardEncoderPreset, StandardEncoderPreset and their codecs,
// layers, formats and filters). The polymorphic codec, layer and format
// unions are flattened into one struct each: the discriminator says which
// members apply, and validation refuses members that do not.

// "@odata.type" discriminators of presets and their parts.
const (
	ODataTypeBuiltInStandardEncoderPreset = "#Microsoft.Media.BuiltInStandardEncoderPreset"
	ODataTypeStandardEncoderPreset        = "#Microsoft.Media.StandardEncoderPreset"
	ODataTypeAudioAnalyzerPreset          = "#Microsoft.Media.AudioAnalyzerPreset"
	ODataTypeVideoAnalyzerPreset          = "#Microsoft.Media.VideoAnalyzerPreset"
	ODataTypeFaceDetectorPreset           = "#Microsoft.Media.FaceDetectorPreset"

	ODataTypeH264Video = "#Microsoft.Media.H264Video"
	ODataTypeH265Video = "#Microsoft.Media.H265Video"
	ODataTypeAacAudio  = "#Microsoft.Media.AacAudio"
	ODataTypeDDAudio   = "#Microsoft.Media.DDAudio"
	ODataTypeCopyVideo = "#Microsoft.Media.CopyVideo"
	ODataTypeCopyAudio = "#Microsoft.Media.CopyAudio"
	ODataTypePngImage  = "#Microsoft.Media.PngImage"
	ODataTypeJpgImage  = "#Microsoft.Media.JpgImage"

	ODataTypeMp4Format             = "#Microsoft.Media.Mp4Format"
	ODataTypeTransportStreamFormat = "#Microsoft.Media.TransportStreamFormat"
	ODataTypePngFormat             = "#Microsoft.Media.PngFormat"
	ODataTypeJpgFormat             = "#Microsoft.Media.JpgFormat"

	ODataTypeAudioOverlay = "#Microsoft.Media.AudioOverlay"
	ODataTypeVideoOverlay = "#Microsoft.Media.VideoOverlay"
)

// ErrPresetUnsupported marks a well-formed preset that Lockstream does not
// run (analyzers, face detection, unknown built-in names, features without
// an ffmpeg equivalent). Errors wrapping it also wrap a *FieldError that
// names the member.
var ErrPresetUnsupported = errors.New("preset not supported")

func unsupported(path, format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrPresetUnsupported, &FieldError{Field: path, Msg: fmt.Sprintf(format, args...)})
}

// Preset is a decoded Transform output preset: exactly one of BuiltIn and
// Standard is set.
type Preset struct {
	ODataType string
	BuiltIn   *BuiltInStandardEncoderPreset
	Standard  *StandardEncoderPreset
}

// MarshalJSON writes the preset as AMS does, discriminator first.
func (p Preset) MarshalJSON() ([]byte, error) {
	switch {
	case p.BuiltIn != nil:
		type plain BuiltInStandardEncoderPreset
		return marshalTyped(ODataTypeBuiltInStandardEncoderPreset, (*plain)(p.BuiltIn))
	case p.Standard != nil:
		type plain StandardEncoderPreset
		return marshalTyped(ODataTypeStandardEncoderPreset, (*plain)(p.Standard))
	}
	return nil, errors.New("defs: empty preset")
}

// BuiltInStandardEncoderPreset selects a named recipe.
type BuiltInStandardEncoderPreset struct {
	PresetName     string                `json:"presetName"`
	Configurations *PresetConfigurations `json:"configurations,omitempty"`
}

// PresetConfigurations tune the content-aware presets.
type PresetConfigurations struct {
	Complexity                string   `json:"complexity,omitempty"`
	InterleaveOutput          string   `json:"interleaveOutput,omitempty"`
	KeyFrameIntervalInSeconds *float32 `json:"keyFrameIntervalInSeconds,omitempty"`
	MaxBitrateBps             *int32   `json:"maxBitrateBps,omitempty"`
	MaxHeight                 *int32   `json:"maxHeight,omitempty"`
	MaxLayers                 *int32   `json:"maxLayers,omitempty"`
	MinBitrateBps             *int32   `json:"minBitrateBps,omitempty"`
	MinHeight                 *int32   `json:"minHeight,omitempty"`
}

// StandardEncoderPreset is a custom recipe.
type StandardEncoderPreset struct {
	Codecs              []Codec           `json:"codecs"`
	Formats             []Format          `json:"formats"`
	Filters             *Filters          `json:"filters,omitempty"`
	ExperimentalOptions map[string]string `json:"experimentalOptions,omitempty"`
}

// Codec is the union of H264Video, H265Video, AacAudio, CopyVideo,
// CopyAudio, PngImage and JpgImage.
type Codec struct {
	ODataType string `json:"@odata.type"`
	Label     string `json:"label,omitempty"`

	// Video and image members.
	KeyFrameInterval string `json:"keyFrameInterval,omitempty"`
	StretchMode      string `json:"stretchMode,omitempty"`
	SyncMode         string `json:"syncMode,omitempty"`

	// H264Video / H265Video.
	Complexity           string  `json:"complexity,omitempty"`
	RateControlMode      string  `json:"rateControlMode,omitempty"`
	SceneChangeDetection *bool   `json:"sceneChangeDetection,omitempty"`
	Layers               []Layer `json:"layers,omitempty"`

	// PngImage / JpgImage.
	Start        string `json:"start,omitempty"`
	Step         string `json:"step,omitempty"`
	Range        string `json:"range,omitempty"`
	SpriteColumn *int32 `json:"spriteColumn,omitempty"`

	// AacAudio.
	Bitrate      *int32 `json:"bitrate,omitempty"`
	Channels     *int32 `json:"channels,omitempty"`
	SamplingRate *int32 `json:"samplingRate,omitempty"`
	Profile      string `json:"profile,omitempty"`
}

// IsVideo reports whether c encodes or copies video.
func (c *Codec) IsVideo() bool {
	switch c.ODataType {
	case ODataTypeH264Video, ODataTypeH265Video, ODataTypeCopyVideo:
		return true
	}
	return false
}

// IsAudio reports whether c encodes or copies audio.
func (c *Codec) IsAudio() bool {
	return c.ODataType == ODataTypeAacAudio || c.ODataType == ODataTypeCopyAudio
}

// IsImage reports whether c makes thumbnails.
func (c *Codec) IsImage() bool {
	return c.ODataType == ODataTypePngImage || c.ODataType == ODataTypeJpgImage
}

// Layer is the union of H264Layer, H265Layer, PngLayer and JpgLayer.
type Layer struct {
	Width  string `json:"width,omitempty"`
	Height string `json:"height,omitempty"`
	Label  string `json:"label,omitempty"`

	// Video layers.
	Bitrate         *int32   `json:"bitrate,omitempty"`
	MaxBitrate      *int32   `json:"maxBitrate,omitempty"`
	BufferWindow    string   `json:"bufferWindow,omitempty"`
	Crf             *float32 `json:"crf,omitempty"`
	FrameRate       string   `json:"frameRate,omitempty"`
	Profile         string   `json:"profile,omitempty"`
	Level           string   `json:"level,omitempty"`
	BFrames         *int32   `json:"bFrames,omitempty"`
	ReferenceFrames *int32   `json:"referenceFrames,omitempty"`
	AdaptiveBFrame  *bool    `json:"adaptiveBFrame,omitempty"`
	EntropyMode     string   `json:"entropyMode,omitempty"`
	Slices          *int32   `json:"slices,omitempty"`

	// JpgLayer.
	Quality *int32 `json:"quality,omitempty"`
}

// Format is the union of Mp4Format, TransportStreamFormat, PngFormat and
// JpgFormat.
type Format struct {
	ODataType       string       `json:"@odata.type"`
	FilenamePattern string       `json:"filenamePattern"`
	OutputFiles     []OutputFile `json:"outputFiles,omitempty"`
}

// OutputFile lists the codec/layer labels muxed into one file.
type OutputFile struct {
	Labels []string `json:"labels"`
}

// Filters are applied to the input before encoding.
type Filters struct {
	Crop        *Rectangle   `json:"crop,omitempty"`
	Deinterlace *Deinterlace `json:"deinterlace,omitempty"`
	Rotation    string       `json:"rotation,omitempty"`
	Overlays    []Overlay    `json:"overlays,omitempty"`
	// FadeIn and FadeOut (api 2022-07-01) are kept only to refuse them.
	FadeIn  json.RawMessage `json:"fadeIn,omitempty"`
	FadeOut json.RawMessage `json:"fadeOut,omitempty"`
}

// Rectangle is a region in pixels ("100") or percent of the input ("10%").
type Rectangle struct {
	Left   string `json:"left,omitempty"`
	Top    string `json:"top,omitempty"`
	Width  string `json:"width,omitempty"`
	Height string `json:"height,omitempty"`
}

// Deinterlace configures deinterlacing.
type Deinterlace struct {
	Parity string `json:"parity,omitempty"`
	Mode   string `json:"mode,omitempty"`
}

// Overlay is the union of AudioOverlay and VideoOverlay.
type Overlay struct {
	ODataType       string     `json:"@odata.type"`
	InputLabel      string     `json:"inputLabel"`
	Start           string     `json:"start,omitempty"`
	End             string     `json:"end,omitempty"`
	FadeInDuration  string     `json:"fadeInDuration,omitempty"`
	FadeOutDuration string     `json:"fadeOutDuration,omitempty"`
	AudioGainLevel  *float64   `json:"audioGainLevel,omitempty"`
	Opacity         *float64   `json:"opacity,omitempty"`
	Position        *Rectangle `json:"position,omitempty"`
	CropRectangle   *Rectangle `json:"cropRectangle,omitempty"`
}

// DecodePreset decodes and validates one Transform output preset found at
// path of the request body. Invalid members come back as *FieldError with
// their full path; well-formed presets Lockstream does not run come back
// wrapping ErrPresetUnsupported (and a *FieldError).
func DecodePreset(path string, raw []byte) (*Preset, error) {
	t, ok, err := readODataType(raw, path)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, required(path)
	}
	p := &Preset{ODataType: t}
	switch t {
	case ODataTypeBuiltInStandardEncoderPreset:
		var b struct {
			PresetName     string                `json:"presetName"`
			Configurations *PresetConfigurations `json:"configurations"`
		}
		if err := decodeAt(raw, path, &b); err != nil {
			return nil, err
		}
		p.BuiltIn = &BuiltInStandardEncoderPreset{PresetName: b.PresetName, Configurations: b.Configurations}
		if err := p.BuiltIn.validate(path); err != nil {
			return nil, err
		}
	case ODataTypeStandardEncoderPreset:
		s, err := decodeStandard(path, raw)
		if err != nil {
			return nil, err
		}
		if err := s.validate(path); err != nil {
			return nil, err
		}
		p.Standard = s
	case ODataTypeAudioAnalyzerPreset, ODataTypeVideoAnalyzerPreset, ODataTypeFaceDetectorPreset:
		return nil, unsupported(join(path, "@odata.type"), "%s is not supported: Lockstream encodes with ffmpeg and has no media analysis; use BuiltInStandardEncoderPreset or StandardEncoderPreset", t)
	default:
		return nil, unsupported(join(path, "@odata.type"), "unknown preset type %q; expected %s or %s", t,
			ODataTypeBuiltInStandardEncoderPreset, ODataTypeStandardEncoderPreset)
	}
	return p, nil
}

// decodeStandard decodes a StandardEncoderPreset element by element, so
// that type errors carry array indices.
func decodeStandard(path string, raw []byte) (*StandardEncoderPreset, error) {
	var w struct {
		Codecs              json.RawMessage   `json:"codecs"`
		Formats             json.RawMessage   `json:"formats"`
		Filters             json.RawMessage   `json:"filters"`
		ExperimentalOptions map[string]string `json:"experimentalOptions"`
	}
	if err := decodeAt(raw, path, &w); err != nil {
		return nil, err
	}
	s := &StandardEncoderPreset{ExperimentalOptions: w.ExperimentalOptions}
	codecs, err := decodeArray(join(path, "codecs"), w.Codecs)
	if err != nil {
		return nil, err
	}
	for i, c := range codecs {
		cp := index(join(path, "codecs"), i)
		var cw struct {
			Codec
			Layers json.RawMessage `json:"layers"`
		}
		if err := decodeAt(c, cp, &cw); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				fe.Field = strings.Replace(fe.Field, ".Codec.", ".", 1)
			}
			return nil, err
		}
		layers, err := decodeArray(join(cp, "layers"), cw.Layers)
		if err != nil {
			return nil, err
		}
		cw.Codec.Layers = nil
		for j, l := range layers {
			var layer Layer
			if err := decodeAt(l, index(join(cp, "layers"), j), &layer); err != nil {
				return nil, err
			}
			cw.Codec.Layers = append(cw.Codec.Layers, layer)
		}
		s.Codecs = append(s.Codecs, cw.Codec)
	}
	formats, err := decodeArray(join(path, "formats"), w.Formats)
	if err != nil {
		return nil, err
	}
	for i, f := range formats {
		var fm Format
		if err := decodeAt(f, index(join(path, "formats"), i), &fm); err != nil {
			return nil, err
		}
		s.Formats = append(s.Formats, fm)
	}
	if !isNull(w.Filters) {
		s.Filters = new(Filters)
		if err := decodeAt(w.Filters, join(path, "filters"), s.Filters); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// decodeArray splits a JSON array into its elements (nil for absent/null).
func decodeArray(path string, raw json.RawMessage) ([]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, errorf(path, "must be an array")
	}
	return out, nil
}
