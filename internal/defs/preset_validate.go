package defs

import (
	"math"
	"slices"
	"strings"
)

// Built-in preset names (EncoderNamedPreset) Lockstream runs.
const (
	PresetAdaptiveStreaming                = "AdaptiveStreaming"
	PresetH265AdaptiveStreaming            = "H265AdaptiveStreaming"
	PresetContentAwareEncoding             = "ContentAwareEncoding"
	PresetContentAwareEncodingExperimental = "ContentAwareEncodingExperimental"
	PresetH265ContentAwareEncoding         = "H265ContentAwareEncoding"
	PresetH264MultipleBitrate1080p         = "H264MultipleBitrate1080p"
	PresetH264MultipleBitrate720p          = "H264MultipleBitrate720p"
	PresetH264MultipleBitrateSD            = "H264MultipleBitrateSD"
	PresetH264SingleBitrate1080p           = "H264SingleBitrate1080p"
	PresetH264SingleBitrate720p            = "H264SingleBitrate720p"
	PresetH264SingleBitrateSD              = "H264SingleBitrateSD"
	PresetH265SingleBitrate720p            = "H265SingleBitrate720p"
	PresetH265SingleBitrate1080p           = "H265SingleBitrate1080p"
	PresetH265SingleBitrate4K              = "H265SingleBitrate4K"
	PresetAACGoodQualityAudio              = "AACGoodQualityAudio"
	PresetCopyCodec                        = "CopyCodec"
	PresetCopyAllBitrateNonInterleaved     = "CopyAllBitrateNonInterleaved"
)

// BuiltInPresetNames lists the names DecodePreset accepts.
var BuiltInPresetNames = []string{
	PresetAdaptiveStreaming, PresetH265AdaptiveStreaming,
	PresetContentAwareEncoding, PresetContentAwareEncodingExperimental, PresetH265ContentAwareEncoding,
	PresetH264MultipleBitrate1080p, PresetH264MultipleBitrate720p, PresetH264MultipleBitrateSD,
	PresetH264SingleBitrate1080p, PresetH264SingleBitrate720p, PresetH264SingleBitrateSD,
	PresetH265SingleBitrate720p, PresetH265SingleBitrate1080p, PresetH265SingleBitrate4K,
	PresetAACGoodQualityAudio, PresetCopyCodec, PresetCopyAllBitrateNonInterleaved,
}

// validate checks a built-in preset. configurations are checked for every
// name but, as in AMS, only the content-aware presets use them.
func (b *BuiltInStandardEncoderPreset) validate(path string) error {
	np := join(path, "presetName")
	if b.PresetName == "" {
		return required(np)
	}
	if !slices.Contains(BuiltInPresetNames, b.PresetName) {
		return unsupported(np, "built-in preset %q is not supported; supported: %s", b.PresetName, strings.Join(BuiltInPresetNames, ", "))
	}
	c := b.Configurations
	if c == nil {
		return nil
	}
	cp := join(path, "configurations")
	if err := checkOptionalEnum(join(cp, "complexity"), c.Complexity, "Speed", "Balanced", "Quality"); err != nil {
		return err
	}
	if err := checkOptionalEnum(join(cp, "interleaveOutput"), c.InterleaveOutput, "NonInterleavedOutput", "InterleavedOutput"); err != nil {
		return err
	}
	if k := c.KeyFrameIntervalInSeconds; k != nil && (math.IsNaN(float64(*k)) || *k < 0.5 || *k > 20) {
		return errorf(join(cp, "keyFrameIntervalInSeconds"), "must be between 0.5 and 20 seconds")
	}
	for _, f := range []struct {
		name     string
		v        *int32
		min, max int32
	}{
		{"maxBitrateBps", c.MaxBitrateBps, 50_000, math.MaxInt32},
		{"minBitrateBps", c.MinBitrateBps, 50_000, math.MaxInt32},
		{"maxHeight", c.MaxHeight, 90, 4320},
		{"minHeight", c.MinHeight, 90, 4320},
		{"maxLayers", c.MaxLayers, 1, 20},
	} {
		if f.v != nil && (*f.v < f.min || *f.v > f.max) {
			return errorf(join(cp, f.name), "%d is outside %d–%d", *f.v, f.min, f.max)
		}
	}
	if c.MinBitrateBps != nil && c.MaxBitrateBps != nil && *c.MinBitrateBps > *c.MaxBitrateBps {
		return errorf(join(cp, "minBitrateBps"), "is larger than maxBitrateBps")
	}
	if c.MinHeight != nil && c.MaxHeight != nil && *c.MinHeight > *c.MaxHeight {
		return errorf(join(cp, "minHeight"), "is larger than maxHeight")
	}
	return nil
}

