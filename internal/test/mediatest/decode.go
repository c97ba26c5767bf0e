package mediatest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// DecodedStream is one stream of a full decode.
type DecodedStream struct {
	Index  int
	Type   string // "video" or "audio"
	Frames int    // decoded frames
	// Checksum is a hash over every decoded frame's size and CRC in
	// order (not the timestamps): equal checksums mean frame-identical
	// decodes, e.g. a decrypted stream against the clear one.
	Checksum string
}

// DecodeAll decodes every video and audio stream of url (a path or URL,
// HLS playlists and DASH manifests included) and returns the decoded frame
// counts summed over all video and all audio streams. For an HLS master
// playlist or a multi-rendition DASH manifest that is the sum over the
// renditions; decode a media playlist for one rendition's count. The test
// fails when ffmpeg exits non-zero; errors ffmpeg logs without exiting
// (a segment that could not be fetched is skipped by its HLS demuxer) are
// logged, and show up as missing frames.
//
// How frames are counted: `ffmpeg -i URL -map 0:v? -map 0:a? -f framecrc -`
// prints one line per decoded frame with its stream index, after a header
// naming each stream's media type. Unlike the -stats/-progress "frame="
// counter it counts audio too and per stream, it needs no end-of-run
// parsing of a progress line, and unlike ffprobe -count_frames it yields a
// per-frame CRC for the Checksum. -xerror makes decoding errors exit
// non-zero.
func DecodeAll(t testing.TB, url string, extraArgs ...string) (videoFrames, audioFrames int) {
	t.Helper()
	for _, s := range Decode(t, url, extraArgs...) {
		switch s.Type {
		case "video":
			videoFrames += s.Frames
		case "audio":
			audioFrames += s.Frames
		}
	}
	return videoFrames, audioFrames
}

// Decode is DecodeAll with per-stream counts and checksums.
func Decode(t testing.TB, url string, extraArgs ...string) []DecodedStream {
	t.Helper()
	Require(t)
	streams, logged, err := decode(url, extraArgs...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if logged != "" {
		t.Logf("mediatest: ffmpeg reported while decoding %s:\n%s", url, tail(logged, 4000))
	}
	return streams
}

// TryDecode is Decode returning the error, for tests that expect decoding
// to fail (wrong key). It does not check that ffmpeg is installed: call
// Require first.
func TryDecode(url string, extraArgs ...string) ([]DecodedStream, error) {
	streams, _, err := decode(url, extraArgs...)
	return streams, err
}

func decode(url string, extraArgs ...string) (streams []DecodedStream, logged string, err error) {
	ffmpeg, _, err := tools()
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	args := []string{"-hide_banner", "-nostdin", "-v", "error", "-xerror"}
	args = append(args, inputArgs(url)...)
	args = append(args, extraArgs...)
	args = append(args, "-i", url, "-map", "0:v?", "-map", "0:a?", "-f", "framecrc", "-")
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, stderr.String(), fmt.Errorf("mediatest: decode %s: %w\n%s", url, err, tail(stderr.String(), 4000))
	}
	streams, err = parseFrameCRC(&stdout)
	if err != nil {
		return nil, stderr.String(), fmt.Errorf("mediatest: decode %s: %w", url, err)
	}
	return streams, stderr.String(), nil
}

// parseFrameCRC reads ffmpeg's framecrc output: "#media_type 0: video"
// header lines, then "index, dts, pts, duration, size, 0xcrc[, side data]"
// per frame.
func parseFrameCRC(r *bytes.Buffer) ([]DecodedStream, error) {
	type acc struct {
		DecodedStream
		h hash.Hash
	}
	byIndex := map[int]*acc{}
	get := func(i int) *acc {
		a := byIndex[i]
		if a == nil {
			a = &acc{DecodedStream: DecodedStream{Index: i}, h: sha256.New()}
			byIndex[i] = a
		}
		return a
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "#media_type "); ok {
			idx, typ, ok := strings.Cut(rest, ": ")
			i, err := strconv.Atoi(idx)
			if !ok || err != nil {
				return nil, fmt.Errorf("bad framecrc header %q", line)
			}
			get(i).Type = typ
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) < 6 {
			return nil, fmt.Errorf("bad framecrc line %q", line)
		}
		i, err := strconv.Atoi(strings.TrimSpace(f[0]))
		if err != nil {
			return nil, fmt.Errorf("bad framecrc line %q", line)
		}
		a := get(i)
		a.Frames++
		fmt.Fprintf(a.h, "%s %s\n", strings.TrimSpace(f[4]), strings.TrimSpace(f[5]))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make([]DecodedStream, 0, len(byIndex))
	for _, a := range byIndex {
		a.Checksum = hex.EncodeToString(a.h.Sum(nil))
		out = append(out, a.DecodedStream)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, nil
}
