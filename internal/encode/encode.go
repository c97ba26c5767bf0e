package encode

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrUnsupported marks a preset this encoder cannot run (analyzer and
// face-detector presets, unknown built-in names); the API answers it with
// 400 ConfigurationUnsupported.
var ErrUnsupported = errors.New("encode: preset not supported")

// Preset is a validated Transform output preset, ready to plan.
type Preset struct {
	raw json.RawMessage
}

// ParsePreset validates one Transform output's preset (the object carrying
// "@odata.type"). path is the JSON path of that object in the request body
// ("properties.outputs[0].preset"); invalid fields come back as
// *defs.FieldError under it, unsupported presets wrap ErrUnsupported.
func ParsePreset(path string, raw json.RawMessage) (*Preset, error) {
	return nil, errors.Join(ErrUnsupported, errors.New("encode: not implemented yet"))
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

// Encoder runs ffmpeg. Set the fields, then call Initialize.
type Encoder struct {
	// FFmpeg and FFprobe are program paths; empty means look them up on PATH.
	FFmpeg, FFprobe string
	// ScratchDir bounds temporary files; empty means os.TempDir.
	ScratchDir string
	version    string
}

// Initialize finds ffmpeg and ffprobe and records ffmpeg's version; it
// fails when either is missing, so a node without them can refuse to
// lease encode jobs.
func (e *Encoder) Initialize() error { return errors.New("encode: not implemented yet") }

// Version is ffmpeg's version string, known after Initialize.
func (e *Encoder) Version() string { return e.version }

// Encode runs one output's preset over the inputs. It honours ctx
// (cancellation stops ffmpeg within seconds) and leaves Dir holding either
// the complete output or, on error, files the caller must discard.
func (e *Encoder) Encode(ctx context.Context, in []Input, out Output, progress Progress) (*Result, error) {
	return nil, errors.New("encode: not implemented yet")
}
