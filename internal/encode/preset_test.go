package encode

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

const root = "properties.outputs[1].preset"

func TestParsePresetBuiltIn(t *testing.T) {
	for _, name := range defs.BuiltInPresetNames {
		p, err := ParsePreset(root, json.RawMessage(`{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"`+name+`"}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Name() != name || p.Definition().BuiltIn.PresetName != name {
			t.Fatalf("%s: Name %q", name, p.Name())
		}
	}
	p, err := ParsePreset(root, json.RawMessage(`{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"ContentAwareEncoding",
		"configurations":{"complexity":"Speed","interleaveOutput":"NonInterleavedOutput","keyFrameIntervalInSeconds":2,"maxBitrateBps":6000000,"minBitrateBps":200000,"maxHeight":720,"minHeight":270,"maxLayers":3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Definition().BuiltIn.Configurations; *c.MaxLayers != 3 || *c.MaxHeight != 720 || c.InterleaveOutput != "NonInterleavedOutput" {
		t.Fatalf("configurations %+v", c)
	}
	if string(p.Raw()) == "" {
		t.Fatal("Raw is empty")
	}
}

func TestParsePresetStandard(t *testing.T) {
	p, err := ParsePreset(root, json.RawMessage(customPreset))
	if err != nil {
		t.Fatal(err)
	}
	s := p.Definition().Standard
	if len(s.Codecs) != 3 || len(s.Codecs[1].Layers) != 2 || s.Codecs[1].Layers[1].Width != "50%" || len(s.Formats) != 2 {
		t.Fatalf("decoded %+v", s)
	}
	if p.Name() != "StandardEncoderPreset" {
		t.Fatalf("Name %q", p.Name())
	}
}

// TestParsePresetErrors: each invalid preset is refused with a
// *defs.FieldError naming the member by its full path; unsupported ones
// also wrap ErrUnsupported.
func TestParsePresetErrors(t *testing.T) {
	std := func(codecs, formats string) string {
		return `{"@odata.type":"#Microsoft.Media.StandardEncoderPreset","codecs":` + codecs + `,"formats":` + formats + `}`
	}
	mp4 := `[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"{Basename}_{Bitrate}{Extension}"}]`
	h264 := func(layer string) string {
		return `[{"@odata.type":"#Microsoft.Media.H264Video","layers":[{"bitrate":1000000},` + layer + `]}]`
	}
	filters := func(f string) string {
		return `{"@odata.type":"#Microsoft.Media.StandardEncoderPreset","codecs":` + h264(`{"bitrate":500000}`) + `,"formats":` + mp4 + `,"filters":` + f + `}`
	}
	for _, c := range []struct {
		name, body, path string
		unsupported      bool
	}{
		{"no type", `{"presetName":"AdaptiveStreaming"}`, root + ".@odata.type", false},
		{"not an object", `[1]`, root, false},
		{"unknown name", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"H264MultipleBitrate4K"}`, root + ".presetName", true},
		{"missing name", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset"}`, root + ".presetName", false},
		{"DD audio preset", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"DDGoodQualityAudio"}`, root + ".presetName", true},
		{"video analyzer", `{"@odata.type":"#Microsoft.Media.VideoAnalyzerPreset","insightsToExtract":"AllInsights"}`, root + ".@odata.type", true},
		{"audio analyzer", `{"@odata.type":"#Microsoft.Media.AudioAnalyzerPreset"}`, root + ".@odata.type", true},
		{"face detector", `{"@odata.type":"#Microsoft.Media.FaceDetectorPreset","mode":"Redact"}`, root + ".@odata.type", true},
		{"unknown type", `{"@odata.type":"#Microsoft.Media.Whatever"}`, root + ".@odata.type", true},
		{"cae bad complexity", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"ContentAwareEncoding","configurations":{"complexity":"Fast"}}`, root + ".configurations.complexity", false},
		{"cae min>max", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"ContentAwareEncoding","configurations":{"minHeight":720,"maxHeight":360}}`, root + ".configurations.minHeight", false},
		{"cae layers", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"ContentAwareEncoding","configurations":{"maxLayers":0}}`, root + ".configurations.maxLayers", false},
		{"cae type", `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"ContentAwareEncoding","configurations":{"maxLayers":"3"}}`, root + ".configurations.maxLayers", false},
		{"no codecs", std(`[]`, mp4), root + ".codecs", false},
		{"no formats", std(h264(`{"bitrate":500000}`), `[]`), root + ".formats", false},
		{"layer without bitrate", std(h264(`{"width":"640"}`), mp4), root + ".codecs[0].layers[1].bitrate", false},
		{"layer bitrate type", std(h264(`{"bitrate":"fast"}`), mp4), root + ".codecs[0].layers[1].bitrate", false},
		{"bad width", std(h264(`{"bitrate":500000,"width":"wide"}`), mp4), root + ".codecs[0].layers[1].width", false},
		{"bad percent", std(h264(`{"bitrate":500000,"height":"150%"}`), mp4), root + ".codecs[0].layers[1].height", false},
		{"bad profile", std(h264(`{"bitrate":500000,"profile":"Main10"}`), mp4), root + ".codecs[0].layers[1].profile", false},
		{"bad level", std(h264(`{"bitrate":500000,"level":"7.5"}`), mp4), root + ".codecs[0].layers[1].level", false},
		{"maxBitrate below", std(h264(`{"bitrate":500000,"maxBitrate":100000}`), mp4), root + ".codecs[0].layers[1].maxBitrate", false},
		{"bad frame rate", std(h264(`{"bitrate":500000,"frameRate":"fast"}`), mp4), root + ".codecs[0].layers[1].frameRate", false},
		{"bFrames", std(h264(`{"bitrate":500000,"bFrames":17}`), mp4), root + ".codecs[0].layers[1].bFrames", false},
		{"keyframe interval", std(`[{"@odata.type":"#Microsoft.Media.H264Video","keyFrameInterval":"PT30S","layers":[{"bitrate":1000000}]}]`, mp4), root + ".codecs[0].keyFrameInterval", false},
		{"keyframe not iso", std(`[{"@odata.type":"#Microsoft.Media.H264Video","keyFrameInterval":"2s","layers":[{"bitrate":1000000}]}]`, mp4), root + ".codecs[0].keyFrameInterval", false},
		{"scene change ladder", std(`[{"@odata.type":"#Microsoft.Media.H264Video","sceneChangeDetection":true,"layers":[{"bitrate":1000000},{"bitrate":500000}]}]`, mp4), root + ".codecs[0].sceneChangeDetection", false},
		{"h265 rate control", std(`[{"@odata.type":"#Microsoft.Media.H265Video","rateControlMode":"CRF","layers":[{"bitrate":1000000}]}]`, mp4), root + ".codecs[0].rateControlMode", false},
		{"video without layers", std(`[{"@odata.type":"#Microsoft.Media.H264Video"}]`, mp4), root + ".codecs[0].layers", false},
		{"codec member type", std(`[{"@odata.type":"#Microsoft.Media.AacAudio","bitrate":"high"}]`, mp4), root + ".codecs[0].bitrate", false},
		{"unknown codec", std(`[{"@odata.type":"#Microsoft.Media.Vp9Video"}]`, mp4), root + ".codecs[0].@odata.type", false},
		{"HE-AAC", std(`[{"@odata.type":"#Microsoft.Media.AacAudio","profile":"HeAacV1"}]`, mp4), root + ".codecs[0].profile", true},
		{"sampling rate", std(`[{"@odata.type":"#Microsoft.Media.AacAudio","samplingRate":12345}]`, mp4), root + ".codecs[0].samplingRate", false},
		{"thumb start", std(`[{"@odata.type":"#Microsoft.Media.PngImage","start":"soon"}]`, `[{"@odata.type":"#Microsoft.Media.PngFormat","filenamePattern":"{Index}"}]`), root + ".codecs[0].start", false},
		{"thumb step best", std(`[{"@odata.type":"#Microsoft.Media.PngImage","start":"PT1S","step":"{Best}"}]`, `[{"@odata.type":"#Microsoft.Media.PngFormat","filenamePattern":"{Index}"}]`), root + ".codecs[0].step", false},
		{"thumb without start", std(`[{"@odata.type":"#Microsoft.Media.JpgImage"}]`, `[{"@odata.type":"#Microsoft.Media.JpgFormat","filenamePattern":"{Index}"}]`), root + ".codecs[0].start", false},
		{"jpg quality", std(`[{"@odata.type":"#Microsoft.Media.JpgImage","start":"10%","layers":[{"quality":101}]}]`, `[{"@odata.type":"#Microsoft.Media.JpgFormat","filenamePattern":"{Index}"}]`), root + ".codecs[0].layers[0].quality", false},
		{"sprite", std(`[{"@odata.type":"#Microsoft.Media.JpgImage","start":"10%","spriteColumn":5}]`, `[{"@odata.type":"#Microsoft.Media.JpgFormat","filenamePattern":"{Index}"}]`), root + ".codecs[0].spriteColumn", true},
		{"png without format", std(`[{"@odata.type":"#Microsoft.Media.PngImage","start":"{Best}"}]`, mp4), root + ".formats[0]", false},
		{"png format without codec", std(h264(`{"bitrate":500000}`), `[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"a"},{"@odata.type":"#Microsoft.Media.PngFormat","filenamePattern":"{Index}"}]`), root + ".formats[1]", false},
		{"pattern missing", std(h264(`{"bitrate":500000}`), `[{"@odata.type":"#Microsoft.Media.Mp4Format"}]`), root + ".formats[0].filenamePattern", false},
		{"pattern path", std(h264(`{"bitrate":500000}`), `[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"../{Basename}"}]`), root + ".formats[0].filenamePattern", false},
		{"unknown format", std(h264(`{"bitrate":500000}`), `[{"@odata.type":"#Microsoft.Media.MovFormat","filenamePattern":"a"}]`), root + ".formats[0].@odata.type", false},
		{"output label", std(`[{"@odata.type":"#Microsoft.Media.H264Video","layers":[{"bitrate":1000000,"label":"hd"}]}]`, `[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"a","outputFiles":[{"labels":["hd","aud"]}]}]`), root + ".formats[0].outputFiles[0].labels[1]", false},
		{"crop", filters(`{"crop":{"left":"x"}}`), root + ".filters.crop.left", false},
		{"rotation", filters(`{"rotation":"Rotate45"}`), root + ".filters.rotation", false},
		{"fade", filters(`{"fadeIn":{"duration":"PT1S","fadeColor":"Black"}}`), root + ".filters.fadeIn", true},
		{"overlay label", filters(`{"overlays":[{"@odata.type":"#Microsoft.Media.VideoOverlay"}]}`), root + ".filters.overlays[0].inputLabel", false},
		{"overlay opacity", filters(`{"overlays":[{"@odata.type":"#Microsoft.Media.VideoOverlay","inputLabel":"logo","opacity":2}]}`), root + ".filters.overlays[0].opacity", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePreset(root, json.RawMessage(c.body))
			if err == nil {
				t.Fatalf("accepted %s", c.body)
			}
			var fe *defs.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err %T %v is not a *defs.FieldError", err, err)
			}
			if fe.Field != c.path {
				t.Fatalf("path %q; want %q (%v)", fe.Field, c.path, err)
			}
			if got := errors.Is(err, ErrUnsupported); got != c.unsupported {
				t.Fatalf("errors.Is(ErrUnsupported) = %v; want %v (%v)", got, c.unsupported, err)
			}
			if strings.TrimSpace(fe.Msg) == "" {
				t.Fatal("empty message")
			}
		})
	}
}

