package encode

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// ErrUnsupported marks a preset this encoder cannot run (analyzer and
// face-detector presets, unknown built-in names); the API answers it with
// 400 ConfigurationUnsupported.
var ErrUnsupported = errors.New("encode: preset not supported")

// Preset is a validated Transform output preset, ready to plan.
type Preset struct {
	raw json.RawMessage
	def *defs.Preset
}

// ParsePreset validates one Transform output's preset (the object carrying
// "@odata.type"). path is the JSON path of that object in the request body
// ("properties.outputs[0].preset"); invalid fields come back as
// *defs.FieldError under it, unsupported presets wrap ErrUnsupported.
func ParsePreset(path string, raw json.RawMessage) (*Preset, error) {
	d, err := defs.DecodePreset(path, raw)
	if err != nil {
		if errors.Is(err, defs.ErrPresetUnsupported) {
			return nil, fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
		return nil, err
	}
	return &Preset{raw: append(json.RawMessage(nil), raw...), def: d}, nil
}

// Raw returns the preset JSON as the client sent it.
func (p *Preset) Raw() json.RawMessage { return p.raw }

// Definition returns the decoded preset.
func (p *Preset) Definition() *defs.Preset { return p.def }

// Name is the built-in preset name ("AdaptiveStreaming"), or
// "StandardEncoderPreset" for a custom preset; the job engine uses it for
// the default output label ({presetName}_{outputIndex}).
func (p *Preset) Name() string {
	if p.def.BuiltIn != nil {
		return p.def.BuiltIn.PresetName
	}
	return "StandardEncoderPreset"
}

// OverlayLabels lists the job input labels the preset's overlays name;
// inputs carrying them are overlay sources, the others the main input.
func (p *Preset) OverlayLabels() []string {
	var out []string
	if s := p.def.Standard; s != nil && s.Filters != nil {
		for _, o := range s.Filters.Overlays {
			out = append(out, o.InputLabel)
		}
	}
	return out
}

// Input is one local input file, in job input order.
type Input struct {
	Path  string
	Label string
	// Start and End clip the input (AbsoluteClipTime); zero means none.
	Start, End time.Duration
}

// Output is where one Transform output is written.
type Output struct {
	Preset *Preset
	// Dir is an existing, empty local directory; Encode writes every
	// output file there and nothing elsewhere.
	Dir string
	// BaseName is the input file's base name without extension; it names
	// the .ism/.ismc and fills {Basename}.
	BaseName string
	Label    string
}

// Progress receives the output's progress, 0–100, never decreasing.
type Progress func(percent int)

// Result lists what Encode wrote.
type Result struct {
	// Files are names relative to Output.Dir, in a stable order.
	Files []string
}

// Error is an encoding failure with its AMS JobError fields.
type Error struct {
	Code     string // DownloadNotAccessible, ContentMalformed, ContentUnsupported, ConfigurationUnsupported, ServiceError, …
	Category string // Download, Content, Configuration, Upload, Service, …
	Retry    string // DoNotRetry | MayRetry
	Message  string // what the user can act on
	Err      error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }
func (e *Error) Unwrap() error { return e.Err }
