package encode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// DefaultMemoryLimit caps ffmpeg's data segment when MemoryLimit is 0: a
// 1080p eight-layer ladder needs well under 2 GiB.
const DefaultMemoryLimit = 4 << 30

// Encoder runs ffmpeg. Set the fields, then call Initialize. After that
// it is read-only: any number of Encode calls may run at once (the job
// engine bounds them with --encode-workers).
type Encoder struct {
	// FFmpeg and FFprobe are program paths; empty means look them up on PATH.
	FFmpeg, FFprobe string
	// ScratchDir bounds temporary files; empty means os.TempDir.
	ScratchDir string
	// Threads caps the threads of each encoder and of the filter graph;
	// 0 means the number of CPUs.
	Threads int
	// MemoryLimit caps ffmpeg's data segment (RLIMIT_DATA) in bytes; 0
	// means DefaultMemoryLimit, negative no limit.
	MemoryLimit int64
	// Speed, when set, replaces the encoder speed preset every layer's
	// complexity selects (e.g. "ultrafast" for tests); empty keeps AMS
	// semantics.
	Speed string
	// TimeoutFactor scales the time limit of one encode: 10 minutes plus
	// TimeoutFactor times the input duration (0 means 30; HEVC ×4).
	TimeoutFactor float64

	version string
	paths   [2]string
}

// Initialize finds ffmpeg and ffprobe and records ffmpeg's version; it
// fails when either is missing, so a node without them can refuse to
// lease encode jobs.
func (e *Encoder) Initialize() error {
	for i, p := range []struct{ set, name string }{{e.FFmpeg, "ffmpeg"}, {e.FFprobe, "ffprobe"}} {
		name := p.set
		if name == "" {
			name = p.name
		}
		path, err := exec.LookPath(name)
		if err != nil {
			return fmt.Errorf("encode: %s not found (install the Debian package ffmpeg): %w", name, err)
		}
		e.paths[i] = path
	}
	out, err := exec.Command(e.paths[0], "-hide_banner", "-version").Output()
	if err != nil {
		return fmt.Errorf("encode: %s -version: %w", e.paths[0], err)
	}
	e.version, _, _ = strings.Cut(string(out), "\n")
	e.version = strings.TrimSpace(e.version)
	if e.version == "" {
		return fmt.Errorf("encode: %s -version printed nothing", e.paths[0])
	}
	return nil
}

// Version is ffmpeg's version string, known after Initialize.
func (e *Encoder) Version() string { return e.version }

func (e *Encoder) ffmpeg() string  { return e.paths[0] }
func (e *Encoder) ffprobe() string { return e.paths[1] }

func (e *Encoder) threads() int {
	if e.Threads > 0 {
		return e.Threads
	}
	return runtime.NumCPU()
}

func (e *Encoder) memoryLimit() int64 {
	if e.MemoryLimit == 0 {
		return DefaultMemoryLimit
	}
	return e.MemoryLimit
}

