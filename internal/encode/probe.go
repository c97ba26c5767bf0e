package encode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// probeTimeout bounds one ffprobe run: it reads headers only.
const probeTimeout = 2 * time.Minute

// SourceInfo is what ffprobe says about an input file.
type SourceInfo struct {
	Format   string        // format_name
	Duration time.Duration // container duration (0 if unknown)
	Start    time.Duration // start_time
	BitRate  int64         // container bit_rate, bps
	Video    []StreamInfo
	Audio    []StreamInfo
}

// StreamInfo is one audio or video stream.
type StreamInfo struct {
	Index      int // ffprobe stream index (for -map 0:N)
	ID         int // container track id
	Codec      string
	Profile    string
	Width      int
	Height     int
	FPSNum     int // avg/real frame rate, 0 when unknown
	FPSDen     int
	BitRate    int64
	Channels   int
	SampleRate int
	Language   string
	Rotation   int  // display rotation in degrees, clockwise
	Interlaced bool // field_order says the stream is interlaced
	Frames     int64
	Duration   time.Duration
	Image      bool // a still picture (single-frame image codec)
}

// FPS returns the frame rate, 0 when unknown.
func (s StreamInfo) FPS() float64 {
	if s.FPSDen == 0 {
		return 0
	}
	return float64(s.FPSNum) / float64(s.FPSDen)
}

// DisplaySize is the picture size after applying the rotation metadata.
func (s StreamInfo) DisplaySize() (w, h int) {
	if s.Rotation%180 != 0 {
		return s.Height, s.Width
	}
	return s.Width, s.Height
}

