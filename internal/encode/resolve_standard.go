package encode

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// resolveStandard builds the plan of a StandardEncoderPreset over src.
func resolveStandard(s *defs.StandardEncoderPreset, src source) (*plan, error) {
	p := &plan{rotate: -1, filters: s.Filters, speed: map[string]string{}}
	v := src.video()
	fpsN, fpsD := src.fps()
	needsVideo := slices.ContainsFunc(s.Codecs, func(c defs.Codec) bool { return c.IsVideo() || c.IsImage() })
	if needsVideo && v == nil {
		return nil, fmt.Errorf("the preset has video or thumbnail codecs, but the input has no video stream")
	}
	if slices.ContainsFunc(s.Codecs, func(c defs.Codec) bool { return c.IsAudio() }) && len(src.info.Audio) == 0 {
		return nil, fmt.Errorf("the preset has an audio codec, but the input has no audio stream")
	}
	if v != nil {
		if err := p.applyFilters(s.Filters, v); err != nil {
			return nil, err
		}
	}
	// labels maps a codec or layer label to the streams it names.
	type ref struct {
		video bool
		i     int
	}
	labels := map[string][]ref{}
	for ci := range s.Codecs {
		c := &s.Codecs[ci]
		switch c.ODataType {
		case defs.ODataTypeH264Video, defs.ODataTypeH265Video:
			codec := "h264"
			if c.ODataType == defs.ODataTypeH265Video {
				codec = "hevc"
			}
			gop := 2 * time.Second
			if c.KeyFrameInterval != "" {
				gop, _ = defs.ParseISODuration(c.KeyFrameInterval)
			}
			if p.gop == 0 {
				p.gop = gop
			}
			for li := range c.Layers {
				l := &c.Layers[li]
				w, h, padW, padH, err := layerSize(p.srcW, p.srcH, l.Width, l.Height, c.StretchMode)
				if err != nil {
					return nil, fmt.Errorf("codecs[%d].layers[%d]: %w", ci, li, err)
				}
				vo := &videoOut{
					label: firstNonEmpty(l.Label, c.Label), codec: codec, w: w, h: h, padW: padW, padH: padH,
					bitrate: int(*l.Bitrate), rc: cmp(c.RateControlMode, "ABR"),
					profile: l.Profile, level: l.Level, bframes: -1, refs: -1, slices: -1,
					adaptB: l.AdaptiveBFrame, cavlc: l.EntropyMode == "Cavlc", gop: gop,
					sceneCut: orDefault(c.SceneChangeDetection, false),
					vfr:      c.SyncMode == "Passthrough" || c.SyncMode == "Vfr",
					speed:    speedFor(codec, c.Complexity),
					maxrate:  int(orDefault(l.MaxBitrate, *l.Bitrate)),
				}
				win := 5 * time.Second
				if l.BufferWindow != "" {
					win, _ = defs.ParseISODuration(l.BufferWindow)
				}
				vo.bufsize = int(float64(vo.maxrate) * win.Seconds())
				if l.Crf != nil {
					vo.crf = float64(*l.Crf)
				} else if codec == "hevc" {
					vo.crf = 28
				} else {
					vo.crf = 23
				}
				if l.BFrames != nil {
					vo.bframes = int(*l.BFrames)
				}
				if l.ReferenceFrames != nil {
					vo.refs = int(*l.ReferenceFrames)
				}
				if l.Slices != nil {
					vo.slices = int(*l.Slices)
				}
				if l.FrameRate != "" {
					vo.fpsNum, vo.fpsDen, _ = defs.ParseFrameRate(l.FrameRate)
				}
				p.videos = append(p.videos, vo)
				r := ref{true, len(p.videos) - 1}
				for _, lb := range uniq(l.Label, c.Label) {
					labels[lb] = append(labels[lb], r)
				}
			}
		case defs.ODataTypeCopyVideo:
			p.videos = append(p.videos, &videoOut{codec: "copy", label: c.Label})
			if c.Label != "" {
				labels[c.Label] = append(labels[c.Label], ref{true, len(p.videos) - 1})
			}
		case defs.ODataTypeAacAudio:
			p.audios = append(p.audios, &audioOut{label: c.Label, codec: "aac",
				bitrate: int(orDefault(c.Bitrate, 128000)), channels: int(orDefault(c.Channels, 2)), rate: int(orDefault(c.SamplingRate, 48000))})
			if c.Label != "" {
				labels[c.Label] = append(labels[c.Label], ref{false, len(p.audios) - 1})
			}
		case defs.ODataTypeCopyAudio:
			p.audios = append(p.audios, &audioOut{codec: "copy", label: c.Label})
			if c.Label != "" {
				labels[c.Label] = append(labels[c.Label], ref{false, len(p.audios) - 1})
			}
		case defs.ODataTypePngImage, defs.ODataTypeJpgImage:
			png := c.ODataType == defs.ODataTypePngImage
			best, start, step, count, err := thumbSchedule(c, src.duration, fpsN, fpsD)
			if err != nil {
				return nil, fmt.Errorf("codecs[%d]: %w", ci, err)
			}
			pattern := ""
			for _, f := range s.Formats {
				if png && f.ODataType == defs.ODataTypePngFormat || !png && f.ODataType == defs.ODataTypeJpgFormat {
					pattern = f.FilenamePattern
					break
				}
			}
			layers := c.Layers
			if len(layers) == 0 {
				layers = []defs.Layer{{}}
			}
			for li, l := range layers {
				w, h, _, _, err := layerSize(p.srcW, p.srcH, l.Width, l.Height, c.StretchMode)
				if err != nil {
					return nil, fmt.Errorf("codecs[%d].layers[%d]: %w", ci, li, err)
				}
				p.thumbs = append(p.thumbs, &thumbOut{label: firstNonEmpty(l.Label, c.Label), png: png, w: w, h: h,
					quality: int(orDefault(l.Quality, 70)), pattern: pattern, best: best, start: start, step: step, count: count})
			}
		}
	}
	if p.gop == 0 {
		p.gop = 2 * time.Second
	}
	for _, f := range s.Formats {
		if f.ODataType != defs.ODataTypeMp4Format && f.ODataType != defs.ODataTypeTransportStreamFormat {
			continue
		}
		ts := f.ODataType == defs.ODataTypeTransportStreamFormat
		if len(f.OutputFiles) > 0 {
			for _, of := range f.OutputFiles {
				fo := &fileOut{ts: ts, pattern: f.FilenamePattern}
				for _, lb := range of.Labels {
					for _, r := range labels[lb] {
						if r.video && !slices.Contains(fo.videos, r.i) {
							fo.videos = append(fo.videos, r.i)
						} else if !r.video && !slices.Contains(fo.audios, r.i) {
							fo.audios = append(fo.audios, r.i)
						}
					}
				}
				p.files = append(p.files, fo)
			}
			continue
		}
		// Without outputFiles: one file per video layer with every audio
		// stream, or one per audio stream when there is no video.
		all := make([]int, len(p.audios))
		for i := range all {
			all[i] = i
		}
		for i := range p.videos {
			p.files = append(p.files, &fileOut{ts: ts, pattern: f.FilenamePattern, videos: []int{i}, audios: all})
		}
		if len(p.videos) == 0 {
			for i := range p.audios {
				p.files = append(p.files, &fileOut{ts: ts, pattern: f.FilenamePattern, audios: []int{i}})
			}
		}
	}
	return p, nil
}

