package mediatest

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Set is a generated asset: the files of one AMS asset container.
type Set struct {
	// Dir holds Files and the .ism; shared, treat as read-only.
	Dir   string `json:"-"`
	Files []File
	// ISM is the name of the .ism server manifest in Dir, or "" when the
	// set has none (Lockstream must derive the track set).
	ISM string
	// Duration is the nominal length of every track.
	Duration time.Duration
	// Tracks are the .ism's entries in its order: for a set without .ism
	// the tracks an AMS-style derivation would name.
	Tracks []Track
}

// File is one media file of a Set, described by ffprobe.
type File struct {
	Name string // base name in Set.Dir
	Path string `json:"-"` // absolute
	// Kind is "video" or "audio" (one track) or "muxed" (video + audio).
	Kind string
	// Codec, Profile, Width, Height, Bitrate and Frames describe the main
	// stream: the video stream of video and muxed files, the audio stream
	// of audio files. Codec is ffprobe's codec_name ("h264", "hevc",
	// "aac"); Frames its decoded frame count (ffprobe -count_frames);
	// Bitrate its measured bits/s.
	Codec         string
	Profile       string
	Width, Height int
	Bitrate       int
	Frames        int
	// Language is the audio stream's language tag ("eng", "und"; "" for
	// video-only files).
	Language string
	Size     int64
	// Fragmented reports a fragmented (CMAF-style) MP4.
	Fragmented bool
	// Streams are all of the file's streams as ffprobe reported them.
	Streams []ProbeStream
}

// Track is one .ism entry: one track of one file.
type Track struct {
	File      string // File.Name
	Kind      string // "video" or "audio"
	TrackID   int    // MP4 track ID in File
	TrackName string // "video", "aac_eng_2_128092_1_1"
	Codec     string
	Bitrate   int // the .ism systemBitrate: the measured stream bitrate
	Language  string
	Width     int
	Height    int
	Frames    int // decoded frames (ffprobe)
}

// Path returns the absolute path of the set's file called name.
func (s *Set) Path(name string) string { return filepath.Join(s.Dir, name) }

// Names returns the names of all files in the set, .ism last.
func (s *Set) Names() []string {
	var out []string
	for _, f := range s.Files {
		out = append(out, f.Name)
	}
	if s.ISM != "" {
		out = append(out, s.ISM)
	}
	return out
}

// CopyTo copies the set's files (and .ism) into dir, for a test that
// changes them, and returns the copy.
func (s *Set) CopyTo(t testing.TB, dir string) *Set {
	t.Helper()
	for _, name := range s.Names() {
		if err := copyFile(s.Path(name), filepath.Join(dir, name)); err != nil {
			t.Fatalf("mediatest: copy set: %v", err)
		}
	}
	c := *s
	c.Dir = dir
	c.Files = append([]File(nil), s.Files...)
	for i := range c.Files {
		c.Files[i].Path = filepath.Join(dir, c.Files[i].Name)
	}
	return &c
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