// Encode runs one output's preset over the inputs. It honours ctx
// (cancellation stops ffmpeg within seconds) and leaves Dir holding either
// the complete output or, on error, files the caller must discard.
func (e *Encoder) Encode(ctx context.Context, in []Input, out Output, progress Progress) (*Result, error) {
	if e.version == "" {
		return nil, newError(CodeServiceError, "the encoder is not initialized", errors.New("encode: Initialize not called"))
	}
	if out.Preset == nil || out.Preset.def == nil {
		return nil, newError(CodeServiceError, "no preset", errors.New("encode: Output.Preset is nil"))
	}
	if progress == nil {
		progress = func(int) {}
	}
	rep := &reporter{fn: progress, last: -1}
	rep.set(0)

	mains, overlays, err := e.splitInputs(ctx, in, out.Preset)
	if err != nil {
		return nil, err
	}
	main := mains[0]
	info, err := e.Probe(ctx, main.Path)
	if err != nil {
		return nil, err
	}
	src, clipStart, clipDur := clip(info, main)
	var seq []seqInput
	if len(mains) > 1 {
		if seq, src, err = e.sequence(ctx, mains, info); err != nil {
			return nil, err
		}
		info = src.info
	}
	fpsN, fpsD := src.fps()
	base := out.BaseName
	if base == "" {
		base = strings.TrimSuffix(filepath.Base(main.Path), filepath.Ext(main.Path))
	}
	base = safeBase(base)

	// Content-aware presets first measure how hard the content is to
	// compress; that pass is the first tenth of the progress.
	var probeKbps float64
	lo := 0
	if b := out.Preset.def.BuiltIn; b != nil && isCAE(b.PresetName) && len(info.Video) > 0 {
		probeKbps, err = e.complexity(ctx, main.Path, src, clipStart, func(pm int) { rep.set(pm / 100) })
		if err != nil {
			return nil, err
		}
		lo = 10
	}

	var p *plan
	if b := out.Preset.def.BuiltIn; b != nil {
		p, err = resolveBuiltIn(b, src, probeKbps)
	} else {
		p, err = resolveStandard(out.Preset.def.Standard, src)
	}
	if err != nil {
		return nil, configError(err.Error())
	}
	p.prepare(info)
	if err := p.precheckNames(base); err != nil {
		return nil, err
	}
	if len(seq) > 1 {
		if !encodes(p) || slices.ContainsFunc(p.videos, func(v *videoOut) bool { return v.codec == "copy" }) ||
			slices.ContainsFunc(p.audios, func(a *audioOut) bool { return a.codec == "copy" }) {
			return nil, configError("an input sequence is joined by re-encoding; copy presets and CopyVideo/CopyAudio cannot join inputs")
		}
		p.seq = seq
		if p.picture() {
			for i, s := range seq {
				if !s.video {
					return nil, configError(fmt.Sprintf("input %d of the sequence (%s) has no video", i+1, filepath.Base(s.path)))
				}
			}
			w, h := src.video().DisplaySize()
			p.seqW, p.seqH = even(w), even(h)
		}
	}
	opts := runOpts{threads: e.threads(), speed: e.Speed, clipStart: clipStart, clipDur: clipDur,
		fpsNum: fpsN, fpsDen: fpsD, duration: src.duration}
	args := p.args(main.Path, overlays, opts)

	ok := false
	defer func() {
		if !ok {
			cleanTemp(out.Dir)
		}
	}()
	var warnings string
	err = e.run(ctx, runSpec{args: args, dir: out.Dir, duration: src.duration, timeout: e.timeout(src.duration, p),
		progress: func(pm int) { rep.set(lo + pm*(99-lo)/1000) }, warnings: &warnings})
	if err != nil {
		return nil, err
	}
	if err := truncated(warnings, main); err != nil {
		return nil, err
	}
	files, err := e.finish(ctx, p, src, base, out)
	if err != nil {
		return nil, err
	}
	ok = true
	rep.set(100)
	return &Result{Files: files}, nil
}

// Args returns the ffmpeg argument list Encode would run for preset over
// the probed input, for logs and benchmarks (output names are the
// temporary ones Encode renames afterwards).
func (e *Encoder) Args(ctx context.Context, input Input, preset *Preset) ([]string, error) {
	info, err := e.Probe(ctx, input.Path)
	if err != nil {
		return nil, err
	}
	src, clipStart, clipDur := clip(info, input)
	var p *plan
	var probeKbps float64
	if b := preset.def.BuiltIn; b != nil {
		if isCAE(b.PresetName) {
			if probeKbps, err = e.complexity(ctx, input.Path, src, clipStart, nil); err != nil {
				return nil, err
			}
		}
		p, err = resolveBuiltIn(b, src, probeKbps)
	} else {
		p, err = resolveStandard(preset.def.Standard, src)
	}
	if err != nil {
		return nil, configError(err.Error())
	}
	p.prepare(info)
	fpsN, fpsD := src.fps()
	return p.args(input.Path, nil, runOpts{threads: e.threads(), speed: e.Speed, clipStart: clipStart, clipDur: clipDur,
		fpsNum: fpsN, fpsDen: fpsD, duration: src.duration}), nil
}

