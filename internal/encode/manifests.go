package encode

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/lockstream/lockstream/internal/ism"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/smooth"
)

// dirSource reads files of a local directory for media.Load.
type dirSource string

func (d dirSource) ReadRange(_ context.Context, name string, off, n int64) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(string(d), name))
	if err != nil {
		return nil, err
	}
	if n < 0 {
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		n = st.Size() - off
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, off, n), f}, nil
}

// serverManifest derives the .ism entries from the MP4 outputs: every
// video track, and each audio stream once, from the smallest file that
// carries it (as AMS pointed the audio at its lowest layer).
func serverManifest(p *plan, files []mediaFile) *ism.Manifest {
	m := &ism.Manifest{Meta: ism.DefaultMeta()}
	hasH264 := false
	for _, f := range files {
		for _, v := range f.info.Video {
			hasH264 = hasH264 || v.Codec == "h264"
		}
	}
	type pick struct {
		f    mediaFile
		s    StreamInfo
		size int64
	}
	audio := map[int]pick{}
	for _, f := range files {
		if f.file.ts {
			continue
		}
		for _, v := range f.info.Video {
			name := "video"
			if v.Codec != "h264" && hasH264 {
				name = "video_" + v.Codec
			}
			m.Entries = append(m.Entries, ism.Entry{Kind: ism.KindVideo, Src: f.name, SystemBitrate: uint64(max(v.BitRate, 1)),
				TrackID: uint32(v.ID), TrackName: name})
		}
		for j, a := range f.info.Audio {
			if j >= len(f.file.audios) {
				break
			}
			key := f.file.audios[j]
			size := f.info.BitRate
			if cur, ok := audio[key]; !ok || size < cur.size {
				audio[key] = pick{f, a, size}
			}
		}
	}
	keys := make([]int, 0, len(audio))
	for k := range audio {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		a := audio[k]
		lang := a.s.Language
		if lang == "" {
			lang = "und"
		}
		br := uint64(max(a.s.BitRate, 1))
		m.Entries = append(m.Entries, ism.Entry{Kind: ism.KindAudio, Src: a.f.name, SystemBitrate: br, Language: lang,
			TrackID: uint32(a.s.ID), TrackName: fmt.Sprintf("%s_%s_%d_%d_%d_1", a.s.Codec, lang, a.s.Channels, br, a.s.ID)})
	}
	return m
}

// writeManifests writes <base>.ism and <base>.ismc (when there are MP4
// outputs the origin can stream) and <base>_manifest.json and
// <base>_metadata.json, and returns their names.
func (e *Encoder) writeManifests(ctx context.Context, p *plan, src source, base string, out Output, files []mediaFile) ([]string, error) {
	var names []string
	m := serverManifest(p, files)
	if len(m.Entries) > 0 {
		// The client manifest comes from the same presentation the origin
		// builds, which also proves the outputs can be segmented.
		var refs []media.Ref
		for _, en := range m.Entries {
			kind := media.Video
			if en.Kind == ism.KindAudio {
				kind = media.Audio
			}
			st, err := os.Stat(filepath.Join(out.Dir, en.Src))
			if err != nil {
				return nil, newError(CodeServiceError, "output vanished", err)
			}
			refs = append(refs, media.Ref{File: en.Src, Size: st.Size(), Kind: kind, TrackID: en.TrackID,
				Name: en.TrackName, Bitrate: en.SystemBitrate, Language: en.Language})
		}
		pres, err := media.Load(ctx, dirSource(out.Dir), refs, media.Options{TargetDuration: p.gop})
		var ismc []byte
		if err == nil {
			ismc, err = smooth.Manifest(packager.Full(pres, ""), smooth.Options{})
		}
		if err != nil {
			if encodes(p) {
				return nil, newError(CodeServiceError, "the encoded outputs cannot be segmented for streaming: "+err.Error(), err)
			}
			// Copied streams in a codec or layout the origin does not
			// package: the files are still the job's output.
			m = nil
		} else {
			m.Meta = append(m.Meta, ism.Meta{Name: "clientManifestRelativePath", Content: base + ".ismc"})
			doc, err := ism.Marshal(m)
			if err != nil {
				return nil, newError(CodeServiceError, "cannot write the server manifest", err)
			}
			if err := writeFile(out.Dir, base+".ismc", ismc); err != nil {
				return nil, err
			}
			if err := writeFile(out.Dir, base+".ism", doc); err != nil {
				return nil, err
			}
			names = append(names, base+".ism", base+".ismc")
		}
	}
	man, err := json.MarshalIndent(assetManifest(out.Dir, files), "", "  ")
	if err != nil {
		return nil, newError(CodeServiceError, "cannot write the output manifest", err)
	}
	if err := writeFile(out.Dir, base+"_manifest.json", man); err != nil {
		return nil, err
	}
	meta, err := json.MarshalIndent(inputMetadata(src), "", "  ")
	if err != nil {
		return nil, newError(CodeServiceError, "cannot write the input metadata", err)
	}
	if err := writeFile(out.Dir, base+"_metadata.json", meta); err != nil {
		return nil, err
	}
	return append(names, base+"_manifest.json", base+"_metadata.json"), nil
}

