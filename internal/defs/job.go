package defs

import (
	"encoding/json"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// "@odata.type" discriminators of job inputs, outputs and clip times.
const (
	ODataTypeJobInputAsset    = "#Microsoft.Media.JobInputAsset"
	ODataTypeJobInputHTTP     = "#Microsoft.Media.JobInputHttp"
	ODataTypeJobInputs        = "#Microsoft.Media.JobInputs"
	ODataTypeJobInputSequence = "#Microsoft.Media.JobInputSequence"
	ODataTypeJobInputClip     = "#Microsoft.Media.JobInputClip"
	ODataTypeJobOutputAsset   = "#Microsoft.Media.JobOutputAsset"
	ODataTypeAbsoluteClipTime = "#Microsoft.Media.AbsoluteClipTime"
	ODataTypeUtcClipTime      = "#Microsoft.Media.UtcClipTime"
)

// JobState is the state of a job and of each of its outputs.
type JobState string

// The job states, as AMS names them.
const (
	JobStateQueued     JobState = "Queued"
	JobStateScheduled  JobState = "Scheduled"
	JobStateProcessing JobState = "Processing"
	JobStateFinished   JobState = "Finished"
	JobStateError      JobState = "Error"
	JobStateCanceling  JobState = "Canceling"
	JobStateCanceled   JobState = "Canceled"
)

// Final reports whether s is a final state (Finished, Error, Canceled).
func (s JobState) Final() bool {
	return s == JobStateFinished || s == JobStateError || s == JobStateCanceled
}

// JobError codes, categories and retry advice (AMS JobErrorCode,
// JobErrorCategory, JobRetry).
const (
	JobErrorServiceError             = "ServiceError"
	JobErrorServiceTransientError    = "ServiceTransientError"
	JobErrorDownloadNotAccessible    = "DownloadNotAccessible"
	JobErrorDownloadTransientError   = "DownloadTransientError"
	JobErrorUploadNotAccessible      = "UploadNotAccessible"
	JobErrorUploadTransientError     = "UploadTransientError"
	JobErrorConfigurationUnsupported = "ConfigurationUnsupported"
	JobErrorContentMalformed         = "ContentMalformed"
	JobErrorContentUnsupported       = "ContentUnsupported"

	JobErrorCategoryService       = "Service"
	JobErrorCategoryDownload      = "Download"
	JobErrorCategoryUpload        = "Upload"
	JobErrorCategoryConfiguration = "Configuration"
	JobErrorCategoryContent       = "Content"

	JobRetryDoNotRetry = "DoNotRetry"
	JobRetryMayRetry   = "MayRetry"
)

// Job is a job resource.
type Job struct {
	ID         string         `json:"id,omitempty"`
	Name       string         `json:"name,omitempty"`
	Type       string         `json:"type,omitempty"`
	SystemData *SystemData    `json:"systemData,omitempty"`
	Properties *JobProperties `json:"properties,omitempty"`
}

// JobProperties are a job's properties. State, times and the outputs'
// state, progress and error are read-only: the API and the job engine
// write them.
type JobProperties struct {
	Created         *Time             `json:"created,omitempty"`
	State           JobState          `json:"state,omitempty"`
	Description     string            `json:"description,omitempty"`
	Input           *JobInput         `json:"input,omitempty"`
	LastModified    *Time             `json:"lastModified,omitempty"`
	Outputs         []JobOutput       `json:"outputs"`
	Priority        Priority          `json:"priority,omitempty"`
	CorrelationData map[string]string `json:"correlationData,omitempty"`
	StartTime       *Time             `json:"startTime,omitempty"`
	EndTime         *Time             `json:"endTime,omitempty"`
}

// JobSecret is the sealed part of a job (store.Resource.Secret): its
// input with the query strings (SAS tokens) of HTTP URLs, which responses
// never show; the job engine fetches from it.
type JobSecret struct {
	Input *JobInput `json:"input"`
}

// JobInput is any job input. The AMS union (JobInputAsset, JobInputHttp,
// JobInputClip, JobInputs, JobInputSequence) is held in one struct whose
// members are checked against ODataType by Validate, so a body decodes and
// encodes back unchanged. InputDefinitions are kept as sent.
type JobInput struct {
	ODataType        string            `json:"@odata.type"`
	AssetName        string            `json:"assetName,omitempty"`
	BaseURI          string            `json:"baseUri,omitempty"`
	Files            []string          `json:"files,omitempty"`
	Start            *ClipTime         `json:"start,omitempty"`
	End              *ClipTime         `json:"end,omitempty"`
	Label            string            `json:"label,omitempty"`
	InputDefinitions []json.RawMessage `json:"inputDefinitions,omitempty"`
	Inputs           []JobInput        `json:"inputs,omitempty"`
}

// ClipTime is AbsoluteClipTime (Time: an ISO 8601 duration on the
// media's timeline) or UtcClipTime (Time: a date-time).
type ClipTime struct {
	ODataType string `json:"@odata.type"`
	Time      string `json:"time"`
}

// JobOutput is a JobOutputAsset.
type JobOutput struct {
	ODataType      string          `json:"@odata.type"`
	AssetName      string          `json:"assetName"`
	Label          string          `json:"label,omitempty"`
	PresetOverride json.RawMessage `json:"presetOverride,omitempty"`
	State          JobState        `json:"state,omitempty"`
	Progress       *int32          `json:"progress,omitempty"`
	Error          *JobError       `json:"error,omitempty"`
	StartTime      *Time           `json:"startTime,omitempty"`
	EndTime        *Time           `json:"endTime,omitempty"`
}

// JobError is why an output failed.
type JobError struct {
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Category string           `json:"category"`
	Retry    string           `json:"retry"`
	Details  []JobErrorDetail `json:"details"`
}

// JobErrorDetail is one detail of a JobError.
type JobErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// MarshalJSON always emits details, as AMS does.
func (e JobError) MarshalJSON() ([]byte, error) {
	type alias JobError
	e.Details = nonNil(e.Details)
	return json.Marshal(alias(e))
}

// Validate checks a job create body (or a whole job after a PATCH).
func (j *Job) Validate() error {
	p := j.Properties
	if p == nil {
		return required("properties")
	}
	if p.Input == nil {
		return required("properties.input")
	}
	if err := p.Input.validate("properties.input", 0); err != nil {
		return err
	}
	if len(p.Outputs) == 0 {
		return errorf("properties.outputs", "is required and must hold at least one output")
	}
	if len(p.Outputs) > MaxJobOutputs {
		return errorf("properties.outputs", "must hold at most %d outputs (got %d)", MaxJobOutputs, len(p.Outputs))
	}
	for i, o := range p.Outputs {
		path := index("properties.outputs", i)
		if o.ODataType != ODataTypeJobOutputAsset {
			if o.ODataType == "" {
				return required(join(path, "@odata.type"))
			}
			return unknownODataType(path, o.ODataType, ODataTypeJobOutputAsset)
		}
		if o.AssetName == "" {
			return required(join(path, "assetName"))
		}
		if len(o.PresetOverride) > 0 && !isNull(o.PresetOverride) {
			if _, _, err := readODataType(o.PresetOverride, join(path, "presetOverride")); err != nil {
				return err
			}
		}
	}
	if err := checkOptionalEnum("properties.priority", p.Priority, PriorityHigh, PriorityNormal, PriorityLow); err != nil {
		return err
	}
	for k := range p.CorrelationData {
		if k == "" {
			return errorf("properties.correlationData", "keys must not be empty")
		}
	}
	return nil
}

func (in *JobInput) validate(path string, depth int) error {
	clip := func() error {
		if len(in.Files) > MaxJobInputFiles {
			return errorf(join(path, "files"), "must hold at most %d files (got %d)", MaxJobInputFiles, len(in.Files))
		}
		for i, f := range in.Files {
			if f == "" {
				return errorf(index(join(path, "files"), i), "must not be empty")
			}
			if len(f) > MaxJobInputURL {
				return errorf(index(join(path, "files"), i), "must be at most %d characters", MaxJobInputURL)
			}
		}
		for _, ct := range []struct {
			name string
			t    *ClipTime
		}{{"start", in.Start}, {"end", in.End}} {
			if err := ct.t.validate(join(path, ct.name)); err != nil {
				return err
			}
		}
		if in.Start != nil && in.End != nil && in.Start.ODataType == ODataTypeAbsoluteClipTime && in.End.ODataType == ODataTypeAbsoluteClipTime {
			s, _ := ParseClipDuration(in.Start.Time)
			e, _ := ParseClipDuration(in.End.Time)
			if e <= s {
				return errorf(join(path, "end"), "must be after start (%s)", in.Start.Time)
			}
		}
		if len(in.Inputs) > 0 {
			return errorf(join(path, "inputs"), "is not a member of %s", in.ODataType)
		}
		return nil
	}
	switch in.ODataType {
	case "":
		return required(join(path, "@odata.type"))
	case ODataTypeJobInputAsset:
		if in.AssetName == "" {
			return required(join(path, "assetName"))
		}
		if in.BaseURI != "" {
			return errorf(join(path, "baseUri"), "is not a member of %s", in.ODataType)
		}
		return clip()
	case ODataTypeJobInputHTTP:
		if in.AssetName != "" {
			return errorf(join(path, "assetName"), "is not a member of %s", in.ODataType)
		}
		if len(in.BaseURI) > MaxJobInputURL {
			return errorf(join(path, "baseUri"), "must be at most %d characters", MaxJobInputURL)
		}
		if in.BaseURI != "" {
			if err := checkAbsoluteURL(join(path, "baseUri"), in.BaseURI, "https", "http"); err != nil {
				return err
			}
		} else {
			if len(in.Files) == 0 {
				return errorf(join(path, "files"), "is required when baseUri is absent (absolute URLs)")
			}
			for i, f := range in.Files {
				if err := checkAbsoluteURL(index(join(path, "files"), i), f, "https", "http"); err != nil {
					return err
				}
			}
		}
		return clip()
	case ODataTypeJobInputClip:
		return errorf(join(path, "@odata.type"), "a %s names no source; use %s or %s", in.ODataType, ODataTypeJobInputAsset, ODataTypeJobInputHTTP)
	case ODataTypeJobInputs, ODataTypeJobInputSequence:
		if depth > 0 {
			return errorf(join(path, "@odata.type"), "%s cannot be nested", in.ODataType)
		}
		if in.AssetName != "" || in.BaseURI != "" || len(in.Files) > 0 || in.Start != nil || in.End != nil || in.Label != "" || len(in.InputDefinitions) > 0 {
			return errorf(path, "%s holds only inputs", in.ODataType)
		}
		if len(in.Inputs) == 0 {
			return errorf(join(path, "inputs"), "is required and must hold at least one input")
		}
		if len(in.Inputs) > MaxJobInputs {
			return errorf(join(path, "inputs"), "must hold at most %d inputs (got %d)", MaxJobInputs, len(in.Inputs))
		}
		for i := range in.Inputs {
			if err := in.Inputs[i].validate(index(join(path, "inputs"), i), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return unknownODataType(path, in.ODataType, ODataTypeJobInputAsset, ODataTypeJobInputHTTP, ODataTypeJobInputs, ODataTypeJobInputSequence)
}

func (c *ClipTime) validate(path string) error {
	if c == nil {
		return nil
	}
	switch c.ODataType {
	case "":
		return required(join(path, "@odata.type"))
	case ODataTypeAbsoluteClipTime:
		if c.Time == "" {
			return required(join(path, "time"))
		}
		if _, err := ParseClipDuration(c.Time); err != nil {
			return errorf(join(path, "time"), "%q is not a non-negative ISO 8601 duration of days, hours, minutes and seconds (e.g. PT30S)", c.Time)
		}
		return nil
	case ODataTypeUtcClipTime:
		if _, err := ParseTime(c.Time); err != nil {
			return errorf(join(path, "time"), "%q is not an RFC 3339 date-time", c.Time)
		}
		return nil
	}
	return unknownODataType(path, c.ODataType, ODataTypeAbsoluteClipTime, ODataTypeUtcClipTime)
}

// Leaves returns the inputs that name media (JobInputAsset, JobInputHttp)
// in timeline order: in itself, or the members of JobInputs and
// JobInputSequence.
func (in *JobInput) Leaves() []*JobInput {
	if in.ODataType == ODataTypeJobInputs || in.ODataType == ODataTypeJobInputSequence {
		var out []*JobInput
		for i := range in.Inputs {
			out = append(out, in.Inputs[i].Leaves()...)
		}
		return out
	}
	return []*JobInput{in}
}

// HasSecretURLs reports whether an HTTP input carries a query string
// (typically a SAS token), which AMS never returns.
func (in *JobInput) HasSecretURLs() bool {
	for _, l := range in.Leaves() {
		if l.ODataType != ODataTypeJobInputHTTP {
			continue
		}
		if strings.Contains(l.BaseURI, "?") {
			return true
		}
		for _, f := range l.Files {
			if strings.Contains(f, "?") {
				return true
			}
		}
	}
	return false
}

// RedactURLs returns a copy of in without the query strings of HTTP
// inputs.
func (in JobInput) RedactURLs() JobInput {
	strip := func(s string) string {
		if i := strings.IndexByte(s, '?'); i >= 0 {
			return s[:i]
		}
		return s
	}
	if in.ODataType == ODataTypeJobInputHTTP {
		in.BaseURI = strip(in.BaseURI)
		files := make([]string, len(in.Files))
		for i, f := range in.Files {
			files[i] = strip(f)
		}
		if in.Files != nil {
			in.Files = files
		}
	}
	if in.Inputs != nil {
		kids := make([]JobInput, len(in.Inputs))
		for i := range in.Inputs {
			kids[i] = in.Inputs[i].RedactURLs()
		}
		in.Inputs = kids
	}
	return in
}

// URLs returns the absolute URLs an HTTP input names: baseUri joined with
// each file, or the files themselves when baseUri is absent, or baseUri
// alone when there are no files.
func (in *JobInput) URLs() ([]string, error) {
	if in.BaseURI == "" {
		return in.Files, nil
	}
	if len(in.Files) == 0 {
		return []string{in.BaseURI}, nil
	}
	base, err := url.Parse(in.BaseURI)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(in.Files))
	for i, f := range in.Files {
		// AMS appends file names to the base path; keep the base's query
		// (a container SAS) on every file.
		u := *base
		rel, err := url.Parse(f)
		if err != nil {
			return nil, err
		}
		u.Path = strings.TrimSuffix(base.Path, "/") + "/" + strings.TrimPrefix(rel.Path, "/")
		u.RawPath = ""
		if rel.RawQuery != "" {
			u.RawQuery = rel.RawQuery
		}
		out[i] = u.String()
	}
	return out, nil
}

var clipDurationRE = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseClipDuration parses an AbsoluteClipTime: a non-negative ISO 8601
// duration of days, hours, minutes and seconds ("PT1M30.5S").
func ParseClipDuration(s string) (time.Duration, error) {
	m := clipDurationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, errorf("", "%q is not an ISO 8601 duration", s)
	}
	var total float64
	for i, unit := range []float64{86400, 3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil {
			return 0, errorf("", "%q is not an ISO 8601 duration", s)
		}
		total += v * unit
	}
	if total*1e9 > math.MaxInt64/2 {
		return 0, errorf("", "%q is too long", s)
	}
	return time.Duration(total * float64(time.Second)), nil
}
