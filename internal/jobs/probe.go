package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// probe checks with ffprobe that path is media and returns its duration (0
// for still images). name is how the user knows the file.
func probe(ctx context.Context, ffprobe, path, name string) (time.Duration, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("stat input: %w", err)
	}
	if st.Size() == 0 {
		return 0, fail(defs.JobErrorContentMalformed, fmt.Sprintf("The input '%s' is empty (0 bytes); upload the complete file.", name))
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(pctx, ffprobe, "-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "json", path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return 0, context.Cause(ctx)
		}
		if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) {
			return 0, fmt.Errorf("run ffprobe: %w", err)
		}
		why := firstLine(stderr.String())
		why = strings.TrimSpace(strings.TrimPrefix(why, path+":"))
		return 0, fail(defs.JobErrorContentMalformed, fmt.Sprintf("The input '%s' is not a media file ffprobe can read (%s); check that it is a complete video or audio file.", name, why))
	}
	var out struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return 0, fmt.Errorf("decode ffprobe output: %w", err)
	}
	media := false
	for _, s := range out.Streams {
		if s.CodecType == "video" || s.CodecType == "audio" {
			media = true
		}
	}
	if !media {
		return 0, fail(defs.JobErrorContentUnsupported, fmt.Sprintf("The input '%s' has no video or audio stream.", name))
	}
	secs, err := strconv.ParseFloat(out.Format.Duration, 64)
	if err != nil || secs < 0 {
		return 0, nil // still images and raw streams report none
	}
	return time.Duration(secs * float64(time.Second)), nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	if s == "" {
		return "no details"
	}
	return s
}