func encodes(p *plan) bool {
	for _, v := range p.videos {
		if v.codec != "copy" {
			return true
		}
	}
	for _, a := range p.audios {
		if a.codec != "copy" {
			return true
		}
	}
	return false
}

func writeFile(dir, name string, b []byte) error {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		return newError(CodeServiceError, "cannot write "+name, err)
	}
	return nil
}

// isoDuration formats d as AMS wrote durations in output metadata.
func isoDuration(d time.Duration) string {
	return fmt.Sprintf("PT%.3fS", d.Seconds())
}

// The output metadata (AMS output-metadata schema, the members players
// and tools read).
type assetFile struct {
	Name        string       `json:"Name"`
	Size        int64        `json:"Size"`
	Duration    string       `json:"Duration"`
	VideoTracks []videoTrack `json:"VideoTracks,omitempty"`
	AudioTracks []audioTrack `json:"AudioTracks,omitempty"`
}

type videoTrack struct {
	ID            int     `json:"Id"`
	FourCC        string  `json:"FourCC"`
	Profile       string  `json:"Profile,omitempty"`
	Width         int     `json:"Width"`
	Height        int     `json:"Height"`
	Framerate     float64 `json:"Framerate"`
	Bitrate       int64   `json:"Bitrate"`
	TargetBitrate int     `json:"TargetBitrate,omitempty"`
}

type audioTrack struct {
	ID            int    `json:"Id"`
	Codec         string `json:"Codec"`
	Language      string `json:"Language,omitempty"`
	Channels      int    `json:"Channels"`
	SamplingRate  int    `json:"SamplingRate"`
	Bitrate       int64  `json:"Bitrate"`
	TargetBitrate int    `json:"TargetBitrate,omitempty"`
}

type outputManifest struct {
	AssetFile []assetFile `json:"AssetFile"`
}

func assetManifest(dir string, files []mediaFile) outputManifest {
	var m outputManifest
	for _, f := range files {
		af := assetFile{Name: f.name, Duration: isoDuration(f.info.Duration)}
		if st, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			af.Size = st.Size()
		}
		for _, v := range f.info.Video {
			af.VideoTracks = append(af.VideoTracks, videoTrack{ID: v.ID, FourCC: fourCC(v.Codec), Profile: v.Profile,
				Width: v.Width, Height: v.Height, Framerate: v.FPS(), Bitrate: v.BitRate})
		}
		for _, a := range f.info.Audio {
			af.AudioTracks = append(af.AudioTracks, audioTrack{ID: a.ID, Codec: a.Codec, Language: a.Language,
				Channels: a.Channels, SamplingRate: a.SampleRate, Bitrate: a.BitRate})
		}
		m.AssetFile = append(m.AssetFile, af)
	}
	return m
}

func fourCC(codec string) string {
	switch codec {
	case "h264":
		return "avc1"
	case "hevc":
		return "hev1"
	}
	return codec
}

type inputMeta struct {
	Format      string       `json:"Format"`
	Duration    string       `json:"Duration"`
	Bitrate     int64        `json:"Bitrate"`
	VideoTracks []videoTrack `json:"VideoTracks,omitempty"`
	AudioTracks []audioTrack `json:"AudioTracks,omitempty"`
}

func inputMetadata(src source) inputMeta {
	m := inputMeta{Format: src.info.Format, Duration: isoDuration(src.info.Duration), Bitrate: src.info.BitRate}
	for _, v := range src.info.Video {
		m.VideoTracks = append(m.VideoTracks, videoTrack{ID: v.ID, FourCC: fourCC(v.Codec), Profile: v.Profile,
			Width: v.Width, Height: v.Height, Framerate: v.FPS(), Bitrate: v.BitRate})
	}
	for _, a := range src.info.Audio {
		m.AudioTracks = append(m.AudioTracks, audioTrack{ID: a.ID, Codec: a.Codec, Language: a.Language,
			Channels: a.Channels, SamplingRate: a.SampleRate, Bitrate: a.BitRate})
	}
	return m
}
