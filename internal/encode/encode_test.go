package encode

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/ism"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// TestAdaptiveStreaming encodes an 8 s 720p clip with the built-in
// AdaptiveStreaming preset and checks the result as a player and the
// origin would see it: five video-only layers from 720p down to 180p with
// bitrates near the plan, identical keyframe times every 2 s in closed
// GOPs, one audio-only AAC file, an .ism the origin parses and segments
// into aligned fragments, and an .ismc.
func TestAdaptiveStreaming(t *testing.T) {
	e := newEncoder(t)
	in := t.TempDir()
	src := makeClip(t, in, "clip.mp4", 8*time.Second, "1280x720", 3000)
	out := t.TempDir()
	var prog []int
	res, err := e.Encode(context.Background(), []Input{{Path: src}},
		Output{Preset: mustPreset(t, `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`), Dir: out, BaseName: "clip"},
		func(p int) { prog = append(prog, p) })
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	t.Logf("files: %v", res.Files)
	checkProgress(t, prog)

	srcInfo, err := e.Probe(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	plan := adaptiveLadder(720, 30, srcInfo.Video[0].BitRate)
	wantHeights := []int{720, 540, 360, 270, 180}
	if len(plan) != len(wantHeights) {
		t.Fatalf("ladder %v", plan)
	}
	var videos, audios []string
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".mp4") {
			if strings.HasPrefix(f, "clip_AACAudio_") {
				audios = append(audios, f)
			} else {
				videos = append(videos, f)
			}
		}
	}
	if len(videos) != 5 || len(audios) != 1 {
		t.Fatalf("want 5 video files and 1 audio file; got %v and %v", videos, audios)
	}
	var keys [][]int64
	for i, f := range videos {
		p := mediatest.Probe(t, filepath.Join(out, f))
		if len(p.Video()) != 1 || len(p.Audio()) != 0 {
			t.Fatalf("%s: %d video, %d audio streams; want a video-only file", f, len(p.Video()), len(p.Audio()))
		}
		v := p.Video()[0]
		if v.Height != wantHeights[i] || v.Width != even(wantHeights[i]*16/9) {
			t.Errorf("%s: %dx%d; want height %d at 16:9", f, v.Width, v.Height, wantHeights[i])
		}
		want := plan[i].kbps * 1000
		if v.BitRate > want*115/100 || v.BitRate < want*40/100 {
			t.Errorf("%s: %d bps; planned %d", f, v.BitRate, want)
		}
		if v.BitRate >= int(srcInfo.Video[0].BitRate) {
			t.Errorf("%s: %d bps is not below the source's %d", f, v.BitRate, srcInfo.Video[0].BitRate)
		}
		if !strings.HasPrefix(f, "clip_"+strconv.Itoa(v.Width)+"x"+strconv.Itoa(v.Height)+"_") {
			t.Errorf("%s: name does not follow {Basename}_{Resolution}_{Bitrate}", f)
		}
		keys = append(keys, keyTimes(t, filepath.Join(out, f)))
	}
	for i, k := range keys {
		if !slices.Equal(k, keys[0]) {
			t.Fatalf("keyframes of %s %v differ from %s %v", videos[i], k, videos[0], keys[0])
		}
	}
	if want := []int64{0, 2000, 4000, 6000}; !slices.Equal(keys[0], want) {
		t.Fatalf("keyframes at %v ms; want every 2 s: %v", keys[0], want)
	}
	a := mediatest.Probe(t, filepath.Join(out, audios[0]))
	if len(a.Video()) != 0 || len(a.Audio()) != 1 || a.Audio()[0].Codec != "aac" || a.Audio()[0].Channels != 2 {
		t.Fatalf("audio file streams %+v", a.Streams)
	}

	for _, f := range []string{"clip.ism", "clip.ismc", "clip_manifest.json", "clip_metadata.json"} {
		if !hasFile(res.Files, f) {
			t.Errorf("Result lacks %s", f)
		}
	}
	m, pres := loadISM(t, out, "clip.ism", 2*time.Second)
	if len(m.Entries) != 6 || m.Entries[5].Kind != ism.KindAudio || m.Entries[5].Language != "eng" {
		t.Fatalf(".ism entries %+v", m.Entries)
	}
	if len(pres.Video()) != 5 || len(pres.Audio()) != 1 {
		t.Fatalf("presentation has %d video and %d audio tracks", len(pres.Video()), len(pres.Audio()))
	}
	if len(pres.Boundaries) != 4 {
		t.Fatalf("segment boundaries %v; want 4 segments of 2 s", pres.Boundaries)
	}
	checkAligned(t, pres)
	ismc, err := os.ReadFile(filepath.Join(out, "clip.ismc"))
	if err != nil || !strings.Contains(string(ismc), "<SmoothStreamingMedia") {
		t.Fatalf(".ismc: %v %.200s", err, ismc)
	}
	// Nothing but the listed files is left behind.
	ents, _ := os.ReadDir(out)
	if len(ents) != len(res.Files) {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v; Result lists %v", names, res.Files)
	}
}

func checkProgress(t *testing.T, prog []int) {
	t.Helper()
	if len(prog) < 2 || prog[0] != 0 || prog[len(prog)-1] != 100 {
		t.Fatalf("progress %v; want 0 … 100", prog)
	}
	for i := 1; i < len(prog); i++ {
		if prog[i] <= prog[i-1] {
			t.Fatalf("progress %v is not increasing", prog)
		}
	}
}

// TestNotMedia: a text file as input fails fast with ContentMalformed and
// a message naming the file.
func TestNotMedia(t *testing.T) {
	e := newEncoder(t)
	in := filepath.Join(t.TempDir(), "notes.mp4")
	if err := os.WriteFile(in, []byte("these are meeting notes, not a video\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_, err := e.Encode(context.Background(), []Input{{Path: in}},
		Output{Preset: mustPreset(t, `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`), Dir: out, BaseName: "notes"}, nil)
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != CodeContentMalformed || ee.Category != "Content" || ee.Retry != "DoNotRetry" {
		t.Fatalf("err = %#v; want *Error ContentMalformed", err)
	}
	if !strings.Contains(ee.Message, "notes.mp4") || strings.Contains(ee.Message, filepath.Dir(in)) {
		t.Fatalf("message %q should name the file but not the scratch path", ee.Message)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatalf("output directory not empty: %v", ents)
	}
}
