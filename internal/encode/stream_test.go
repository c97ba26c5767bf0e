package encode_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/test/mediatest"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

// TestOutputStreams uploads an AdaptiveStreaming output, as the job
// engine will, to an asset of a running node, publishes it with a clear
// locator and plays HLS and DASH through the origin with ffmpeg: every
// layer and the audio decode completely. (An external test package: core
// may come to import encode.)
func TestOutputStreams(t *testing.T) {
	mediatest.Require(t)
	e := &encode.Encoder{Speed: "ultrafast", Threads: 2}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	src, _ := mediatest.Make(t, t.TempDir(), "show.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=6",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=6",
		"-c:v", "libx264", "-preset", "ultrafast", "-b:v", "1500k", "-pix_fmt", "yuv420p", "-c:a", "aac")
	preset, err := encode.ParsePreset("preset", []byte(`{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res, err := e.Encode(context.Background(), []encode.Input{{Path: src}}, encode.Output{Preset: preset, Dir: out, BaseName: "show"}, nil)
	if err != nil {
		t.Fatal(err)
	}

	n := nodetest.Start(t, slog.LevelWarn)
	tok := n.Token(t)
	call := func(method, path string, body any, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, n.API+n.Account+path+"?api-version=2023-01-01", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rb, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, rb)
		}
		if out != nil {
			if err := json.Unmarshal(rb, out); err != nil {
				t.Fatal(err)
			}
		}
	}
	call(http.MethodPut, "/assets/out", map[string]any{"properties": map[string]any{}}, nil)
	var sas struct {
		URLs []string `json:"assetContainerSasUrls"`
	}
	call(http.MethodPost, "/assets/out/listContainerSas", map[string]any{"permissions": "ReadWrite", "expiryTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, &sas)
	if len(sas.URLs) == 0 {
		t.Fatal("no SAS URL")
	}
	for _, f := range res.Files {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(sas.URLs[0])
		u.Path += "/" + f
		req, _ := http.NewRequest(http.MethodPut, u.String(), bytes.NewReader(b))
		req.Header.Set("x-ms-blob-type", "BlockBlob")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload %s: %d", f, resp.StatusCode)
		}
	}
	call(http.MethodPut, "/streamingLocators/out-clear", map[string]any{"properties": map[string]any{"assetName": "out", "streamingPolicyName": "Predefined_ClearStreamingOnly"}}, nil)
	var paths struct {
		StreamingPaths []struct {
			StreamingProtocol string   `json:"streamingProtocol"`
			Paths             []string `json:"paths"`
		} `json:"streamingPaths"`
	}
	call(http.MethodPost, "/streamingLocators/out-clear/listPaths", nil, &paths)
	find := func(proto, suffix string) string {
		for _, sp := range paths.StreamingPaths {
			for _, p := range sp.Paths {
				if sp.StreamingProtocol == proto && strings.HasSuffix(p, suffix) {
					return n.Origin + p
				}
			}
		}
		t.Fatalf("no %s path ending in %s in %+v", proto, suffix, paths)
		return ""
	}
	// 6 s at 30 fps in every layer (640x360 in: 360p, 270p, 180p).
	for _, u := range []string{find("Hls", "format=m3u8-cmaf)"), find("Dash", "format=mpd-time-cmaf)")} {
		var videos []int
		audio := false
		for _, s := range mediatest.Decode(t, u) {
			switch s.Type {
			case "video":
				videos = append(videos, s.Frames)
			case "audio":
				audio = audio || s.Frames > 250 // 6 s of 1024-sample AAC frames at 48 kHz is 282
			}
		}
		if len(videos) != 3 || !audio {
			t.Fatalf("%s: video frames %v, audio %v; want 3 layers and audio", u, videos, audio)
		}
		for _, f := range videos {
			if f < 178 || f > 180 {
				t.Fatalf("%s: video frames %v; want 180 per layer", u, videos)
			}
		}
	}
}