// validate checks a custom preset: every codec and format, that labels
// referenced by outputFiles exist, and that each format has something to
// write.
func (s *StandardEncoderPreset) validate(path string) error {
	cp, fp := join(path, "codecs"), join(path, "formats")
	if len(s.Codecs) == 0 {
		return errorf(cp, "is required and must not be empty")
	}
	if len(s.Formats) == 0 {
		return errorf(fp, "is required and must not be empty")
	}
	labels := map[string]bool{}
	var video, audio, png, jpg bool
	for i := range s.Codecs {
		c := &s.Codecs[i]
		p := index(cp, i)
		if err := c.validate(p, len(s.Codecs)); err != nil {
			return err
		}
		if c.Label != "" {
			labels[c.Label] = true
		}
		for _, l := range c.Layers {
			if l.Label != "" {
				labels[l.Label] = true
			}
		}
		video = video || c.IsVideo()
		audio = audio || c.IsAudio()
		png = png || c.ODataType == ODataTypePngImage
		jpg = jpg || c.ODataType == ODataTypeJpgImage
	}
	var hasPng, hasJpg, hasAV bool
	for i := range s.Formats {
		f := &s.Formats[i]
		p := index(fp, i)
		switch f.ODataType {
		case "":
			return required(join(p, "@odata.type"))
		case ODataTypeMp4Format, ODataTypeTransportStreamFormat:
			hasAV = true
			if !video && !audio {
				return errorf(p, "%s needs an audio or video codec in codecs", f.ODataType)
			}
		case ODataTypePngFormat:
			hasPng = true
			if !png {
				return errorf(p, "PngFormat needs a #Microsoft.Media.PngImage codec")
			}
		case ODataTypeJpgFormat:
			hasJpg = true
			if !jpg {
				return errorf(p, "JpgFormat needs a #Microsoft.Media.JpgImage codec")
			}
		default:
			return unknownODataType(p, f.ODataType, ODataTypeMp4Format, ODataTypeTransportStreamFormat, ODataTypePngFormat, ODataTypeJpgFormat)
		}
		if err := checkPattern(join(p, "filenamePattern"), f.FilenamePattern); err != nil {
			return err
		}
		if len(f.OutputFiles) > 0 && !(f.ODataType == ODataTypeMp4Format || f.ODataType == ODataTypeTransportStreamFormat) {
			return errorf(join(p, "outputFiles"), "applies only to Mp4Format and TransportStreamFormat")
		}
		for j, o := range f.OutputFiles {
			op := join(index(join(p, "outputFiles"), j), "labels")
			if len(o.Labels) == 0 {
				return errorf(op, "is required and must not be empty")
			}
			for k, l := range o.Labels {
				if !labels[l] {
					return errorf(index(op, k), "no codec or layer has the label %q", l)
				}
			}
		}
	}
	switch {
	case (video || audio) && !hasAV:
		return errorf(fp, "audio and video codecs need an Mp4Format or TransportStreamFormat")
	case png && !hasPng:
		return errorf(fp, "a PngImage codec needs a PngFormat")
	case jpg && !hasJpg:
		return errorf(fp, "a JpgImage codec needs a JpgFormat")
	}
	return s.Filters.validate(join(path, "filters"))
}

