package defs

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (c *Codec) validate(path string, ncodecs int) error {
	switch c.ODataType {
	case "":
		return required(join(path, "@odata.type"))
	case ODataTypeH264Video, ODataTypeH265Video:
		return c.validateVideo(path, ncodecs)
	case ODataTypeAacAudio:
		return c.validateAudio(path)
	case ODataTypeCopyVideo, ODataTypeCopyAudio:
		return nil
	case ODataTypePngImage, ODataTypeJpgImage:
		return c.validateImage(path)
	case ODataTypeDDAudio:
		return unsupported(join(path, "@odata.type"), "Dolby Digital audio is not supported; use #Microsoft.Media.AacAudio")
	}
	return unknownODataType(path, c.ODataType, ODataTypeH264Video, ODataTypeH265Video, ODataTypeAacAudio,
		ODataTypeCopyVideo, ODataTypeCopyAudio, ODataTypePngImage, ODataTypeJpgImage)
}

func checkKeyFrameInterval(path, s string) error {
	if s == "" {
		return nil
	}
	d, err := ParseISODuration(s)
	if err != nil {
		return errorf(path, "%v", err)
	}
	if d < 500*time.Millisecond || d > 20*time.Second {
		return errorf(path, "%s must be between PT0.5S and PT20S", s)
	}
	return nil
}

func (c *Codec) validateVideo(path string, ncodecs int) error {
	h264 := c.ODataType == ODataTypeH264Video
	if err := checkKeyFrameInterval(join(path, "keyFrameInterval"), c.KeyFrameInterval); err != nil {
		return err
	}
	if err := checkOptionalEnum(join(path, "stretchMode"), c.StretchMode, "None", "AutoSize", "AutoFit"); err != nil {
		return err
	}
	if err := checkOptionalEnum(join(path, "syncMode"), c.SyncMode, "Auto", "Passthrough", "Cfr", "Vfr"); err != nil {
		return err
	}
	if err := checkOptionalEnum(join(path, "complexity"), c.Complexity, "Speed", "Balanced", "Quality"); err != nil {
		return err
	}
	if h264 {
		if err := checkOptionalEnum(join(path, "rateControlMode"), c.RateControlMode, "ABR", "CBR", "CRF"); err != nil {
			return err
		}
	} else if c.RateControlMode != "" {
		return errorf(join(path, "rateControlMode"), "applies only to #Microsoft.Media.H264Video")
	}
	lp := join(path, "layers")
	if len(c.Layers) == 0 {
		return errorf(lp, "is required: give at least one layer with a bitrate")
	}
	if len(c.Layers) > 20 {
		return errorf(lp, "has %d layers; at most 20", len(c.Layers))
	}
	if c.SceneChangeDetection != nil && *c.SceneChangeDetection && len(c.Layers) > 1 {
		return errorf(join(path, "sceneChangeDetection"), "is allowed only with a single layer: scene-cut keyframes would break the GOP alignment of a ladder")
	}
	profiles := []string{"Auto", "Main", "Main10"}
	if h264 {
		profiles = []string{"Auto", "Baseline", "Main", "High", "High422", "High444"}
	}
	for i := range c.Layers {
		l := &c.Layers[i]
		p := index(lp, i)
		if l.Bitrate == nil {
			return required(join(p, "bitrate"))
		}
		if *l.Bitrate < 1000 || *l.Bitrate > 250_000_000 {
			return errorf(join(p, "bitrate"), "%d bps is outside 1000–250000000", *l.Bitrate)
		}
		if l.MaxBitrate != nil && (*l.MaxBitrate < *l.Bitrate || *l.MaxBitrate > 500_000_000) {
			return errorf(join(p, "maxBitrate"), "must be at least bitrate (%d) and at most 500000000", *l.Bitrate)
		}
		for _, d := range []struct{ name, v string }{{"width", l.Width}, {"height", l.Height}} {
			if d.v == "" {
				continue
			}
			sz, err := ParseSize(d.v)
			if err != nil {
				return errorf(join(p, d.name), "%v", err)
			}
			if sz.Px == 0 && sz.Percent == 0 {
				return errorf(join(p, d.name), "must be greater than 0")
			}
		}
		if l.BufferWindow != "" {
			d, err := ParseISODuration(l.BufferWindow)
			if err != nil {
				return errorf(join(p, "bufferWindow"), "%v", err)
			}
			if d < 100*time.Millisecond || d > 100*time.Second {
				return errorf(join(p, "bufferWindow"), "must be between PT0.1S and PT100S")
			}
		}
		if l.Crf != nil && (math.IsNaN(float64(*l.Crf)) || *l.Crf < 0 || *l.Crf > 51) {
			return errorf(join(p, "crf"), "must be between 0 and 51")
		}
		if l.FrameRate != "" {
			if _, _, err := ParseFrameRate(l.FrameRate); err != nil {
				return errorf(join(p, "frameRate"), "%v", err)
			}
		}
		if err := checkOptionalEnum(join(p, "profile"), l.Profile, profiles...); err != nil {
			return err
		}
		if l.Level != "" && l.Level != "Auto" {
			v, err := strconv.ParseFloat(l.Level, 64)
			if err != nil || v < 1 || v > 6.2 || strings.ContainsAny(l.Level, "eE+-") {
				return errorf(join(p, "level"), "%q is not Auto or a level between 1 and 6.2", l.Level)
			}
		}
		if l.BFrames != nil && (*l.BFrames < 0 || *l.BFrames > 16) {
			return errorf(join(p, "bFrames"), "must be between 0 and 16")
		}
		if l.ReferenceFrames != nil && (*l.ReferenceFrames < 1 || *l.ReferenceFrames > 16) {
			return errorf(join(p, "referenceFrames"), "must be between 1 and 16")
		}
		if l.Slices != nil && (*l.Slices < 0 || *l.Slices > 32) {
			return errorf(join(p, "slices"), "must be between 0 and 32")
		}
		if h264 {
			if err := checkOptionalEnum(join(p, "entropyMode"), l.EntropyMode, "Cabac", "Cavlc"); err != nil {
				return err
			}
		} else if l.EntropyMode != "" {
			return errorf(join(p, "entropyMode"), "applies only to H.264 layers")
		}
		if l.Quality != nil {
			return errorf(join(p, "quality"), "applies only to JPEG thumbnail layers")
		}
	}
	return nil
}

