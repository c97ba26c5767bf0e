package encode

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// overlayInput is a labelled job input used by an overlay filter.
type overlayInput struct {
	path string
	info *SourceInfo
	spec *defs.Overlay
}

// runOpts are the per-run settings that are not part of the preset.
type runOpts struct {
	threads int
	// speed overrides every layer's encoder speed preset ("ultrafast" in
	// tests); empty keeps the preset's choice.
	speed string
	// clipStart/clipDur clip the main input (0: none).
	clipStart, clipDur time.Duration
	fpsNum, fpsDen     int
	duration           time.Duration // of the (clipped) main input
}

// secs formats d for ffmpeg options and filter expressions.
func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// args returns ffmpeg's argument list (without the program) for p over
// the main input and overlay inputs. Output files are the plan's tmp
// names (relative: ffmpeg runs in the output directory); thumbnails are
// written as thumbTmp(i) sequences.
func (p *plan) args(main string, overlays []overlayInput, o runOpts) []string {
	a := []string{"-hide_banner", "-nostdin", "-y", "-v", "error", "-nostats", "-progress", "pipe:1", "-stats_period", "0.5"}
	if o.threads > 0 {
		a = append(a, "-filter_threads", strconv.Itoa(o.threads))
	}
	seq := p.seq
	if len(seq) == 0 {
		seq = []seqInput{{path: main, start: o.clipStart, dur: o.clipDur}}
	}
	for _, in := range seq {
		if p.rotate >= 0 {
			a = append(a, "-noautorotate")
		}
		if in.start > 0 {
			a = append(a, "-ss", secs(in.start))
		}
		if in.dur > 0 {
			a = append(a, "-t", secs(in.dur))
		}
		a = append(a, "-i", in.path)
	}
	for _, ov := range overlays {
		if len(ov.info.Video) > 0 && ov.info.Video[0].Image {
			// A still picture becomes a stream as long as the main input.
			a = append(a, "-loop", "1", "-framerate", fmt.Sprintf("%d/%d", o.fpsNum, o.fpsDen), "-t", secs(o.duration))
		}
		a = append(a, "-i", ov.path)
	}
	graph, vlabels, tlabels, alabels := p.graph(overlays, o)
	if graph != "" {
		a = append(a, "-filter_complex", graph)
	}
	audioUse := 0
	for _, f := range p.files {
		for j, vi := range f.videos {
			v := p.videos[vi]
			if v.codec == "copy" {
				a = append(a, "-map", fmt.Sprintf("0:v:%d", v.src), fmt.Sprintf("-c:v:%d", j), "copy")
				continue
			}
			a = append(a, "-map", "["+vlabels[vi]+"]")
			a = append(a, p.videoArgs(v, j, o)...)
		}
		for j, ai := range f.audios {
			au := p.audios[ai]
			s := fmt.Sprintf(":a:%d", j)
			switch {
			case au.codec == "copy":
				a = append(a, "-map", fmt.Sprintf("0:a:%d", au.src), "-c"+s, "copy")
				if au.lang != "" {
					a = append(a, "-metadata:s"+s, "language="+au.lang)
				}
				continue
			case alabels != nil:
				a = append(a, "-map", "["+alabels[audioUse]+"]")
				audioUse++
			default:
				a = append(a, "-map", fmt.Sprintf("0:a:%d", au.src))
			}
			if au.lang != "" {
				a = append(a, "-metadata:s"+s, "language="+au.lang)
			}
			a = append(a, "-c"+s, "aac", "-b"+s, strconv.Itoa(au.bitrate), "-ac"+s, strconv.Itoa(au.channels), "-ar"+s, strconv.Itoa(au.rate))
		}
		a = append(a, "-map_metadata", "-1", "-map_chapters", "-1")
		if f.ts {
			a = append(a, "-f", "mpegts", f.tmp)
		} else {
			a = append(a, "-movflags", "+faststart", "-f", "mp4", f.tmp)
		}
	}
	for i, t := range p.thumbs {
		a = append(a, "-map", "["+tlabels[i]+"]", "-frames:v", strconv.Itoa(t.count), "-fps_mode", "passthrough")
		if t.png {
			a = append(a, "-c:v", "png")
		} else {
			// JPEG quality 0–100 onto mjpeg's qscale 31–2.
			q := 31 - int(math.Round(float64(t.quality)*29/100))
			a = append(a, "-c:v", "mjpeg", "-q:v", strconv.Itoa(q), "-pix_fmt", "yuvj420p")
		}
		a = append(a, "-start_number", "1", "-f", "image2", thumbTmp(i, t.png))
	}
	return a
}

// thumbTmp is the image2 pattern thumbnail series i is written to.
func thumbTmp(i int, png bool) string {
	ext := "jpg"
	if png {
		ext = "png"
	}
	return fmt.Sprintf(".thumb%02d-%%06d.%s", i, ext)
}

