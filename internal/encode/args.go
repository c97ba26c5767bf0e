package encode

import (
	"fmt"
	"math"
	"slices"
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

// graph builds the filter graph: the main picture (deinterlaced, rotated,
// cropped, overlaid) is split once into every video layer and thumbnail
// series, so the source is decoded once and all layers see the same
// frames and timestamps. It returns the output labels of each encoded
// video (indexed like p.videos), each thumbnail series and, when audio is
// mixed with overlays, each audio use in mapping order.
func (p *plan) graph(overlays []overlayInput, o runOpts) (graph string, vlabels, tlabels, alabels []string) {
	var chains []string
	var encoded []int
	for i, v := range p.videos {
		if v.codec != "copy" {
			encoded = append(encoded, i)
		}
	}
	vlabels = make([]string, len(p.videos))
	if len(p.seq) > 1 {
		chains = append(chains, p.concat(o))
	}
	n := len(encoded) + len(p.thumbs)
	if n > 0 {
		var pre []string
		if p.deinterlace != nil {
			pre = append(pre, fmt.Sprintf("yadif=mode=0:parity=%d:deint=1", *p.deinterlace))
		}
		switch p.rotate {
		case 90:
			pre = append(pre, "transpose=clock")
		case 180:
			pre = append(pre, "hflip,vflip")
		case 270:
			pre = append(pre, "transpose=cclock")
		}
		if c := p.crop; c != nil {
			pre = append(pre, fmt.Sprintf("crop=%d:%d:%d:%d", c.w, c.h, c.x, c.y))
		}
		base := "[0:v:0]"
		if len(p.seq) > 1 {
			base = "[catv]"
		}
		if len(pre) > 0 {
			chains = append(chains, base+strings.Join(pre, ",")+"[pre]")
			base = "[pre]"
		}
		k := 0
		for i, ov := range overlays {
			if ov.spec.ODataType != defs.ODataTypeVideoOverlay || len(ov.info.Video) == 0 {
				continue
			}
			chains = append(chains, videoOverlay(p.inputs()+i, ov, base, fmt.Sprintf("[ov%d]", k), p.srcW, p.srcH, o.duration))
			base = fmt.Sprintf("[ov%d]", k)
			k++
		}
		outs := make([]string, n)
		for i := range outs {
			outs[i] = fmt.Sprintf("[s%d]", i)
		}
		chains = append(chains, fmt.Sprintf("%ssplit=%d%s", base, n, strings.Join(outs, "")))
		for k, vi := range encoded {
			v := p.videos[vi]
			f := []string{fmt.Sprintf("scale=%d:%d:flags=bicubic", v.w, v.h)}
			if v.padW > 0 {
				f = append(f, fmt.Sprintf("pad=%d:%d:(ow-iw)/2:(oh-ih)/2", v.padW, v.padH))
			}
			f = append(f, "setsar=1")
			if v.fpsNum > 0 {
				f = append(f, fmt.Sprintf("fps=%d/%d", v.fpsNum, v.fpsDen))
			}
			f = append(f, "format="+pixFmt(v))
			vlabels[vi] = fmt.Sprintf("v%d", vi)
			chains = append(chains, fmt.Sprintf("[s%d]%s[%s]", k, strings.Join(f, ","), vlabels[vi]))
		}
		for i, t := range p.thumbs {
			var f []string
			if t.best {
				// The most representative frame of the first seconds.
				window := min(o.duration, 10*time.Second)
				frames := max(1, int(window.Seconds()*float64(o.fpsNum)/float64(o.fpsDen)))
				f = append(f, "trim=end="+secs(window), fmt.Sprintf("thumbnail=n=%d", min(frames, 300)))
			} else {
				// selected_n counts the images already taken: take the
				// first frame at or after each scheduled time.
				f = append(f, fmt.Sprintf("select='gte(t\\,%s+selected_n*%s)'", secs(t.start), secs(t.step)))
			}
			f = append(f, fmt.Sprintf("scale=%d:%d", t.w, t.h), "setsar=1")
			tlabels = append(tlabels, fmt.Sprintf("t%d", i))
			chains = append(chains, fmt.Sprintf("[s%d]%s[t%d]", len(encoded)+i, strings.Join(f, ","), i))
		}
	}
	// Audio overlays are mixed into the main audio, which is then split
	// for every file that carries encoded audio.
	var mixes []string
	for i, ov := range overlays {
		if len(ov.info.Audio) == 0 || (ov.spec.ODataType == defs.ODataTypeVideoOverlay && ov.spec.AudioGainLevel == nil) {
			continue
		}
		mixes = append(mixes, audioOverlay(p.inputs()+i, ov, len(mixes), &chains))
	}
	if len(mixes) > 0 || len(p.seq) > 1 {
		uses := 0
		for _, f := range p.files {
			for _, ai := range f.audios {
				if p.audios[ai].codec != "copy" {
					uses++
				}
			}
		}
		if uses > 0 {
			outs := make([]string, uses)
			for i := range outs {
				alabels = append(alabels, fmt.Sprintf("am%d", i))
				outs[i] = "[" + alabels[i] + "]"
			}
			asrc := "[0:a:0]"
			if len(p.seq) > 1 {
				asrc = "[cata]"
			}
			mix := ""
			if len(mixes) > 0 {
				mix = fmt.Sprintf("%samix=inputs=%d:duration=first:normalize=0,", strings.Join(mixes, ""), len(mixes)+1)
			}
			chains = append(chains, fmt.Sprintf("%s%sasplit=%d%s", asrc, mix, uses, strings.Join(outs, "")))
		}
	}
	return strings.Join(chains, ";"), vlabels, tlabels, alabels
}

// overlayWindow returns when an overlay shows: from start to end, or to
// the end of the shorter of main input and overlay.
func overlayWindow(ov overlayInput, total time.Duration) (start, end time.Duration) {
	if ov.spec.Start != "" {
		start, _ = defs.ParseISODuration(ov.spec.Start)
	}
	end = total
	if ov.spec.End != "" {
		end, _ = defs.ParseISODuration(ov.spec.End)
	} else if img := len(ov.info.Video) > 0 && ov.info.Video[0].Image; !img && ov.info.Duration > 0 {
		end = min(total, start+ov.info.Duration)
	}
	return start, max(end, start)
}

func videoOverlay(input int, ov overlayInput, base, out string, w, h int, total time.Duration) string {
	start, end := overlayWindow(ov, total)
	f := []string{"setpts=PTS-STARTPTS+" + secs(start) + "/TB"}
	pos := ov.spec.Position
	x, y := 0, 0
	if pos != nil {
		at := func(s string, of int) int {
			if s == "" {
				return 0
			}
			sz, _ := defs.ParseSize(s)
			return sz.Of(of)
		}
		x, y = at(pos.Left, w), at(pos.Top, h)
		ow, oh := at(pos.Width, w), at(pos.Height, h)
		switch {
		case ow > 0 && oh > 0:
			f = append(f, fmt.Sprintf("scale=%d:%d", ow, oh))
		case ow > 0:
			f = append(f, fmt.Sprintf("scale=%d:-2", ow))
		case oh > 0:
			f = append(f, fmt.Sprintf("scale=-2:%d", oh))
		}
	}
	f = append(f, "format=yuva420p")
	if op := orDefault(ov.spec.Opacity, 1.0); op < 1 {
		f = append(f, fmt.Sprintf("colorchannelmixer=aa=%g", op))
	}
	if d, _ := defs.ParseISODuration(ov.spec.FadeInDuration); d > 0 {
		f = append(f, fmt.Sprintf("fade=t=in:st=%s:d=%s:alpha=1", secs(start), secs(d)))
	}
	if d, _ := defs.ParseISODuration(ov.spec.FadeOutDuration); d > 0 {
		f = append(f, fmt.Sprintf("fade=t=out:st=%s:d=%s:alpha=1", secs(max(start, end-d)), secs(d)))
	}
	lbl := fmt.Sprintf("[ovs%d]", input)
	return fmt.Sprintf("[%d:v:0]%s%s;%s%soverlay=x=%d:y=%d:eof_action=pass:enable='between(t\\,%s\\,%s)'%s",
		input, strings.Join(f, ","), lbl, base, lbl, x, y, secs(start), secs(end), out)
}

func audioOverlay(input int, ov overlayInput, k int, chains *[]string) string {
	start, end := overlayWindow(ov, 1<<62)
	f := []string{fmt.Sprintf("adelay=%d:all=1", start.Milliseconds()), fmt.Sprintf("volume=%g", orDefault(ov.spec.AudioGainLevel, 1.0))}
	if ov.spec.End != "" {
		f = append(f, "atrim=end="+secs(end))
	}
	if d, _ := defs.ParseISODuration(ov.spec.FadeInDuration); d > 0 {
		f = append(f, fmt.Sprintf("afade=t=in:st=%s:d=%s", secs(start), secs(d)))
	}
	if d, _ := defs.ParseISODuration(ov.spec.FadeOutDuration); d > 0 && ov.spec.End != "" {
		f = append(f, fmt.Sprintf("afade=t=out:st=%s:d=%s", secs(max(start, end-d)), secs(d)))
	}
	lbl := fmt.Sprintf("[oa%d]", k)
	*chains = append(*chains, fmt.Sprintf("[%d:a:0]%s%s", input, strings.Join(f, ","), lbl))
	return lbl
}

// seqInput is one input of a sequence (JobInputSequence / several main
// inputs): clipped, then joined in order.
type seqInput struct {
	path       string
	start, dur time.Duration // clip (-ss/-t); 0 none
	length     time.Duration // after clipping
	video      bool
	audio      bool
}

// inputs is the number of main inputs ahead of the overlay inputs.
func (p *plan) inputs() int { return max(1, len(p.seq)) }

// concat joins the sequence into [catv] (and [cata]): every part is
// scaled into the first part's frame (letterboxed), brought to its frame
// rate and to 48 kHz stereo; a part without audio contributes silence.
func (p *plan) concat(o runOpts) string {
	var chains, parts []string
	withAudio := len(p.audios) > 0
	withVideo := p.picture()
	for i, in := range p.seq {
		if withVideo {
			chains = append(chains, fmt.Sprintf("[%d:v:0]scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=%d/%d,format=yuv420p[qv%d]",
				i, p.seqW, p.seqH, p.seqW, p.seqH, o.fpsNum, o.fpsDen, i))
			parts = append(parts, fmt.Sprintf("[qv%d]", i))
		}
		if !withAudio {
			continue
		}
		if in.audio {
			chains = append(chains, fmt.Sprintf("[%d:a:0]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[qa%d]", i, i))
		} else {
			chains = append(chains, fmt.Sprintf("anullsrc=r=48000:cl=stereo,atrim=duration=%s,aformat=sample_fmts=fltp[qa%d]", secs(in.length), i))
		}
		parts = append(parts, fmt.Sprintf("[qa%d]", i))
	}
	v, a, outs := 0, 0, ""
	if withVideo {
		v, outs = 1, "[catv]"
	}
	if withAudio {
		a, outs = 1, outs+"[cata]"
	}
	chains = append(chains, fmt.Sprintf("%sconcat=n=%d:v=%d:a=%d%s", strings.Join(parts, ""), len(p.seq), v, a, outs))
	return strings.Join(chains, ";")
}

// picture reports whether the run encodes video or takes thumbnails.
func (p *plan) picture() bool {
	return len(p.thumbs) > 0 || slices.ContainsFunc(p.videos, func(v *videoOut) bool { return v.codec != "copy" })
}
