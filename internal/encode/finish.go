package encode

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// macroRE matches one filenamePattern macro.
var macroRE = regexp.MustCompile(`\{[A-Za-z]*\}`)

// expand fills a filenamePattern. Unknown or empty macros collapse out
// (AMS); a pattern without {Extension} still gets the extension, because
// the origin recognises media by it.
func expand(pattern string, vars map[string]string, ext string) string {
	name := macroRE.ReplaceAllStringFunc(pattern, func(m string) string {
		v := vars[m[1:len(m)-1]]
		return strings.NewReplacer("/", "_", `\`, "_").Replace(v)
	})
	if !strings.Contains(pattern, "{Extension}") && !strings.HasSuffix(strings.ToLower(name), ext) {
		name += ext
	}
	return name
}

// basenameMacro is {Basename}: the first 32 characters of the input name.
func basenameMacro(base string) string {
	if utf8.RuneCountInString(base) <= 32 {
		return base
	}
	return string([]rune(base)[:32])
}

func codecMacro(c string) string {
	switch c {
	case "h264":
		return "H264"
	case "hevc":
		return "H265"
	case "aac":
		return "AACAudio"
	}
	return strings.ToUpper(c)
}

// finish names the outputs, writes the manifests and returns every file
// written, relative to out.Dir.
func (e *Encoder) finish(ctx context.Context, p *plan, src source, base string, out Output) ([]string, error) {
	bm := basenameMacro(base)
	used := map[string]int{}
	var files []string
	var media []mediaFile
	claim := func(name, what string) error {
		if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") {
			return configError(fmt.Sprintf("the filenamePattern of %s gives the invalid file name %q", what, name))
		}
		if n := used[strings.ToLower(name)]; n > 0 {
			return configError(fmt.Sprintf("the filenamePattern gives two output files the same name %q; add {Label}, {Bitrate}, {Resolution} or {Index} to it", name))
		}
		used[strings.ToLower(name)]++
		return nil
	}
	for i, f := range p.files {
		tmp := filepath.Join(out.Dir, f.tmp)
		info, err := e.Probe(ctx, tmp)
		if err != nil {
			return nil, newError(CodeServiceError, fmt.Sprintf("output file %d is unreadable: %v", i, err), err)
		}
		ext := ".mp4"
		if f.ts {
			ext = ".ts"
		}
		vars := map[string]string{"Basename": bm, "Extension": ext}
		var codec string
		switch {
		case len(f.videos) > 0:
			v := p.videos[f.videos[0]]
			vars["Label"] = v.label
			codec = v.codec
			bps := v.bitrate
			if len(info.Video) > 0 {
				vars["Resolution"] = fmt.Sprintf("%dx%d", info.Video[0].Width, info.Video[0].Height)
				if p.builtin || v.codec == "copy" || bps == 0 {
					bps = int(measured(info.Video[0], info, tmp))
				}
				if v.codec == "copy" {
					codec = info.Video[0].Codec
				}
			}
			vars["Bitrate"] = strconv.Itoa(kbps(bps))
		case len(f.audios) > 0:
			a := p.audios[f.audios[0]]
			vars["Label"] = a.label
			codec = a.codec
			bps := a.bitrate
			if len(info.Audio) > 0 && (a.codec == "copy" || bps == 0) {
				bps = int(measured(info.Audio[0], info, tmp))
				codec = info.Audio[0].Codec
			}
			vars["Bitrate"] = strconv.Itoa(kbps(bps))
			vars["AudioStream"] = "Audio" + strconv.Itoa(a.src+1)
		}
		vars["Codec"] = codecMacro(codec)
		name := expand(f.pattern, vars, ext)
		if err := claim(name, fmt.Sprintf("output file %d", i)); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, filepath.Join(out.Dir, name)); err != nil {
			return nil, newError(CodeServiceError, "cannot name an output file", err)
		}
		files = append(files, name)
		media = append(media, mediaFile{name: name, file: f, info: info})
	}
	for i, t := range p.thumbs {
		ext := ".jpg"
		if t.png {
			ext = ".png"
		}
		for n := 1; ; n++ {
			tmp := filepath.Join(out.Dir, fmt.Sprintf(thumbTmp(i, t.png), n))
			if _, err := os.Stat(tmp); err != nil {
				if n == 1 {
					return nil, newError(CodeServiceError, "ffmpeg wrote no thumbnail", err)
				}
				break
			}
			vars := map[string]string{"Basename": bm, "Extension": ext, "Label": t.label, "Index": fmt.Sprintf("%06d", n),
				"Resolution": fmt.Sprintf("%dx%d", t.w, t.h), "Codec": map[bool]string{true: "PNG", false: "JPG"}[t.png]}
			name := expand(t.pattern, vars, ext)
			if err := claim(name, "a thumbnail"); err != nil {
				return nil, err
			}
			if err := os.Rename(tmp, filepath.Join(out.Dir, name)); err != nil {
				return nil, newError(CodeServiceError, "cannot name a thumbnail", err)
			}
			files = append(files, name)
		}
	}
	extra, err := e.writeManifests(ctx, p, src, base, out, media)
	if err != nil {
		return nil, err
	}
	return append(files, extra...), nil
}

// measured is a stream's measured bitrate: ffprobe's, else derived from
// the file size and duration.
func measured(s StreamInfo, info *SourceInfo, path string) int64 {
	if s.BitRate > 0 {
		return s.BitRate
	}
	if st, err := os.Stat(path); err == nil && info.Duration > 0 {
		return int64(float64(st.Size()*8) / info.Duration.Seconds())
	}
	return 0
}

// mediaFile is an output audio/video file after naming.
type mediaFile struct {
	name string
	file *fileOut
	info *SourceInfo
}

// precheckNames expands the file name patterns with the planned values
// before encoding, so that a pattern giving two outputs one name fails at
// once instead of after the encode. Files whose names depend on measured
// values (built-in presets, copies) are left to finish.
func (p *plan) precheckNames(base string) error {
	if p.builtin {
		return nil
	}
	seen := map[string]bool{}
	bm := basenameMacro(base)
	for _, f := range p.files {
		ext := map[bool]string{true: ".ts", false: ".mp4"}[f.ts]
		vars := map[string]string{"Basename": bm, "Extension": ext}
		switch {
		case len(f.videos) > 0:
			v := p.videos[f.videos[0]]
			if v.codec == "copy" {
				continue
			}
			w, h := v.w, v.h
			if v.padW > 0 {
				w, h = v.padW, v.padH
			}
			vars["Label"], vars["Codec"], vars["Bitrate"], vars["Resolution"] = v.label, codecMacro(v.codec), strconv.Itoa(kbps(v.bitrate)), fmt.Sprintf("%dx%d", w, h)
		case len(f.audios) > 0:
			a := p.audios[f.audios[0]]
			if a.codec == "copy" {
				continue
			}
			vars["Label"], vars["Codec"], vars["Bitrate"], vars["AudioStream"] = a.label, codecMacro(a.codec), strconv.Itoa(kbps(a.bitrate)), "Audio"+strconv.Itoa(a.src+1)
		}
		name := strings.ToLower(expand(f.pattern, vars, ext))
		if seen[name] {
			return configError(fmt.Sprintf("the filenamePattern %q gives two output files the same name %q; add {Label}, {Bitrate} or {Resolution} to it", f.pattern, expand(f.pattern, vars, ext)))
		}
		seen[name] = true
	}
	return nil
}