type probeJSON struct {
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
		StartTime  string `json:"start_time"`
		BitRate    string `json:"bit_rate"`
	} `json:"format"`
	Streams []struct {
		Index        int    `json:"index"`
		ID           string `json:"id"`
		CodecType    string `json:"codec_type"`
		CodecName    string `json:"codec_name"`
		Profile      string `json:"profile"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		AvgFrameRate string `json:"avg_frame_rate"`
		RFrameRate   string `json:"r_frame_rate"`
		BitRate      string `json:"bit_rate"`
		Channels     int    `json:"channels"`
		SampleRate   string `json:"sample_rate"`
		FieldOrder   string `json:"field_order"`
		NbFrames     string `json:"nb_frames"`
		Duration     string `json:"duration"`
		Tags         struct {
			Language string `json:"language"`
			Rotate   string `json:"rotate"`
		} `json:"tags"`
		SideDataList []struct {
			Rotation *float64 `json:"rotation"`
		} `json:"side_data_list"`
		Disposition struct {
			AttachedPic int `json:"attached_pic"`
		} `json:"disposition"`
	} `json:"streams"`
}

// Probe runs ffprobe on a local file. A file ffprobe cannot read comes back
// as *Error ContentMalformed; one without audio or video as
// ContentUnsupported.
func (e *Encoder) Probe(ctx context.Context, path string) (*SourceInfo, error) {
	name := baseName(path)
	st, err := os.Stat(path)
	if err != nil {
		return nil, newError(CodeServiceError, fmt.Sprintf("input %s cannot be read: %v", name, err), err)
	}
	if st.Size() == 0 {
		return nil, newError(CodeContentMalformed, fmt.Sprintf("input %s is empty (0 bytes); upload the media file again", name), nil)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.ffprobe(), "-v", "error", "-show_format", "-show_streams", "-of", "json", "-i", path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if parent.Err() != nil {
			return nil, parent.Err()
		}
		if ctx.Err() != nil {
			return nil, newError(CodeContentMalformed, fmt.Sprintf("input %s could not be read within %s; check that it is a complete media file", name, probeTimeout), ctx.Err())
		}
		msg := strings.TrimSpace(lastLines(stderr.String(), 3))
		return nil, newError(CodeContentMalformed,
			fmt.Sprintf("input %s is not a media file ffmpeg can read (%s); check that the job input is an audio or video file and was uploaded completely", name, cleanStderr(msg, path)), err)
	}
	info, err := parseProbe(stdout.Bytes())
	if err != nil {
		return nil, newError(CodeContentMalformed, fmt.Sprintf("input %s: %v", name, err), err)
	}
	if len(info.Video) == 0 && len(info.Audio) == 0 {
		return nil, newError(CodeContentUnsupported,
			fmt.Sprintf("input %s (format %s) has no audio or video stream", name, info.Format), nil)
	}
	return info, nil
}

func parseProbe(b []byte) (*SourceInfo, error) {
	var p probeJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("unreadable ffprobe output: %w", err)
	}
	info := &SourceInfo{
		Format:   p.Format.FormatName,
		Duration: seconds(p.Format.Duration),
		Start:    seconds(p.Format.StartTime),
		BitRate:  atoi64(p.Format.BitRate),
	}
	for _, s := range p.Streams {
		if s.Disposition.AttachedPic != 0 {
			continue // cover art, not a video stream
		}
		si := StreamInfo{
			Index: s.Index, Codec: s.CodecName, Profile: s.Profile,
			Width: s.Width, Height: s.Height, BitRate: atoi64(s.BitRate),
			Channels: s.Channels, SampleRate: int(atoi64(s.SampleRate)),
			Language: language(s.Tags.Language), Frames: atoi64(s.NbFrames), Duration: seconds(s.Duration),
		}
		if id, err := strconv.ParseInt(s.ID, 0, 64); err == nil {
			si.ID = int(id)
		}
		si.FPSNum, si.FPSDen = ratio(s.AvgFrameRate)
		if si.FPSNum == 0 || si.FPS() > 240 {
			si.FPSNum, si.FPSDen = ratio(s.RFrameRate)
		}
		if r := atoi64(s.Tags.Rotate); r != 0 {
			si.Rotation = int(r)
		}
		for _, sd := range s.SideDataList {
			if sd.Rotation != nil {
				// Display matrix rotation is counter-clockwise.
				si.Rotation = int(math.Round(-*sd.Rotation))
			}
		}
		si.Rotation = ((si.Rotation % 360) + 360) % 360
		switch s.FieldOrder {
		case "tt", "bb", "tb", "bt":
			si.Interlaced = true
		}
		switch s.CodecType {
		case "video":
			switch s.CodecName {
			case "png", "mjpeg", "bmp", "gif", "webp", "tiff":
				si.Image = si.Frames <= 1
			}
			if si.Width == 0 || si.Height == 0 {
				continue
			}
			info.Video = append(info.Video, si)
		case "audio":
			info.Audio = append(info.Audio, si)
		}
	}
	if info.Duration == 0 {
		for _, s := range append(append([]StreamInfo{}, info.Video...), info.Audio...) {
			info.Duration = max(info.Duration, s.Duration)
		}
	}
	return info, nil
}

func seconds(s string) time.Duration {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 1e7 {
		return 0
	}
	return time.Duration(v * float64(time.Second))
}

func atoi64(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

func ratio(s string) (int, int) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0
	}
	n, _ := strconv.Atoi(a)
	d, _ := strconv.Atoi(b)
	if n <= 0 || d <= 0 {
		return 0, 0
	}
	return n, d
}

// cleanStderr shortens ffmpeg messages for users: the server-side path of
// the scratch file means nothing to them.
func cleanStderr(s, path string) string {
	s = strings.ReplaceAll(s, path+": ", "")
	s = strings.ReplaceAll(s, path, baseName(path))
	s = logPrefixRE.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
	if s == "" {
		return "no details"
	}
	return s
}

// logPrefixRE matches ffmpeg's "[component @ 0xaddress] " log prefixes.
var logPrefixRE = regexp.MustCompile(`\[[^\]]* @ 0x[0-9a-f]+\] `)

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// languageRE accepts ISO 639 codes and BCP 47 tags.
var languageRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// language keeps a stream's language tag when it looks like one: it ends
// up in the .ism and in streaming URLs.
func language(s string) string {
	if len(s) > 35 || !languageRE.MatchString(s) {
		return ""
	}
	return s
}
