package mediatest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
)

// describe probes a generated file.
func describe(dir string, o output) (File, error) {
	path := filepath.Join(dir, o.Name)
	fi, err := os.Stat(path)
	if err != nil {
		return File{}, err
	}
	r, err := TryProbe(path)
	if err != nil {
		return File{}, err
	}
	f := File{Name: o.Name, Kind: o.Kind, Size: fi.Size(), Fragmented: o.Fragmented, Streams: r.Streams}
	main := r.Video()
	if o.Kind == "audio" {
		main = r.Audio()
	}
	if len(main) != 1 {
		return File{}, fmt.Errorf("%s: want one main stream for kind %s, ffprobe found %+v", o.Name, o.Kind, r.Streams)
	}
	m := main[0]
	f.Codec, f.Profile, f.Width, f.Height, f.Frames = m.Codec, m.Profile, m.Width, m.Height, m.Frames
	f.Bitrate = bitrate(m, fi.Size(), r)
	if a := r.Audio(); len(a) > 0 {
		f.Language = language(a[0])
	}
	return f, nil
}

// bitrate is the stream's measured bitrate; fragmented MP4s may carry
// none, then the file's average stands in.
func bitrate(s ProbeStream, size int64, r ProbeResult) int {
	if s.BitRate > 0 {
		return s.BitRate
	}
	if r.Duration > 0 {
		return int(float64(size*8) / r.Duration.Seconds())
	}
	return 0
}

func language(s ProbeStream) string {
	if s.Language == "" {
		return "und"
	}
	return s.Language
}

// tracks lists every video and audio stream of files as .ism entries,
// named as AMS's encoder names them: all video tracks "video", audio
// "<codec>_<language>_<channels>_<bitrate>_<trackID>_1".
func tracks(files []File) []Track {
	var out []Track
	for _, f := range files {
		for _, s := range f.Streams {
			tr := Track{File: f.Name, Kind: s.Type, TrackID: s.ID, Codec: s.Codec, Width: s.Width, Height: s.Height, Frames: s.Frames, Bitrate: s.BitRate}
			if tr.Bitrate == 0 {
				tr.Bitrate = f.Bitrate
			}
			switch s.Type {
			case "video":
				tr.TrackName = "video"
			case "audio":
				tr.Language = language(s)
				tr.TrackName = fmt.Sprintf("%s_%s_%d_%d_%d_1", s.Codec, tr.Language, s.Channels, tr.Bitrate, s.ID)
			default:
				continue
			}
			out = append(out, tr)
		}
	}
	return out
}

// The SMIL 2.0 server manifest in AMS's dialect.
type smil struct {
	XMLName xml.Name  `xml:"smil"`
	XMLNS   string    `xml:"xmlns,attr"`
	Meta    smilMeta  `xml:"head>meta"`
	Entries []smilRef `xml:"body>switch>ref"`
}

type smilMeta struct {
	Name    string `xml:"name,attr"`
	Content string `xml:"content,attr"`
}

type smilRef struct {
	XMLName        xml.Name    // video or audio
	Src            string      `xml:"src,attr"`
	SystemBitrate  int         `xml:"systemBitrate,attr"`
	SystemLanguage string      `xml:"systemLanguage,attr,omitempty"`
	Params         []smilParam `xml:"param"`
}

type smilParam struct {
	Name      string `xml:"name,attr"`
	Value     string `xml:"value,attr"`
	ValueType string `xml:"valuetype,attr"`
}

// ism renders the .ism for tracks.
func ism(tracks []Track) []byte {
	doc := smil{XMLNS: "http://www.w3.org/2001/SMIL20/Language", Meta: smilMeta{Name: "formats", Content: "mp4-v2"}}
	for _, tr := range tracks {
		ref := smilRef{
			XMLName:       xml.Name{Local: tr.Kind},
			Src:           tr.File,
			SystemBitrate: tr.Bitrate,
			Params: []smilParam{
				{Name: "trackID", Value: fmt.Sprint(tr.TrackID), ValueType: "data"},
				{Name: "trackName", Value: tr.TrackName, ValueType: "data"},
			},
		}
		if tr.Kind == "audio" {
			ref.SystemLanguage = tr.Language
		}
		doc.Entries = append(doc.Entries, ref)
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // fixed types: cannot fail
	}
	// AMS writes empty elements self-closed; encoding/xml cannot.
	b = bytes.ReplaceAll(b, []byte("></param>"), []byte(" />"))
	b = bytes.ReplaceAll(b, []byte("></meta>"), []byte(" />"))
	return append([]byte(`<?xml version="1.0" encoding="utf-8" standalone="yes"?>`+"\n"), append(b, '\n')...)
}
