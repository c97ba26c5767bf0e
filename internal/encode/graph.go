package encode

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

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