func isCAE(name string) bool {
	return name == defs.PresetContentAwareEncoding || name == defs.PresetContentAwareEncodingExperimental || name == defs.PresetH265ContentAwareEncoding
}

// clip applies an input's AbsoluteClipTime: positions on the media's own
// timeline, so the container start time is subtracted for ffmpeg's -ss.
func clip(info *SourceInfo, in Input) (src source, start, dur time.Duration) {
	src = source{info: info, duration: info.Duration}
	if in.Start > 0 {
		start = max(0, in.Start-info.Start)
	}
	end := info.Start + info.Duration
	if in.End > 0 && (info.Duration == 0 || in.End < end) {
		end = in.End
	}
	if in.End > 0 || in.Start > 0 {
		dur = max(0, end-info.Start-start)
		src.duration = dur
		if in.End <= 0 {
			dur = 0 // to the end: no -t
		}
	}
	return src, start, dur
}

// timeout is the time limit of one encode, from the input duration.
func (e *Encoder) timeout(d time.Duration, p *plan) time.Duration {
	f := e.TimeoutFactor
	if f <= 0 {
		f = 30
	}
	if slices.ContainsFunc(p.videos, func(v *videoOut) bool { return v.codec == "hevc" }) {
		f *= 4
	}
	if d <= 0 {
		d = time.Hour // unknown duration: a generous bound
	}
	return 10*time.Minute + time.Duration(float64(d)*f)
}

// splitInputs separates the main inputs (several form a sequence, joined
// in order) from the overlay inputs (those whose label an overlay names)
// and probes the overlays.
func (e *Encoder) splitInputs(ctx context.Context, in []Input, p *Preset) ([]Input, []overlayInput, error) {
	labels := p.OverlayLabels()
	var mains []Input
	byLabel := map[string]Input{}
	for _, i := range in {
		if i.Label != "" && slices.Contains(labels, i.Label) {
			if _, dup := byLabel[i.Label]; dup {
				return nil, nil, configError(fmt.Sprintf("two job inputs carry the overlay label %q; exactly one may", i.Label))
			}
			byLabel[i.Label] = i
			continue
		}
		mains = append(mains, i)
	}
	if len(mains) == 0 {
		return nil, nil, configError("the job has no input to encode (every input is an overlay source)")
	}
	var ovs []overlayInput
	if s := p.def.Standard; s != nil && s.Filters != nil {
		for i := range s.Filters.Overlays {
			o := &s.Filters.Overlays[i]
			oi, ok := byLabel[o.InputLabel]
			if !ok {
				return nil, nil, configError(fmt.Sprintf("filters.overlays[%d].inputLabel %q matches no job input label", i, o.InputLabel))
			}
			info, err := e.Probe(ctx, oi.Path)
			if err != nil {
				return nil, nil, err
			}
			if o.ODataType == defs.ODataTypeVideoOverlay && len(info.Video) == 0 {
				return nil, nil, configError(fmt.Sprintf("filters.overlays[%d]: input %q has no picture to overlay", i, o.InputLabel))
			}
			if o.ODataType == defs.ODataTypeAudioOverlay && len(info.Audio) == 0 {
				return nil, nil, configError(fmt.Sprintf("filters.overlays[%d]: input %q has no audio to mix", i, o.InputLabel))
			}
			ovs = append(ovs, overlayInput{path: oi.Path, info: info, spec: o})
		}
	}
	return mains, ovs, nil
}

// reporter forwards progress, never decreasing and without repeats.
type reporter struct {
	fn   Progress
	last int
}

func (r *reporter) set(p int) {
	p = max(0, min(100, p))
	if p > r.last {
		r.last = p
		r.fn(p)
	}
}

