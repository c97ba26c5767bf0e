package events

// Job and job-output events with the eventType, subject and data fields of
// the Microsoft.Media Event Grid schema (data-plane MediaServices.json,
// 2018-01-01). The job engine calls these when a state change commits,
// inside the same transaction, through Publish.

// State is a job or job-output state (AMS JobState).
type State string

// Job states.
const (
	StateQueued     State = "Queued"
	StateScheduled  State = "Scheduled"
	StateProcessing State = "Processing"
	StateCanceling  State = "Canceling"
	StateFinished   State = "Finished"
	StateCanceled   State = "Canceled"
	StateError      State = "Error"
)

// Job event types.
const (
	TypeJobStateChange = "Microsoft.Media.JobStateChange"
	TypeJobScheduled   = "Microsoft.Media.JobScheduled"
	TypeJobProcessing  = "Microsoft.Media.JobProcessing"
	TypeJobCanceling   = "Microsoft.Media.JobCanceling"
	TypeJobFinished    = "Microsoft.Media.JobFinished"
	TypeJobCanceled    = "Microsoft.Media.JobCanceled"
	TypeJobErrored     = "Microsoft.Media.JobErrored"

	TypeJobOutputStateChange = "Microsoft.Media.JobOutputStateChange"
	TypeJobOutputScheduled   = "Microsoft.Media.JobOutputScheduled"
	TypeJobOutputProcessing  = "Microsoft.Media.JobOutputProcessing"
	TypeJobOutputCanceling   = "Microsoft.Media.JobOutputCanceling"
	TypeJobOutputFinished    = "Microsoft.Media.JobOutputFinished"
	TypeJobOutputCanceled    = "Microsoft.Media.JobOutputCanceled"
	TypeJobOutputErrored     = "Microsoft.Media.JobOutputErrored"
	TypeJobOutputProgress    = "Microsoft.Media.JobOutputProgress"
)

// JobErrorDetail is one entry of JobError.details.
type JobErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// JobError is AMS's JobError (code, message, category, retry, details).
type JobError struct {
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Category string           `json:"category"`
	Retry    string           `json:"retry"`
	Details  []JobErrorDetail `json:"details"`
}

// JobOutput is one output as events show it.
type JobOutput struct {
	AssetName string
	Label     string
	Progress  int64
	State     State
	Error     *JobError
}

// outputData is the wire form: @odata.type first, error null when none.
type outputData struct {
	ODataType string    `json:"@odata.type"`
	AssetName string    `json:"assetName"`
	Error     *JobError `json:"error"`
	Label     string    `json:"label"`
	Progress  int64     `json:"progress"`
	State     State     `json:"state"`
}

func (o JobOutput) wire() outputData {
	e := o.Error
	if e != nil && e.Details == nil {
		c := *e
		c.Details = []JobErrorDetail{}
		e = &c
	}
	return outputData{ODataType: "#Microsoft.Media.JobOutputAsset", AssetName: o.AssetName, Error: e,
		Label: o.Label, Progress: o.Progress, State: o.State}
}

// JobSnapshot is what the events need to know about a job.
type JobSnapshot struct {
	Account         Account
	Transform       string
	Job             string
	CorrelationData map[string]string
	Outputs         []JobOutput
}

// Subject is "transforms/{transform}/jobs/{job}" (no leading slash).
func (j JobSnapshot) Subject() string { return "transforms/" + j.Transform + "/jobs/" + j.Job }

func (j JobSnapshot) correlation() map[string]string {
	if j.CorrelationData == nil {
		return map[string]string{}
	}
	return j.CorrelationData
}

// JobStateData is the data of JobStateChange, JobScheduled, JobProcessing
// and JobCanceling.
type JobStateData struct {
	PreviousState   State             `json:"previousState"`
	State           State             `json:"state"`
	CorrelationData map[string]string `json:"correlationData"`
}

// JobFinalData is the data of JobFinished, JobCanceled and JobErrored:
// the state fields plus the final outputs.
type JobFinalData struct {
	PreviousState   State             `json:"previousState"`
	State           State             `json:"state"`
	CorrelationData map[string]string `json:"correlationData"`
	Outputs         []outputData      `json:"outputs"`
}

// JobStateChange is Microsoft.Media.JobStateChange: fired on every job
// state change.
func JobStateChange(job JobSnapshot, previous, now State) Event {
	return New(job.Account, job.Subject(), TypeJobStateChange,
		JobStateData{PreviousState: previous, State: now, CorrelationData: job.correlation()})
}

