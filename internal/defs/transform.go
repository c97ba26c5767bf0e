package defs

import "encoding/json"

// Limits AMS documented for transforms and jobs.
const (
	MaxTransformOutputs = 20   // outputs per transform
	MaxJobOutputs       = 20   // outputs per job
	MaxJobInputs        = 50   // inputs of a JobInputs / JobInputSequence
	MaxJobInputFiles    = 10   // files per input
	MaxJobInputURL      = 4000 // characters of baseUri and of each file
)

// Priority orders jobs in the queue and outputs inside a transform.
type Priority string

// The priorities, highest first.
const (
	PriorityHigh   Priority = "High"
	PriorityNormal Priority = "Normal"
	PriorityLow    Priority = "Low"
)

// OnErrorType says whether a failed transform output stops the job.
type OnErrorType string

// The OnErrorType values.
const (
	OnErrorStopProcessingJob OnErrorType = "StopProcessingJob"
	OnErrorContinueJob       OnErrorType = "ContinueJob"
)

// Transform is a transform resource: the recipe jobs run.
type Transform struct {
	ID         string               `json:"id,omitempty"`
	Name       string               `json:"name,omitempty"`
	Type       string               `json:"type,omitempty"`
	SystemData *SystemData          `json:"systemData,omitempty"`
	Properties *TransformProperties `json:"properties,omitempty"`
}

// TransformProperties are a transform's properties.
type TransformProperties struct {
	Created      *Time             `json:"created,omitempty"`      // read-only
	LastModified *Time             `json:"lastModified,omitempty"` // read-only
	Description  string            `json:"description,omitempty"`
	Outputs      []TransformOutput `json:"outputs"`
}

// TransformOutput is one output of a transform. Preset is kept as sent
// (the "@odata.type" union of every AMS preset); the encoder validates it.
type TransformOutput struct {
	OnError          OnErrorType     `json:"onError,omitempty"`
	RelativePriority Priority        `json:"relativePriority,omitempty"`
	Preset           json.RawMessage `json:"preset"`
}

// Validate checks a transform create or update body, apart from the
// presets' contents (see package encode).
func (t *Transform) Validate() error {
	p := t.Properties
	if p == nil {
		return required("properties")
	}
	if len(p.Outputs) == 0 {
		return errorf("properties.outputs", "is required and must hold at least one output")
	}
	if len(p.Outputs) > MaxTransformOutputs {
		return errorf("properties.outputs", "must hold at most %d outputs (got %d)", MaxTransformOutputs, len(p.Outputs))
	}
	for i, o := range p.Outputs {
		path := index("properties.outputs", i)
		if err := checkOptionalEnum(join(path, "onError"), o.OnError, OnErrorStopProcessingJob, OnErrorContinueJob); err != nil {
			return err
		}
		if err := checkOptionalEnum(join(path, "relativePriority"), o.RelativePriority, PriorityHigh, PriorityNormal, PriorityLow); err != nil {
			return err
		}
		if _, ok, err := readODataType(o.Preset, join(path, "preset")); err != nil {
			return err
		} else if !ok {
			return required(join(path, "preset"))
		}
	}
	return nil
}
