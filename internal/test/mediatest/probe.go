package mediatest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// probeTimeout bounds one ffprobe or decoding run: it reads and decodes
// every frame, over HTTP for origin URLs.
const probeTimeout = 3 * time.Minute

// ProbeResult is what ffprobe reports about a file or URL.
type ProbeResult struct {
	FormatName string // e.g. "mov,mp4,m4a,3gp,3g2,mj2", "hls", "dash"
	// Duration is the container duration (0 when ffprobe gives none).
	Duration time.Duration
	Streams  []ProbeStream
}

// ProbeStream is one stream as ffprobe reports it. For an HLS master
// playlist or a DASH manifest every rendition is a stream.
type ProbeStream struct {
	Index   int
	Type    string // codec_type: "video", "audio", "subtitle", "data"
	Codec   string // codec_name: "h264", "hevc", "aac"
	Profile string // "High", "Main", "LC"
	Tag     string // codec_tag_string: "avc1", "hvc1", "mp4a" ("[0][0][0][0]" in TS)
	// ID is the container's stream id: the MP4 track ID, the TS PID.
	ID            int
	Width, Height int
	// Frames is nb_read_frames: frames decoded by ffprobe -count_frames.
	Frames int
	// Packets is nb_read_packets.
	Packets    int
	Duration   time.Duration
	BitRate    int // bits/s, 0 when not known
	SampleRate int
	Channels   int
	BFrames    bool // has_b_frames > 0
	Language   string
}

// Video returns the video streams.
func (r ProbeResult) Video() []ProbeStream { return r.ofType("video") }

// Audio returns the audio streams.
func (r ProbeResult) Audio() []ProbeStream { return r.ofType("audio") }

func (r ProbeResult) ofType(typ string) []ProbeStream {
	var out []ProbeStream
	for _, s := range r.Streams {
		if s.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

// Probe runs `ffprobe -v error -count_frames -count_packets -show_streams
// -show_format -of json` on url (a path, an http(s) URL, an HLS playlist or
// DASH manifest) and fails the test if ffprobe fails or runs longer than
// three minutes. extraArgs go before -i (e.g. "-headers",
// "Authorization: Bearer …\r\n"). -count_frames decodes every stream, so
// Frames are decoded frames; it also makes Probe slow on long inputs.
func Probe(t testing.TB, url string, extraArgs ...string) ProbeResult {
	t.Helper()
	Require(t)
	r, err := TryProbe(url, extraArgs...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return r
}

// TryProbe is Probe returning the error, for tests that expect ffprobe to
// fail (an encrypted segment without its key, a broken URL). It does not
// check that ffprobe is installed: call Require first.
func TryProbe(url string, extraArgs ...string) (ProbeResult, error) {
	_, ffprobe, err := tools()
	if err != nil {
		return ProbeResult{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	args := []string{"-v", "error", "-count_frames", "-count_packets", "-show_streams", "-show_format", "-of", "json"}
	args = append(args, inputArgs(url)...)
	args = append(args, extraArgs...)
	args = append(args, "-i", url)
	cmd := exec.CommandContext(ctx, ffprobe, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return ProbeResult{}, fmt.Errorf("mediatest: ffprobe %s: %w\n%s", url, err, tail(stderr.String(), 4000))
	}
	r, err := parseProbe(stdout.Bytes())
	if err != nil {
		return ProbeResult{}, fmt.Errorf("mediatest: ffprobe %s: %w", url, err)
	}
	return r, nil
}

// inputArgs are the input options every probe and decode gets: HLS and
// DASH demuxers open nested URLs (segments, keys), which need the
// protocols whitelisted; a stalled server fails after 30 s instead of
// hanging. For URLs that look like HLS, segment URLs may end in anything
// (Lockstream's end in ")"): allowed_extensions ALL, and extension_picky 0
// where the hls demuxer has it (ffmpeg 7.1 and security backports). These
// are hls-demuxer options that ffmpeg rejects on other inputs.
func inputArgs(url string) []string {
	args := []string{"-protocol_whitelist", "file,http,https,tcp,tls,crypto,data"}
	if strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://") {
		args = append(args, "-rw_timeout", "30000000")
	}
	if strings.Contains(strings.ToLower(url), "m3u8") {
		args = append(args, "-allowed_extensions", "ALL")
		if hlsPicky {
			args = append(args, "-extension_picky", "0")
		}
	}
	return args
}

// ffprobeJSON is the subset of ffprobe's JSON that Probe reads.
type ffprobeJSON struct {
	Streams []struct {
		Index          int               `json:"index"`
		CodecName      string            `json:"codec_name"`
		CodecType      string            `json:"codec_type"`
		Profile        string            `json:"profile"`
		CodecTagString string            `json:"codec_tag_string"`
		ID             string            `json:"id"`
		Width          int               `json:"width"`
		Height         int               `json:"height"`
		NbReadFrames   string            `json:"nb_read_frames"`
		NbReadPackets  string            `json:"nb_read_packets"`
		Duration       string            `json:"duration"`
		BitRate        string            `json:"bit_rate"`
		SampleRate     string            `json:"sample_rate"`
		Channels       int               `json:"channels"`
		HasBFrames     int               `json:"has_b_frames"`
		Tags           map[string]string `json:"tags"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

func parseProbe(b []byte) (ProbeResult, error) {
	var j ffprobeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return ProbeResult{}, fmt.Errorf("parse ffprobe JSON: %w", err)
	}
	r := ProbeResult{FormatName: j.Format.FormatName, Duration: seconds(j.Format.Duration)}
	for _, s := range j.Streams {
		id, _ := strconv.ParseInt(strings.TrimPrefix(s.ID, "0x"), 16, 64)
		r.Streams = append(r.Streams, ProbeStream{
			Index:      s.Index,
			Type:       s.CodecType,
			Codec:      s.CodecName,
			Profile:    s.Profile,
			Tag:        s.CodecTagString,
			ID:         int(id),
			Width:      s.Width,
			Height:     s.Height,
			Frames:     atoi(s.NbReadFrames),
			Packets:    atoi(s.NbReadPackets),
			Duration:   seconds(s.Duration),
			BitRate:    atoi(s.BitRate),
			SampleRate: atoi(s.SampleRate),
			Channels:   s.Channels,
			BFrames:    s.HasBFrames > 0,
			Language:   s.Tags["language"],
		})
	}
	return r, nil
}

// atoi reads ffprobe's numeric strings; "N/A" and "" give 0.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func seconds(s string) time.Duration {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return time.Duration(f * float64(time.Second)).Round(time.Microsecond)
}