// jobTypeFor maps a new job state to its specific event type ("" for
// Queued, which has none).
func jobTypeFor(now State) string {
	switch now {
	case StateScheduled:
		return TypeJobScheduled
	case StateProcessing:
		return TypeJobProcessing
	case StateCanceling:
		return TypeJobCanceling
	case StateFinished:
		return TypeJobFinished
	case StateCanceled:
		return TypeJobCanceled
	case StateError:
		return TypeJobErrored
	}
	return ""
}

// JobStateTransition is the state-specific job event for the new state
// (JobScheduled … JobErrored); ok is false for states without one
// (Queued). Final events carry every output.
func JobStateTransition(job JobSnapshot, previous, now State) (ev Event, ok bool) {
	typ := jobTypeFor(now)
	if typ == "" {
		return Event{}, false
	}
	switch now {
	case StateFinished, StateCanceled, StateError:
		outs := make([]outputData, len(job.Outputs))
		for i, o := range job.Outputs {
			outs[i] = o.wire()
		}
		return New(job.Account, job.Subject(), typ, JobFinalData{PreviousState: previous, State: now,
			CorrelationData: job.correlation(), Outputs: outs}), true
	}
	return New(job.Account, job.Subject(), typ,
		JobStateData{PreviousState: previous, State: now, CorrelationData: job.correlation()}), true
}

// JobEvents is every event AMS fires for one job state change:
// JobStateChange, then the state-specific event.
func JobEvents(job JobSnapshot, previous, now State) []Event {
	evs := []Event{JobStateChange(job, previous, now)}
	if ev, ok := JobStateTransition(job, previous, now); ok {
		evs = append(evs, ev)
	}
	return evs
}

// JobOutputStateData is the data of every JobOutput state event.
type JobOutputStateData struct {
	PreviousState      State             `json:"previousState"`
	Output             outputData        `json:"output"`
	JobCorrelationData map[string]string `json:"jobCorrelationData"`
}

// JobOutputStateChange is Microsoft.Media.JobOutputStateChange for one
// output that moved from previous to output.State.
func JobOutputStateChange(job JobSnapshot, output JobOutput, previous State) Event {
	return New(job.Account, job.Subject(), TypeJobOutputStateChange,
		JobOutputStateData{PreviousState: previous, Output: output.wire(), JobCorrelationData: job.correlation()})
}

func outputTypeFor(now State) string {
	switch now {
	case StateScheduled:
		return TypeJobOutputScheduled
	case StateProcessing:
		return TypeJobOutputProcessing
	case StateCanceling:
		return TypeJobOutputCanceling
	case StateFinished:
		return TypeJobOutputFinished
	case StateCanceled:
		return TypeJobOutputCanceled
	case StateError:
		return TypeJobOutputErrored
	}
	return ""
}

// JobOutputStateTransition is the state-specific output event
// (JobOutputScheduled … JobOutputErrored); ok is false for Queued.
func JobOutputStateTransition(job JobSnapshot, output JobOutput, previous State) (Event, bool) {
	typ := outputTypeFor(output.State)
	if typ == "" {
		return Event{}, false
	}
	return New(job.Account, job.Subject(), typ,
		JobOutputStateData{PreviousState: previous, Output: output.wire(), JobCorrelationData: job.correlation()}), true
}

// JobOutputEvents is JobOutputStateChange then the state-specific output
// event.
func JobOutputEvents(job JobSnapshot, output JobOutput, previous State) []Event {
	evs := []Event{JobOutputStateChange(job, output, previous)}
	if ev, ok := JobOutputStateTransition(job, output, previous); ok {
		evs = append(evs, ev)
	}
	return evs
}

// JobOutputProgressData is the data of JobOutputProgress.
type JobOutputProgressData struct {
	Label              string            `json:"label"`
	Progress           int64             `json:"progress"`
	JobCorrelationData map[string]string `json:"jobCorrelationData"`
}

// JobOutputProgress is Microsoft.Media.JobOutputProgress for the output
// with label. AMS fires it on 5 % growth or after 30 s without one; the
// caller decides when.
func JobOutputProgress(job JobSnapshot, label string, progress int64) Event {
	return New(job.Account, job.Subject(), TypeJobOutputProgress,
		JobOutputProgressData{Label: label, Progress: progress, JobCorrelationData: job.correlation()})
}