// FuzzParsePreset: ParsePreset never panics, returns a preset or an error
// (never both, never neither), errors are field errors, and whatever it
// accepts re-encodes to JSON it accepts again with the same result.
func FuzzParsePreset(f *testing.F) {
	for _, s := range []string{
		customPreset,
		`{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`,
		`{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"ContentAwareEncoding","configurations":{"maxLayers":3,"minHeight":360}}`,
		`{"@odata.type":"#Microsoft.Media.StandardEncoderPreset","codecs":[{"@odata.type":"#Microsoft.Media.JpgImage","start":"{Best}","layers":[{"quality":90,"width":"50%"}]}],"formats":[{"@odata.type":"#Microsoft.Media.JpgFormat","filenamePattern":"t{Index}"}],"filters":{"crop":{"width":"50%"},"overlays":[{"@odata.type":"#Microsoft.Media.AudioOverlay","inputLabel":"a","start":"PT1S"}]}}`,
		`{"@odata.type":"#Microsoft.Media.VideoAnalyzerPreset"}`,
		`null`, `{}`, `[]`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePreset("p", data)
		if (p == nil) == (err == nil) {
			t.Fatalf("preset %v and error %v", p, err)
		}
		if err != nil {
			var fe *defs.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *defs.FieldError", err, err)
			}
			if fe.Field != "p" && !strings.HasPrefix(fe.Field, "p.") && !strings.HasPrefix(fe.Field, "p[") {
				t.Fatalf("error path %q is outside the preset", fe.Field)
			}
			return
		}
		out, err := json.Marshal(p.Definition())
		if err != nil {
			t.Fatalf("accepted but cannot encode: %v", err)
		}
		again, err := ParsePreset("p", out)
		if err != nil {
			t.Fatalf("re-encoded preset refused: %v\n%s", err, out)
		}
		out2, _ := json.Marshal(again.Definition())
		if string(out) != string(out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}