// cleanTemp removes the temporary files of a failed encode.
func cleanTemp(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".part") || strings.HasPrefix(e.Name(), ".thumb") {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// complexity measures how many bits the content needs: a fast
// fixed-quality (CRF 23) encode at 640x360 over the whole input when
// short, else over four 10-second windows spread across it. The result is
// the bitrate in kbps that encode needed.
func (e *Encoder) complexity(ctx context.Context, path string, src source, clipStart time.Duration, report func(int)) (float64, error) {
	type window struct{ at, dur time.Duration }
	d := src.duration
	var ws []window
	if d <= 0 || d <= 40*time.Second {
		ws = []window{{clipStart, d}}
	} else {
		for _, f := range []float64{0.125, 0.375, 0.625, 0.875} {
			ws = append(ws, window{clipStart + time.Duration(float64(d)*f) - 5*time.Second, 10 * time.Second})
		}
	}
	var bits, seconds float64
	for i, w := range ws {
		var counter countWriter
		args := []string{"-hide_banner", "-nostdin", "-v", "error"}
		if w.at > 0 {
			args = append(args, "-ss", secs(w.at))
		}
		if w.dur > 0 {
			args = append(args, "-t", secs(w.dur))
		}
		args = append(args, "-i", path, "-map", "0:v:0", "-vf", "scale=640:360,format=yuv420p", "-an",
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-threads", fmt.Sprint(e.threads()), "-f", "h264", "pipe:1")
		err := e.run(ctx, runSpec{args: args, duration: w.dur, timeout: e.timeout(w.dur, &plan{}), stdout: &counter})
		if err != nil {
			return 0, err
		}
		bits += float64(counter.n) * 8
		if w.dur > 0 {
			seconds += w.dur.Seconds()
		} else {
			seconds += d.Seconds()
		}
		if report != nil {
			report((i + 1) * 1000 / len(ws))
		}
	}
	if seconds <= 0 {
		seconds = 1
	}
	return bits / seconds / 1000, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// prepare names the temporary outputs and carries source stream
// languages over to the audio outputs.
func (p *plan) prepare(info *SourceInfo) {
	for i, f := range p.files {
		f.tmp = fmt.Sprintf(".part%02d.%s", i, map[bool]string{true: "ts", false: "mp4"}[f.ts])
	}
	for _, a := range p.audios {
		if a.src < len(info.Audio) {
			if l := info.Audio[a.src].Language; l != "" && l != "und" {
				a.lang = l
			}
		}
	}
}

// sequence probes every main input of a sequence and describes the joined
// source: the first input's picture and frame rate, the first audio
// stream found, the sum of the clipped durations.
func (e *Encoder) sequence(ctx context.Context, mains []Input, first *SourceInfo) ([]seqInput, source, error) {
	joined := *first
	joined.Duration = 0
	var seq []seqInput
	for i, m := range mains {
		info := first
		if i > 0 {
			var err error
			if info, err = e.Probe(ctx, m.Path); err != nil {
				return nil, source{}, err
			}
		}
		s, start, dur := clip(info, m)
		seq = append(seq, seqInput{path: m.Path, start: start, dur: dur, length: s.duration, video: len(info.Video) > 0, audio: len(info.Audio) > 0})
		joined.Duration += s.duration
		if len(joined.Audio) == 0 && len(info.Audio) > 0 {
			joined.Audio = info.Audio[:1]
		}
	}
	return seq, source{info: &joined, duration: joined.Duration}, nil
}

// truncated turns the complaints of a run that decoded an input cut short
// (an interrupted upload: the MP4 index promises samples the file does not
// hold) into ContentMalformed instead of a silently shorter output.
func truncated(stderr string, in Input) error {
	if !strings.Contains(stderr, "partial file") {
		return nil
	}
	return newError(CodeContentMalformed, fmt.Sprintf("input %s is truncated: its index lists media data past the end of the file; upload the complete file again (%s)",
		filepath.Base(in.Path), cleanStderr(summarize(stderr), in.Path)), errors.New("encode: truncated input"))
}

// safeBase makes an input's base name usable as a file name prefix: blob
// names may hold '/' and any character, output names may not.
func safeBase(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
	s = strings.TrimLeft(s, ". ")
	if s == "" {
		return "output"
	}
	return s
}