// patternChars are the characters a filename pattern may hold outside
// macros: output names become blob names and URL path segments.
func checkPattern(path, p string) error {
	if p == "" {
		return required(path)
	}
	if len(p) > 256 {
		return errorf(path, "is longer than 256 characters")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return errorf(path, "must not contain %q (a file name, not a path)", r)
		}
	}
	if strings.Count(p, "{") != strings.Count(p, "}") {
		return errorf(path, "has unbalanced braces")
	}
	return nil
}

func (f *Filters) validate(path string) error {
	if f == nil {
		return nil
	}
	if f.Crop != nil {
		if err := f.Crop.validate(join(path, "crop")); err != nil {
			return err
		}
	}
	if d := f.Deinterlace; d != nil {
		if err := checkOptionalEnum(join(path, "deinterlace.parity"), d.Parity, "Auto", "TopFieldFirst", "BottomFieldFirst"); err != nil {
			return err
		}
		if err := checkOptionalEnum(join(path, "deinterlace.mode"), d.Mode, "Off", "AutoPixelAdaptive"); err != nil {
			return err
		}
	}
	if err := checkOptionalEnum(join(path, "rotation"), f.Rotation, "Auto", "None", "Rotate0", "Rotate90", "Rotate180", "Rotate270"); err != nil {
		return err
	}
	if !isNull(f.FadeIn) {
		return unsupported(join(path, "fadeIn"), "fades are not supported yet")
	}
	if !isNull(f.FadeOut) {
		return unsupported(join(path, "fadeOut"), "fades are not supported yet")
	}
	op := join(path, "overlays")
	for i := range f.Overlays {
		o := &f.Overlays[i]
		p := index(op, i)
		switch o.ODataType {
		case "":
			return required(join(p, "@odata.type"))
		case ODataTypeAudioOverlay, ODataTypeVideoOverlay:
		default:
			return unknownODataType(p, o.ODataType, ODataTypeAudioOverlay, ODataTypeVideoOverlay)
		}
		if o.InputLabel == "" {
			return required(join(p, "inputLabel"))
		}
		for _, d := range []struct{ name, v string }{{"start", o.Start}, {"end", o.End}, {"fadeInDuration", o.FadeInDuration}, {"fadeOutDuration", o.FadeOutDuration}} {
			if d.v == "" {
				continue
			}
			if _, err := ParseISODuration(d.v); err != nil {
				return errorf(join(p, d.name), "%v", err)
			}
		}
		if g := o.AudioGainLevel; g != nil && (math.IsNaN(*g) || *g < 0 || *g > 1) {
			return errorf(join(p, "audioGainLevel"), "must be between 0 and 1")
		}
		if o.ODataType == ODataTypeAudioOverlay {
			if o.Opacity != nil || o.Position != nil || o.CropRectangle != nil {
				return errorf(p, "opacity, position and cropRectangle apply only to #Microsoft.Media.VideoOverlay")
			}
			continue
		}
		if v := o.Opacity; v != nil && (math.IsNaN(*v) || *v < 0 || *v > 1) {
			return errorf(join(p, "opacity"), "must be between 0 and 1")
		}
		if o.Position != nil {
			if err := o.Position.validate(join(p, "position")); err != nil {
				return err
			}
		}
		if o.CropRectangle != nil {
			if err := o.CropRectangle.validate(join(p, "cropRectangle")); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *Rectangle) validate(path string) error {
	for _, d := range []struct{ name, v string }{{"left", r.Left}, {"top", r.Top}, {"width", r.Width}, {"height", r.Height}} {
		if d.v == "" {
			continue
		}
		if _, err := ParseSize(d.v); err != nil {
			return errorf(join(path, d.name), "%v", err)
		}
	}
	return nil
}