func uniq(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// applyFilters records deinterlace, rotation and crop and computes the
// picture size the layer scalers see.
func (p *plan) applyFilters(f *defs.Filters, v *StreamInfo) error {
	w, h := v.DisplaySize()
	if f != nil {
		switch f.Rotation {
		case "None", "Rotate0":
			p.rotate = 0
			w, h = v.Width, v.Height
		case "Rotate90", "Rotate270":
			p.rotate, _ = strconv.Atoi(f.Rotation[len("Rotate"):])
			w, h = v.Height, v.Width
		case "Rotate180":
			p.rotate = 180
			w, h = v.Width, v.Height
		}
		if d := f.Deinterlace; d == nil || d.Mode != "Off" {
			parity := -1
			if d != nil && d.Parity == "TopFieldFirst" {
				parity = 0
			} else if d != nil && d.Parity == "BottomFieldFirst" {
				parity = 1
			}
			if v.Interlaced || d != nil && d.Parity != "" && d.Parity != "Auto" {
				p.deinterlace = &parity
			}
		}
		if c := f.Crop; c != nil {
			at := func(s string, of, def int) int {
				if s == "" {
					return def
				}
				sz, _ := defs.ParseSize(s)
				return sz.Of(of)
			}
			x, y := at(c.Left, w, 0), at(c.Top, h, 0)
			cw, ch := at(c.Width, w, w-x), at(c.Height, h, h-y)
			if x+cw > w || y+ch > h || cw < 16 || ch < 16 {
				return fmt.Errorf("filters.crop: %dx%d at %d,%d does not fit the %dx%d input", cw, ch, x, y, w, h)
			}
			p.crop = &cropBox{x, y, cw &^ 1, ch &^ 1}
			w, h = cw&^1, ch&^1
		}
	} else if v.Interlaced {
		auto := -1
		p.deinterlace = &auto
	}
	p.srcW, p.srcH = w, h
	return nil
}

// clampInt keeps v in [lo, hi].
func clampInt(v, lo, hi int) int {
	return int(math.Max(float64(lo), math.Min(float64(hi), float64(v))))
}
