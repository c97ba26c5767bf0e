package events

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

var testJob = JobSnapshot{
	Account:         Account{Subscription: "00000000-0000-0000-0000-000000000000", ResourceGroup: "rg1", Name: "acct1"},
	Transform:       "AdaptiveStreamingTransform",
	Job:             "job-42",
	CorrelationData: map[string]string{"tenant": "t1"},
	Outputs: []JobOutput{
		{AssetName: "out-42", Label: "AdaptiveStreaming_0", Progress: 100, State: StateFinished},
		{AssetName: "out-43", Label: "Thumbs_1", Progress: 20, State: StateError, Error: &JobError{
			Code: "ContentMalformed", Message: "undecodable", Category: "Content", Retry: "DoNotRetry"}},
	},
}

// wire renders an event as Publish stores it and decodes it generically.
func wire(t *testing.T, ev Event) map[string]any {
	t.Helper()
	_, body, err := ev.prepared(time.Date(2024, 5, 1, 10, 15, 2, 123456700, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func memberNames(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// TestJobEventsShape checks every job and output event against the field
// list of the Microsoft.Media Event Grid schema (reference §4.1–4.2):
// envelope, subject, types, data members, versions.
func TestJobEventsShape(t *testing.T) {
	envelope := sorted("id", "topic", "subject", "eventType", "eventTime", "data", "dataVersion", "metadataVersion")
	topic := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Media/mediaservices/acct1"
	check := func(ev Event, typ string, dataKeys []string) map[string]any {
		t.Helper()
		m := wire(t, ev)
		if !slices.Equal(memberNames(m), envelope) {
			t.Fatalf("%s envelope keys %v", typ, memberNames(m))
		}
		if m["eventType"] != typ || m["topic"] != topic || m["subject"] != "transforms/AdaptiveStreamingTransform/jobs/job-42" ||
			m["dataVersion"] != "1.0" || m["metadataVersion"] != "1" || m["eventTime"] != "2024-05-01T10:15:02.1234567Z" || m["id"] == "" {
			t.Fatalf("%s envelope: %v", typ, m)
		}
		d := m["data"].(map[string]any)
		if !slices.Equal(memberNames(d), sorted(dataKeys...)) {
			t.Fatalf("%s data keys %v, want %v", typ, memberNames(d), sorted(dataKeys...))
		}
		return d
	}
	// Job events: JobStateChange plus the state's own event; the final
	// ones carry outputs.
	cases := []struct {
		prev, now State
		typ       string
		final     bool
	}{
		{StateQueued, StateScheduled, TypeJobScheduled, false},
		{StateScheduled, StateProcessing, TypeJobProcessing, false},
		{StateProcessing, StateCanceling, TypeJobCanceling, false},
		{StateProcessing, StateFinished, TypeJobFinished, true},
		{StateCanceling, StateCanceled, TypeJobCanceled, true},
		{StateProcessing, StateError, TypeJobErrored, true},
	}
	for _, c := range cases {
		evs := JobEvents(testJob, c.prev, c.now)
		if len(evs) != 2 {
			t.Fatalf("%s: %d events", c.now, len(evs))
		}
		d := check(evs[0], TypeJobStateChange, []string{"previousState", "state", "correlationData"})
		if d["previousState"] != string(c.prev) || d["state"] != string(c.now) || !reflect.DeepEqual(d["correlationData"], map[string]any{"tenant": "t1"}) {
			t.Fatalf("JobStateChange data %v", d)
		}
		want := []string{"previousState", "state", "correlationData"}
		if c.final {
			want = append(want, "outputs")
		}
		d = check(evs[1], c.typ, want)
		if c.final {
			outs := d["outputs"].([]any)
			if len(outs) != 2 {
				t.Fatalf("%s outputs %v", c.typ, outs)
			}
			o0, o1 := outs[0].(map[string]any), outs[1].(map[string]any)
			if !slices.Equal(memberNames(o0), sorted("@odata.type", "assetName", "error", "label", "progress", "state")) ||
				o0["@odata.type"] != "#Microsoft.Media.JobOutputAsset" || o0["error"] != nil || o0["progress"] != float64(100) ||
				o0["label"] != "AdaptiveStreaming_0" || o0["state"] != "Finished" || o0["assetName"] != "out-42" {
				t.Fatalf("output 0: %v", o0)
			}
			e := o1["error"].(map[string]any)
			if !slices.Equal(memberNames(e), sorted("code", "message", "category", "retry", "details")) || e["code"] != "ContentMalformed" ||
				e["category"] != "Content" || e["retry"] != "DoNotRetry" || len(e["details"].([]any)) != 0 {
				t.Fatalf("output 1 error: %v", e)
			}
		}
	}
	if evs := JobEvents(testJob, "", StateQueued); len(evs) != 1 || evs[0].Type != TypeJobStateChange {
		t.Fatalf("Queued: %v", evs)
	}
	// Output events.
	outCases := map[State]string{StateScheduled: TypeJobOutputScheduled, StateProcessing: TypeJobOutputProcessing,
		StateCanceling: TypeJobOutputCanceling, StateFinished: TypeJobOutputFinished, StateCanceled: TypeJobOutputCanceled, StateError: TypeJobOutputErrored}
	for st, typ := range outCases {
		o := testJob.Outputs[0]
		o.State = st
		evs := JobOutputEvents(testJob, o, StateProcessing)
		if len(evs) != 2 {
			t.Fatalf("%s: %d output events", st, len(evs))
		}
		d := check(evs[0], TypeJobOutputStateChange, []string{"previousState", "output", "jobCorrelationData"})
		if d["previousState"] != "Processing" || d["output"].(map[string]any)["state"] != string(st) {
			t.Fatalf("JobOutputStateChange data %v", d)
		}
		check(evs[1], typ, []string{"previousState", "output", "jobCorrelationData"})
	}
	d := check(JobOutputProgress(testJob, "AdaptiveStreaming_0", 35), TypeJobOutputProgress, []string{"label", "progress", "jobCorrelationData"})
	if d["label"] != "AdaptiveStreaming_0" || d["progress"] != float64(35) || !reflect.DeepEqual(d["jobCorrelationData"], map[string]any{"tenant": "t1"}) {
		t.Fatalf("progress data %v", d)
	}
	// No correlation data is an empty object, not null.
	j := testJob
	j.CorrelationData = nil
	if d := check(JobStateChange(j, StateQueued, StateScheduled), TypeJobStateChange, []string{"previousState", "state", "correlationData"}); !reflect.DeepEqual(d["correlationData"], map[string]any{}) {
		t.Fatalf("nil correlation data: %v", d["correlationData"])
	}
}

// TestCloudEventForm checks the Event Grid → CloudEvents mapping
// (reference §4.3).
func TestCloudEventForm(t *testing.T) {
	_, body, err := JobOutputProgress(testJob, "AdaptiveStreaming_0", 35).prepared(time.Date(2024, 5, 1, 10, 16, 32, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ce, err := toCloudEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(ce, &m); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(memberNames(m), sorted("specversion", "id", "source", "subject", "type", "time", "data")) ||
		m["specversion"] != "1.0" || m["type"] != TypeJobOutputProgress || m["time"] != "2024-05-01T10:16:32.0000000Z" ||
		m["source"] != testJob.Account.ID() || m["subject"] != "transforms/AdaptiveStreamingTransform/jobs/job-42" {
		t.Fatalf("cloud event: %v", m)
	}
}

func TestBackoff(t *testing.T) {
	for failed, want := range map[int]time.Duration{1: 10 * time.Second, 2: 30 * time.Second, 3: time.Minute, 7: time.Hour, 10: 12 * time.Hour, 29: 12 * time.Hour} {
		if got := backoff(nil, failed, -1); got != want {
			t.Fatalf("backoff after %d failures: %v, want %v", failed, got, want)
		}
		for range 20 {
			got := backoff(nil, failed, 0.2)
			if got < want*8/10 || got > want*12/10 {
				t.Fatalf("jittered backoff after %d failures: %v", failed, got)
			}
		}
	}
}