func (c *Codec) validateAudio(path string) error {
	if c.Channels != nil && (*c.Channels < 1 || *c.Channels > 8) {
		return errorf(join(path, "channels"), "must be between 1 and 8")
	}
	if c.SamplingRate != nil && !slices.Contains([]int32{8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000}, *c.SamplingRate) {
		return errorf(join(path, "samplingRate"), "%d Hz is not an AAC sampling rate (e.g. 44100, 48000)", *c.SamplingRate)
	}
	if c.Bitrate != nil && (*c.Bitrate < 8000 || *c.Bitrate > 1_536_000) {
		return errorf(join(path, "bitrate"), "%d bps is outside 8000–1536000", *c.Bitrate)
	}
	if err := checkOptionalEnum(join(path, "profile"), c.Profile, "AacLc", "HeAacV1", "HeAacV2"); err != nil {
		return err
	}
	if c.Profile == "HeAacV1" || c.Profile == "HeAacV2" {
		return unsupported(join(path, "profile"), "%s is not supported (ffmpeg's AAC encoder writes AAC-LC only); use AacLc", c.Profile)
	}
	return nil
}

func (c *Codec) validateImage(path string) error {
	if c.Start == "" {
		return required(join(path, "start"))
	}
	for _, f := range []struct{ name, v string }{{"start", c.Start}, {"step", c.Step}, {"range", c.Range}} {
		if f.v == "" {
			continue
		}
		ts, err := ParseTimeSpec(f.v)
		if err != nil {
			return errorf(join(path, f.name), "%v", err)
		}
		if ts.Kind == TimeBest && f.name != "start" {
			return errorf(join(path, f.name), "{Best} is allowed only in start")
		}
		if f.name == "step" && (ts.Kind == TimeFrame && ts.Frame == 0 || ts.Kind == TimeDuration && ts.D == 0 || ts.Kind == TimePercent && ts.Percent == 0) {
			return errorf(join(path, "step"), "must be greater than 0")
		}
	}
	if err := checkKeyFrameInterval(join(path, "keyFrameInterval"), c.KeyFrameInterval); err != nil {
		return err
	}
	if err := checkOptionalEnum(join(path, "stretchMode"), c.StretchMode, "None", "AutoSize", "AutoFit"); err != nil {
		return err
	}
	if c.SpriteColumn != nil {
		return unsupported(join(path, "spriteColumn"), "sprite sheets are not supported; omit spriteColumn to get one image per thumbnail")
	}
	lp := join(path, "layers")
	for i, l := range c.Layers {
		p := index(lp, i)
		for _, d := range []struct{ name, v string }{{"width", l.Width}, {"height", l.Height}} {
			if d.v == "" {
				continue
			}
			sz, err := ParseSize(d.v)
			if err != nil {
				return errorf(join(p, d.name), "%v", err)
			}
			if sz.Px == 0 && sz.Percent == 0 {
				return errorf(join(p, d.name), "must be greater than 0")
			}
		}
		if l.Quality != nil {
			if c.ODataType != ODataTypeJpgImage {
				return errorf(join(p, "quality"), "applies only to JPEG thumbnails")
			}
			if *l.Quality < 0 || *l.Quality > 100 {
				return errorf(join(p, "quality"), "must be between 0 and 100")
			}
		}
		if l.Bitrate != nil {
			return errorf(join(p, "bitrate"), "does not apply to thumbnails")
		}
	}
	return nil
}
