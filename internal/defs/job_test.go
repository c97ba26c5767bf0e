package defs_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// TestJobRoundTrip: every member AMS defines for jobs and transforms comes
// back byte for byte (compact form), read-only ones included.
func TestJobRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		file string
		v    interface{ Validate() error }
	}{{"job.json", new(defs.Job)}, {"transform.json", new(defs.Transform)}} {
		in := sample(t, tt.file)
		if err := defs.Decode(in, tt.v); err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if err := tt.v.Validate(); err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		out, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Compact(&want, in); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want.Bytes()) {
			t.Fatalf("%s round trip:\n got %s\nwant %s", tt.file, out, want.Bytes())
		}
	}
}

func TestJobValidate(t *testing.T) {
	const asset = `{"@odata.type":"#Microsoft.Media.JobInputAsset","assetName":"in"}`
	const out = `[{"@odata.type":"#Microsoft.Media.JobOutputAsset","assetName":"out"}]`
	many := func(n int, item string) string {
		s := "["
		for i := range n {
			if i > 0 {
				s += ","
			}
			s += item
		}
		return s + "]"
	}
	tests := []struct {
		name, body, field string
	}{
		{"ok", `{"properties":{"input":` + asset + `,"outputs":` + out + `}}`, ""},
		{"no properties", `{}`, "properties"},
		{"no input", `{"properties":{"outputs":` + out + `}}`, "properties.input"},
		{"no outputs", `{"properties":{"input":` + asset + `}}`, "properties.outputs"},
		{"too many outputs", `{"properties":{"input":` + asset + `,"outputs":` + many(21, `{"@odata.type":"#Microsoft.Media.JobOutputAsset","assetName":"o"}`) + `}}`, "properties.outputs"},
		{"output without asset", `{"properties":{"input":` + asset + `,"outputs":[{"@odata.type":"#Microsoft.Media.JobOutputAsset"}]}}`, "properties.outputs[0].assetName"},
		{"output type", `{"properties":{"input":` + asset + `,"outputs":[{"@odata.type":"#Microsoft.Media.JobOutputX","assetName":"o"}]}}`, "properties.outputs[0].@odata.type"},
		{"input type missing", `{"properties":{"input":{"assetName":"in"},"outputs":` + out + `}}`, "properties.input.@odata.type"},
		{"input asset name", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputAsset"},"outputs":` + out + `}}`, "properties.input.assetName"},
		{"http no url", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputHttp"},"outputs":` + out + `}}`, "properties.input.files"},
		{"http bad base", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputHttp","baseUri":"ftp://x/"},"outputs":` + out + `}}`, "properties.input.baseUri"},
		{"http relative file", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputHttp","files":["a.mp4"]},"outputs":` + out + `}}`, "properties.input.files[0]"},
		{"too many files", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputAsset","assetName":"in","files":` + many(11, `"f"`) + `},"outputs":` + out + `}}`, "properties.input.files"},
		{"too many inputs", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputs","inputs":` + many(51, asset) + `},"outputs":` + out + `}}`, "properties.input.inputs"},
		{"nested inputs", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputs","inputs":[{"@odata.type":"#Microsoft.Media.JobInputs","inputs":[` + asset + `]}]},"outputs":` + out + `}}`, "properties.input.inputs[0].@odata.type"},
		{"bare clip", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputSequence","inputs":[{"@odata.type":"#Microsoft.Media.JobInputClip","files":["a"]}]},"outputs":` + out + `}}`, "properties.input.inputs[0].@odata.type"},
		{"clip time", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputAsset","assetName":"in","start":{"@odata.type":"#Microsoft.Media.AbsoluteClipTime","time":"30s"}},"outputs":` + out + `}}`, "properties.input.start.time"},
		{"end before start", `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputAsset","assetName":"in","start":{"@odata.type":"#Microsoft.Media.AbsoluteClipTime","time":"PT30S"},"end":{"@odata.type":"#Microsoft.Media.AbsoluteClipTime","time":"PT10S"}},"outputs":` + out + `}}`, "properties.input.end"},
		{"priority", `{"properties":{"input":` + asset + `,"outputs":` + out + `,"priority":"Urgent"}}`, "properties.priority"},
		{"preset override", `{"properties":{"input":` + asset + `,"outputs":[{"@odata.type":"#Microsoft.Media.JobOutputAsset","assetName":"o","presetOverride":{"presetName":"x"}}]}}`, "properties.outputs[0].presetOverride.@odata.type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var j defs.Job
			err := defs.Decode([]byte(tt.body), &j)
			if err == nil {
				err = j.Validate()
			}
			checkField(t, err, tt.field)
		})
	}
}

func TestTransformValidate(t *testing.T) {
	const preset = `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`
	outputs := func(n int) string {
		s := "["
		for i := range n {
			if i > 0 {
				s += ","
			}
			s += `{"preset":` + preset + `}`
		}
		return s + "]"
	}
	tests := []struct{ name, body, field string }{
		{"ok", `{"properties":{"outputs":` + outputs(20) + `}}`, ""},
		{"no outputs", `{"properties":{"outputs":[]}}`, "properties.outputs"},
		{"too many outputs", `{"properties":{"outputs":` + outputs(21) + `}}`, "properties.outputs"},
		{"no preset", `{"properties":{"outputs":[{"onError":"ContinueJob"}]}}`, "properties.outputs[0].preset"},
		{"preset without type", `{"properties":{"outputs":[{"preset":{"presetName":"AdaptiveStreaming"}}]}}`, "properties.outputs[0].preset.@odata.type"},
		{"onError", `{"properties":{"outputs":[{"onError":"Ignore","preset":` + preset + `}]}}`, "properties.outputs[0].onError"},
		{"relativePriority", `{"properties":{"outputs":[{"relativePriority":"Top","preset":` + preset + `}]}}`, "properties.outputs[0].relativePriority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr defs.Transform
			err := defs.Decode([]byte(tt.body), &tr)
			if err == nil {
				err = tr.Validate()
			}
			checkField(t, err, tt.field)
		})
	}
}

func checkField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var fe *defs.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T), want a *FieldError on %s", err, err, field)
	}
	if fe.Field != field {
		t.Fatalf("error on %q (%v), want %q", fe.Field, fe, field)
	}
}

func TestParseClipDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT0S": 0, "PT30S": 30 * time.Second, "PT1M30.5S": 90*time.Second + 500*time.Millisecond,
		"PT2H": 2 * time.Hour, "P1DT1S": 24*time.Hour + time.Second,
	} {
		if got, err := defs.ParseClipDuration(in); err != nil || got != want {
			t.Errorf("ParseClipDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P", "PT", "30S", "-PT1S", "P1Y", "PT1.S", "P99999999999DT1S"} {
		if got, err := defs.ParseClipDuration(in); err == nil {
			t.Errorf("ParseClipDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestJobInputURLs(t *testing.T) {
	in := defs.JobInput{ODataType: defs.ODataTypeJobInputHTTP, BaseURI: "https://h.example/c/dir?sv=1&sig=s", Files: []string{"a b.mp4", "/x/y.mp4"}}
	got, err := in.URLs()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://h.example/c/dir/a%20b.mp4?sv=1&sig=s", "https://h.example/c/dir/x/y.mp4?sv=1&sig=s"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("URLs = %q, want %q", got, want)
	}
	if !in.HasSecretURLs() {
		t.Fatal("query string not seen")
	}
	r := in.RedactURLs()
	if r.BaseURI != "https://h.example/c/dir" || in.BaseURI == r.BaseURI {
		t.Fatalf("redacted %q (original %q)", r.BaseURI, in.BaseURI)
	}
}

func FuzzDecodeJob(f *testing.F) {
	f.Add(sample(f, "job.json"))
	f.Add([]byte(`{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputHttp","baseUri":"https://a/?s=1","files":["x?y"]},"outputs":[null]}}`))
	f.Add([]byte(`{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputSequence","inputs":[{"@odata.type":"#Microsoft.Media.JobInputAsset","assetName":"a","start":{"@odata.type":"#Microsoft.Media.AbsoluteClipTime","time":"PT1S"},"end":null}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStable(t, data, func(j *defs.Job) any {
			if j.Properties == nil || j.Properties.Input == nil {
				return j
			}
			c := *j
			p := *j.Properties
			in := p.Input.RedactURLs()
			p.Input, c.Properties = &in, &p
			if in.HasSecretURLs() {
				t.Fatalf("redacted input still has a query string: %+v", in)
			}
			_, _ = p.Input.URLs()
			return &c
		})
	})
}

func FuzzDecodeTransform(f *testing.F) {
	f.Add(sample(f, "transform.json"))
	f.Add([]byte(`{"properties":{"outputs":[{"preset":null},{"preset":{"@odata.type":1}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStable(t, data, func(tr *defs.Transform) any { return tr })
	})
}
