package encode

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// Speed presets of the encoders per AMS complexity. Balanced is the AMS
// default; these keep a 1080p ladder near real time on a few cores.
var speeds = map[string]map[string]string{
	"h264": {"Speed": "veryfast", "Balanced": "fast", "Quality": "slow"},
	"hevc": {"Speed": "superfast", "Balanced": "fast", "Quality": "medium"},
}

func speedFor(codec, complexity string) string {
	return speeds[codec][cmp(complexity, "Balanced")]
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Default file name patterns of the built-in presets (§2.6): interleaved
// files carry AACAudio in the name, non-interleaved video files do not.
const (
	patternInterleaved = "{Basename}_{Resolution}_AACAudio_{Bitrate}{Extension}"
	patternVideoOnly   = "{Basename}_{Resolution}_{Bitrate}{Extension}"
	patternAudioOnly   = "{Basename}_AACAudio_{Bitrate}{Extension}"
	patternThumbnail   = "{Basename}_{Index}{Extension}"
)

// resolveBuiltIn builds the plan of a built-in preset. probeKbps is the
// content-aware complexity probe's result (0 for other presets).
func resolveBuiltIn(b *defs.BuiltInStandardEncoderPreset, src source, probeKbps float64) (*plan, error) {
	p := &plan{builtin: true, rotate: -1, gop: 2 * time.Second, speed: map[string]string{}}
	v := src.video()
	hasAudio := len(src.info.Audio) > 0
	aac := func(bitrate int) {
		p.audios = append(p.audios, &audioOut{codec: "aac", bitrate: bitrate, channels: 2, rate: 48000})
	}
	// ladder adds one video layer per rung, boxed by the rung (AutoSize).
	ladder := func(codec string, rungs []rung) error {
		if err := p.applyFilters(nil, v); err != nil {
			return err
		}
		w, h := p.srcW, p.srcH
		for _, r := range rungs {
			bw, bh := r.w, r.h
			if w < h {
				// Portrait: the rungs' heights bound the short side.
				bw, bh = bh, bw
			}
			lw, lh, _, _, err := layerSize(w, h, fmt.Sprint(bw), fmt.Sprint(bh), "AutoSize")
			if err != nil {
				return err
			}
			if lh > h && lw > w {
				lw, lh = even(w), even(h) // never upscale a small source
			}
			br := r.kbps * 1000
			p.videos = append(p.videos, &videoOut{codec: codec, w: lw, h: lh, bitrate: br, maxrate: br, bufsize: 5 * br,
				rc: "ABR", bframes: 3, refs: 3, gop: p.gop, speed: speedFor(codec, "Balanced")})
		}
		return nil
	}
	interleaved := func() {
		for i := range p.videos {
			f := &fileOut{pattern: patternInterleaved, videos: []int{i}}
			if len(p.audios) > 0 {
				f.audios = []int{0}
			}
			p.files = append(p.files, f)
		}
		if len(p.videos) == 0 && len(p.audios) > 0 {
			p.files = append(p.files, &fileOut{pattern: patternAudioOnly, audios: []int{0}})
		}
	}
	nonInterleaved := func() {
		for i := range p.videos {
			p.files = append(p.files, &fileOut{pattern: patternVideoOnly, videos: []int{i}})
		}
		for i := range p.audios {
			p.files = append(p.files, &fileOut{pattern: patternAudioOnly, audios: []int{i}})
		}
	}
	needVideo := func() error {
		if v == nil {
			return fmt.Errorf("preset %s encodes video, but the input has no video stream; use AACGoodQualityAudio for audio-only inputs", b.PresetName)
		}
		return nil
	}
	fpsN, fpsD := src.fps()
	fps := float64(fpsN) / float64(fpsD)
	name := b.PresetName
	switch name {
	case defs.PresetAdaptiveStreaming, defs.PresetH265AdaptiveStreaming:
		if err := needVideo(); err != nil {
			return nil, err
		}
		codec := "h264"
		if name == defs.PresetH265AdaptiveStreaming {
			codec = "hevc"
		}
		bps := v.BitRate
		if bps == 0 && src.info.BitRate > 0 {
			// No per-stream figure (MPEG-TS, Matroska): the container's
			// minus the audio.
			bps = src.info.BitRate
			for _, a := range src.info.Audio {
				bps -= cmpInt(a.BitRate, 128000)
			}
			bps = max(bps, 0)
		}
		if err := ladder(codec, adaptiveLadder(shortSide(v), fps, bps)); err != nil {
			return nil, err
		}
		if hasAudio {
			aac(128000)
		}
		nonInterleaved()
	case defs.PresetContentAwareEncoding, defs.PresetContentAwareEncodingExperimental, defs.PresetH265ContentAwareEncoding:
		if err := needVideo(); err != nil {
			return nil, err
		}
		codec := "h264"
		if name == defs.PresetH265ContentAwareEncoding {
			codec = "hevc"
			probeKbps *= 0.65 // HEVC needs about two thirds of H.264's bits
		}
		lim := caeLimits{}
		c := b.Configurations
		if c != nil {
			lim.minKbps = int(orDefault(c.MinBitrateBps, 0)) / 1000
			lim.maxKbps = int(orDefault(c.MaxBitrateBps, 0)) / 1000
			lim.minH = int(orDefault(c.MinHeight, 0))
			lim.maxH = int(orDefault(c.MaxHeight, 0))
			lim.maxLayers = int(orDefault(c.MaxLayers, 0))
			if k := orDefault(c.KeyFrameIntervalInSeconds, 0); k > 0 {
				p.gop = time.Duration(math.Round(float64(k)*1000)) * time.Millisecond
			}
		}
		if err := ladder(codec, caeLadder(shortSide(v), probeKbps, lim)); err != nil {
			return nil, err
		}
		complexity := "Balanced"
		if c != nil && c.Complexity != "" {
			complexity = c.Complexity
		}
		for _, vo := range p.videos {
			vo.gop = p.gop
			vo.speed = speedFor(codec, complexity)
		}
		if hasAudio {
			aac(128000)
		}
		if c != nil && c.InterleaveOutput == "NonInterleavedOutput" {
			nonInterleaved()
		} else {
			interleaved()
		}
	case defs.PresetH264MultipleBitrate1080p, defs.PresetH264MultipleBitrate720p, defs.PresetH264MultipleBitrateSD:
		if err := needVideo(); err != nil {
			return nil, err
		}
		rungs := map[string][]rung{defs.PresetH264MultipleBitrate1080p: ladder1080p, defs.PresetH264MultipleBitrate720p: ladder720p, defs.PresetH264MultipleBitrateSD: ladderSD}[name]
		if err := ladder("h264", rungs); err != nil {
			return nil, err
		}
		if hasAudio {
			aac(128000)
		}
		interleaved()
	case defs.PresetH264SingleBitrate1080p, defs.PresetH264SingleBitrate720p, defs.PresetH264SingleBitrateSD,
		defs.PresetH265SingleBitrate720p, defs.PresetH265SingleBitrate1080p, defs.PresetH265SingleBitrate4K:
		if err := needVideo(); err != nil {
			return nil, err
		}
		r := map[string]rung{
			defs.PresetH264SingleBitrate1080p: {1920, 1080, 6750}, defs.PresetH264SingleBitrate720p: {1280, 720, 4500}, defs.PresetH264SingleBitrateSD: {848, 480, 2200},
			defs.PresetH265SingleBitrate720p: {1280, 720, 1800}, defs.PresetH265SingleBitrate1080p: {1920, 1080, 3500}, defs.PresetH265SingleBitrate4K: {3840, 2160, 9500},
		}[name]
		codec := "h264"
		if strings.HasPrefix(name, "H265") {
			codec = "hevc"
		}
		if err := ladder(codec, []rung{r}); err != nil {
			return nil, err
		}
		if hasAudio {
			aac(128000)
		}
		interleaved()
	case defs.PresetAACGoodQualityAudio:
		if !hasAudio {
			return nil, fmt.Errorf("preset AACGoodQualityAudio encodes audio, but the input has no audio stream")
		}
		aac(192000)
		interleaved()
	case defs.PresetCopyCodec:
		f := &fileOut{pattern: "{Basename}_{Resolution}_{Bitrate}{Extension}"}
		if v != nil {
			p.videos = append(p.videos, &videoOut{codec: "copy"})
			f.videos = []int{0}
			p.srcW, p.srcH = v.Width, v.Height
		}
		if hasAudio {
			p.audios = append(p.audios, &audioOut{codec: "copy"})
			f.audios = []int{0}
			if v == nil {
				f.pattern = "{Basename}_{Codec}_{Bitrate}{Extension}"
			}
		}
		p.files = []*fileOut{f}
	case defs.PresetCopyAllBitrateNonInterleaved:
		// Every video stream into its own file, every audio stream into
		// its own: GOP-aligned sources become streamable as they are.
		for i := range src.info.Video {
			p.videos = append(p.videos, &videoOut{codec: "copy", src: i})
			p.files = append(p.files, &fileOut{pattern: patternVideoOnly, videos: []int{i}})
		}
		for i := range src.info.Audio {
			p.audios = append(p.audios, &audioOut{codec: "copy", src: i})
			p.files = append(p.files, &fileOut{pattern: "{Basename}_{AudioStream}_{Bitrate}{Extension}", audios: []int{i}})
		}
		if v != nil {
			p.srcW, p.srcH = v.Width, v.Height
		}
	default:
		return nil, fmt.Errorf("built-in preset %q is not supported", name)
	}
	return p, nil
}

// shortSide is the picture's shorter displayed dimension: ladders are
// defined by it, so portrait video gets the same rungs turned upright.
func shortSide(v *StreamInfo) int {
	w, h := v.DisplaySize()
	return min(w, h)
}

func cmpInt(v, def int64) int64 {
	if v == 0 {
		return def
	}
	return v
}