// videoArgs are the encoder options of output video stream j. Every
// layer gets the same keyframe schedule — keyframes forced at multiples of
// the GOP length, scene-cut keyframes off, closed GOPs — so that the
// layers' segments line up.
func (p *plan) videoArgs(v *videoOut, j int, o runOpts) []string {
	s := fmt.Sprintf(":v:%d", j)
	fpsN, fpsD := o.fpsNum, o.fpsDen
	if v.fpsNum > 0 {
		fpsN, fpsD = v.fpsNum, v.fpsDen
	}
	gopFrames := max(1, int(math.Ceil(v.gop.Seconds()*float64(fpsN)/float64(fpsD)-1e-6)))
	speed := v.speed
	if o.speed != "" {
		speed = o.speed
	}
	a := []string{"-preset" + s, speed}
	var params []string
	if v.codec == "hevc" {
		a = append(a, "-c"+s, "libx265", "-tag"+s, "hev1")
		params = append(params, "log-level=error")
	} else {
		a = append(a, "-c"+s, "libx264")
	}
	a = append(a, "-forced-idr"+s, "1", "-flags"+s, "+cgop",
		"-force_key_frames"+s, "expr:gte(t,n_forced*"+secs(v.gop)+")",
		"-g"+s, strconv.Itoa(gopFrames))
	if v.sceneCut {
		a = append(a, "-keyint_min"+s, strconv.Itoa(max(1, gopFrames/4)))
	} else {
		a = append(a, "-keyint_min"+s, strconv.Itoa(gopFrames), "-sc_threshold"+s, "0")
		params = append(params, "scenecut=0")
	}
	params = append(params, "open-gop=0")
	if v.codec == "hevc" {
		params = append(params, "keyint="+strconv.Itoa(gopFrames))
		if !v.sceneCut {
			params = append(params, "min-keyint="+strconv.Itoa(gopFrames))
		}
	}
	switch v.rc {
	case "CRF":
		a = append(a, "-crf"+s, strconv.FormatFloat(v.crf, 'f', -1, 64))
	case "CBR":
		a = append(a, "-b"+s, strconv.Itoa(v.bitrate), "-minrate"+s, strconv.Itoa(v.bitrate))
		if v.codec == "h264" {
			params = append(params, "nal-hrd=cbr")
		}
	default:
		a = append(a, "-b"+s, strconv.Itoa(v.bitrate))
	}
	maxrate := max(v.maxrate, v.bitrate)
	if v.rc == "CBR" {
		maxrate = v.bitrate
	}
	a = append(a, "-maxrate"+s, strconv.Itoa(maxrate), "-bufsize"+s, strconv.Itoa(max(v.bufsize, maxrate/10)))
	if v.bframes >= 0 {
		a = append(a, "-bf"+s, strconv.Itoa(v.bframes))
	}
	if v.refs > 0 {
		a = append(a, "-refs"+s, strconv.Itoa(v.refs))
	}
	if v.slices > 0 {
		a = append(a, "-slices"+s, strconv.Itoa(v.slices))
	}
	if v.cavlc {
		a = append(a, "-coder"+s, "0")
	}
	if v.adaptB != nil {
		a = append(a, "-b_strategy"+s, map[bool]string{true: "1", false: "0"}[*v.adaptB])
	}
	if prof := profileName(v); prof != "" {
		a = append(a, "-profile"+s, prof)
	}
	if v.level != "" && v.level != "Auto" {
		a = append(a, "-level"+s, v.level)
	}
	if o.threads > 0 {
		a = append(a, "-threads"+s, strconv.Itoa(o.threads))
	}
	if v.vfr {
		a = append(a, "-fps_mode"+s, "passthrough")
	} else {
		a = append(a, "-fps_mode"+s, "cfr", "-r"+s, fmt.Sprintf("%d/%d", fpsN, fpsD))
	}
	if v.codec == "hevc" {
		a = append(a, "-x265-params"+s, strings.Join(params, ":"))
	} else {
		a = append(a, "-x264-params"+s, strings.Join(params, ":"))
	}
	return a
}

// profileName maps an AMS profile to the encoder's name ("" = Auto).
func profileName(v *videoOut) string {
	switch v.profile {
	case "Baseline":
		return "baseline"
	case "Main":
		return "main"
	case "High":
		return "high"
	case "High422":
		return "high422"
	case "High444":
		return "high444"
	case "Main10":
		return "main10"
	}
	return ""
}

// pixFmt is the encoder input format a profile needs.
func pixFmt(v *videoOut) string {
	switch v.profile {
	case "High422":
		return "yuv422p"
	case "High444":
		return "yuv444p"
	case "Main10":
		return "yuv420p10le"
	}
	return "yuv420p"
}
