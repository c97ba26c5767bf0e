package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
)

// acctScope is the store scope of the test account's children.
var acctScope = strings.ToLower("/subscriptions/" + testSub + "/resourcegroups/" + testRG + "/providers/microsoft.media/mediaservices/" + testAccount)

const builtInAdaptive = `{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`

// seedTransform stores a transform with n AdaptiveStreaming outputs
// directly, as the API would after validating it. Job tests use it so
// that they exercise the job rules alone, whatever the encoder's preset
// coverage; TestTransforms creates transforms through the API.
func (ts *testServer) seedTransform(name string, n int) {
	ts.tb.Helper()
	now := time.Now().UTC()
	p := defs.TransformProperties{Created: defs.NewTime(now), LastModified: defs.NewTime(now)}
	for range n {
		p.Outputs = append(p.Outputs, defs.TransformOutput{OnError: defs.OnErrorStopProcessingJob, RelativePriority: defs.PriorityNormal, Preset: json.RawMessage(builtInAdaptive)})
	}
	doc, err := json.Marshal(p)
	if err != nil {
		ts.tb.Fatal(err)
	}
	r := &store.Resource{Kind: store.KindTransform, Scope: acctScope, Name: name, Created: now, Modified: now, Doc: doc}
	if err := ts.Store.WithTx(ts.tb.Context(), func(tx store.Tx) error { return tx.Create(ts.tb.Context(), r, nil) }); err != nil {
		ts.tb.Fatalf("seed transform %s: %v", name, err)
	}
}

func jobBody(input, outputs string, extra ...string) string {
	s := `{"properties":{"input":` + input + `,"outputs":` + outputs
	for _, e := range extra {
		s += "," + e
	}
	return s + "}}"
}

func assetInput(name string) string {
	return `{"@odata.type":"#Microsoft.Media.JobInputAsset","assetName":"` + name + `"}`
}

func assetOutputs(names ...string) string {
	s := "["
	for i, n := range names {
		if i > 0 {
			s += ","
		}
		s += `{"@odata.type":"#Microsoft.Media.JobOutputAsset","assetName":"` + n + `"}`
	}
	return s + "]"
}

type jobView struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Type       string             `json:"type"`
	Properties defs.JobProperties `json:"properties"`
}

func (ts *testServer) getJob(path string) jobView {
	ts.tb.Helper()
	var j jobView
	if err := json.Unmarshal(ts.mustDo(http.MethodGet, path, "", http.StatusOK).Body, &j); err != nil {
		ts.tb.Fatal(err)
	}
	return j
}

// TestJobs covers job create, read, the PUT rules, PATCH, list filters,
// cancel and delete.
func TestJobs(t *testing.T) {
	ts := newTestServer(t)
	for _, n := range []string{"in", "out", "out2", "out3", "out4"} {
		ts.mustDo(http.MethodPut, a("/assets/"+n), assetBody, http.StatusCreated)
	}
	ts.seedTransform("T", 1)
	ts.seedTransform("T2", 2)
	jobs := a("/transforms/T/jobs/")

	// Every input member and the job's label/correlationData come back.
	input := `{"@odata.type":"#Microsoft.Media.JobInputAsset","assetName":"in","files":["a.mp4"],` +
		`"start":{"@odata.type":"#Microsoft.Media.AbsoluteClipTime","time":"PT2S"},"end":{"@odata.type":"#Microsoft.Media.AbsoluteClipTime","time":"PT8S"},"label":"main"}`
	r := ts.mustDo(http.MethodPut, jobs+"j1", jobBody(input, assetOutputs("out"), `"description":"d1"`, `"correlationData":{"tenant":"t1","k":"v"}`), http.StatusCreated)
	var j jobView
	if err := json.Unmarshal(r.Body, &j); err != nil {
		t.Fatal(err)
	}
	p := j.Properties
	if j.Type != "Microsoft.Media/mediaservices/transforms/jobs" || !strings.EqualFold(j.ID, acctPath+"/transforms/T/jobs/j1") || !strings.HasSuffix(j.ID, "/transforms/T/jobs/j1") || j.Name != "j1" {
		t.Errorf("envelope: %+v", j)
	}
	if p.State != defs.JobStateQueued || p.Priority != defs.PriorityNormal || p.Created == nil || p.LastModified == nil || p.StartTime != nil || p.EndTime != nil {
		t.Errorf("properties: %+v", p)
	}
	if got, _ := json.Marshal(p.Input); string(got) != input {
		t.Errorf("input round trip:\n got %s\nwant %s", got, input)
	}
	if p.CorrelationData["tenant"] != "t1" || p.CorrelationData["k"] != "v" || p.Description != "d1" {
		t.Errorf("correlationData/description: %+v", p)
	}
	if len(p.Outputs) != 1 || p.Outputs[0].State != defs.JobStateQueued || p.Outputs[0].Progress == nil || *p.Outputs[0].Progress != 0 ||
		p.Outputs[0].Label != "AdaptiveStreaming_0" || p.Outputs[0].AssetName != "out" {
		t.Errorf("outputs: %+v", p.Outputs)
	}
	if got := ts.getJob(jobs + "J1"); got.Name != "j1" || got.Properties.State != defs.JobStateQueued {
		t.Errorf("GET (other casing): %+v", got)
	}

	t.Run("put errors", func(t *testing.T) {
		for _, tt := range []struct {
			name, path, body string
			status           int
			code, target     string
		}{
			{"replace", jobs + "j1", jobBody(assetInput("in"), assetOutputs("out2")), 409, "Conflict", ""},
			{"missing input asset", jobs + "e1", jobBody(assetInput("nope"), assetOutputs("out2")), 400, "InvalidParameter", "properties.input.assetName"},
			{"missing nested input asset", jobs + "e2", jobBody(`{"@odata.type":"#Microsoft.Media.JobInputs","inputs":[`+assetInput("in")+`,`+assetInput("gone")+`]}`, assetOutputs("out2")), 400, "InvalidParameter", "properties.input.inputs[1].assetName"},
			{"missing output asset", jobs + "e3", jobBody(assetInput("in"), assetOutputs("nope")), 400, "InvalidParameter", "properties.outputs[0].assetName"},
			{"output of an active job", jobs + "e4", jobBody(assetInput("in"), assetOutputs("OUT")), 409, "Conflict", "properties.outputs[0].assetName"},
			{"too few outputs", a("/transforms/T2/jobs/e5"), jobBody(assetInput("in"), assetOutputs("out2")), 400, "InvalidParameter", "properties.outputs"},
			{"same output twice", a("/transforms/T2/jobs/e6"), jobBody(assetInput("in"), assetOutputs("out2", "Out2")), 400, "InvalidParameter", "properties.outputs[1].assetName"},
			{"no outputs", jobs + "e7", jobBody(assetInput("in"), `[]`), 400, "InvalidParameter", "properties.outputs"},
			{"plain http", jobs + "e8", jobBody(`{"@odata.type":"#Microsoft.Media.JobInputHttp","baseUri":"http://media.example.com/","files":["a.mp4"]}`, assetOutputs("out2")), 400, "InvalidParameter", "properties.input.baseUri"},
			{"analyzer override", jobs + "e9", jobBody(assetInput("in"), `[{"@odata.type":"#Microsoft.Media.JobOutputAsset","assetName":"out2","presetOverride":{"@odata.type":"#Microsoft.Media.VideoAnalyzerPreset","audioLanguage":"en-US"}}]`), 400, "ConfigurationUnsupported", "properties.outputs[0].presetOverride"},
			{"bad priority", jobs + "e10", jobBody(assetInput("in"), assetOutputs("out2"), `"priority":"Urgent"`), 400, "InvalidParameter", "properties.priority"},
			{"no transform", a("/transforms/none/jobs/e11"), jobBody(assetInput("in"), assetOutputs("out2")), 404, "ResourceNotFound", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e := checkError(t, ts.call(http.MethodPut, tt.path, tt.body), tt.status, tt.code)
				if e.Error.Target != tt.target {
					t.Errorf("target %q, want %q (%s)", e.Error.Target, tt.target, e.Error.Message)
				}
				if tt.target != "" && !strings.Contains(e.Error.Message, tt.target) {
					t.Errorf("message %q does not name %s", e.Error.Message, tt.target)
				}
			})
		}
		// Nothing was created by a refused PUT.
		for _, n := range []string{"e1", "e3", "e4", "e8", "e9"} {
			checkError(t, ts.call(http.MethodGet, jobs+n, ""), 404, "ResourceNotFound")
		}
	})

	t.Run("patch", func(t *testing.T) {
		r := ts.mustDo(http.MethodPatch, jobs+"j1", `{"properties":{"description":"d2","priority":"High"}}`, http.StatusOK)
		var got jobView
		_ = json.Unmarshal(r.Body, &got)
		if got.Properties.Description != "d2" || got.Properties.Priority != defs.PriorityHigh || got.Properties.CorrelationData["tenant"] != "t1" {
			t.Errorf("after PATCH: %+v", got.Properties)
		}
		// Sending back what GET returned, with a new description, is fine.
		cur := ts.mustDo(http.MethodGet, jobs+"j1", "", http.StatusOK).Body
		var m map[string]any
		_ = json.Unmarshal(cur, &m)
		m["properties"].(map[string]any)["description"] = "d3"
		b, _ := json.Marshal(m)
		ts.mustDo(http.MethodPatch, jobs+"j1", string(b), http.StatusOK)
		for _, tt := range []struct{ body, target string }{
			{`{"properties":{"input":` + assetInput("out3") + `}}`, "properties.input"},
			{`{"properties":{"outputs":` + assetOutputs("out3") + `}}`, "properties.outputs"},
			{`{"properties":{"state":"Finished"}}`, "properties.state"},
			{`{"properties":{"correlationData":{"a":"b"}}}`, "properties.correlationData"},
			{`{"properties":{"priority":"Urgent"}}`, "properties.priority"},
		} {
			e := checkError(t, ts.call(http.MethodPatch, jobs+"j1", tt.body), 400, "InvalidParameter")
			if e.Error.Target != tt.target {
				t.Errorf("PATCH %s: target %q, want %q", tt.body, e.Error.Target, tt.target)
			}
		}
		if got := ts.getJob(jobs + "j1"); got.Properties.Description != "d3" || got.Properties.State != defs.JobStateQueued {
			t.Errorf("after refused PATCHes: %+v", got.Properties)
		}
		checkError(t, ts.call(http.MethodPatch, jobs+"nope", `{"properties":{"description":"x"}}`), 404, "ResourceNotFound")
	})

	t.Run("http input hides its SAS", func(t *testing.T) {
		in := `{"@odata.type":"#Microsoft.Media.JobInputHttp","baseUri":"https://media.example.com/c?sv=2020&sig=SECRET","files":["a.mp4"]}`
		r := ts.mustDo(http.MethodPut, jobs+"http1", jobBody(in, assetOutputs("out2")), http.StatusCreated)
		if strings.Contains(string(r.Body), "SECRET") || !strings.Contains(string(r.Body), `"baseUri":"https://media.example.com/c"`) {
			t.Errorf("PUT response shows the query string or lost the URL: %s", r.Body)
		}
		if b := ts.mustDo(http.MethodGet, jobs+"http1", "", http.StatusOK).Body; strings.Contains(string(b), "SECRET") {
			t.Errorf("GET shows the query string: %s", b)
		}
		// A PATCH keeps the sealed URL.
		ts.mustDo(http.MethodPatch, jobs+"http1", `{"properties":{"description":"x"}}`, http.StatusOK)
		stored, err := ts.Store.Get(t.Context(), store.Key{Kind: store.KindJob, Scope: acctScope + "/transforms/t", Name: "http1"})
		if err != nil || stored.Secret == nil || strings.Contains(string(stored.Secret), "SECRET") {
			t.Fatalf("stored secret: %v (sealed %d bytes)", err, len(stored.Secret))
		}
	})

	t.Run("list and filter by state", func(t *testing.T) {
		ts.mustDo(http.MethodPut, jobs+"j2", jobBody(assetInput("in"), assetOutputs("out3")), http.StatusCreated)
		ts.mustDo(http.MethodPost, jobs+"j2/cancelJob", "", http.StatusOK)
		list := func(filter string) []string {
			q := av
			if filter != "" {
				q += "&$filter=" + url.QueryEscape(filter)
			}
			r := ts.do(http.MethodGet, a("/transforms/T/jobs"), q, nil, "")
			if r.Status != 200 {
				t.Fatalf("list %q: %d %s", filter, r.Status, r.Body)
			}
			var page struct {
				Value []jobView `json:"value"`
			}
			_ = json.Unmarshal(r.Body, &page)
			var names []string
			for _, v := range page.Value {
				names = append(names, v.Name)
			}
			return names
		}
		if got := strings.Join(list("properties/state eq Microsoft.Media.JobState'Canceled'"), ","); got != "j2" {
			t.Errorf("Canceled jobs: %s", got)
		}
		if got := strings.Join(list("properties/state eq Microsoft.Media.JobState'Queued'"), ","); got != "http1,j1" {
			t.Errorf("Queued jobs: %s", got)
		}
		if got := strings.Join(list("properties/state eq Microsoft.Media.JobState'Processing'"), ","); got != "" {
			t.Errorf("Processing jobs: %s", got)
		}
		if got := strings.Join(list("name eq 'j1'"), ","); got != "j1" {
			t.Errorf("by name: %s", got)
		}
		checkError(t, ts.do(http.MethodGet, a("/transforms/T/jobs"), av+"&$filter="+url.QueryEscape("properties/description eq 'x'"), nil, ""), 400, "InvalidFilter")
	})

	t.Run("cancel", func(t *testing.T) {
		// A job no worker holds is canceled at once and leaves the queue.
		ts.mustDo(http.MethodPut, jobs+"c1", jobBody(assetInput("in"), assetOutputs("out4")), http.StatusCreated)
		ts.mustDo(http.MethodPost, jobs+"c1/cancelJob", "", http.StatusOK)
		got := ts.getJob(jobs + "c1").Properties
		if got.State != defs.JobStateCanceled || got.EndTime == nil || got.Outputs[0].State != defs.JobStateCanceled || got.Outputs[0].EndTime == nil {
			t.Errorf("canceled waiting job: %+v", got)
		}
		// Its output asset is free again.
		ts.mustDo(http.MethodPut, jobs+"c2", jobBody(assetInput("in"), assetOutputs("out4")), http.StatusCreated)
		// A leased job becomes Canceling; its worker finishes the cancel.
		for {
			l, err := ts.Store.LeaseJob(t.Context(), "test-worker", time.Now(), time.Hour)
			if err != nil {
				t.Fatalf("lease: %v", err)
			}
			if l.Name == "c2" {
				break
			}
		}
		ts.mustDo(http.MethodPost, jobs+"c2/cancelJob", "", http.StatusOK)
		if got := ts.getJob(jobs + "c2").Properties; got.State != defs.JobStateCanceling || got.Outputs[0].State != defs.JobStateCanceling || got.EndTime != nil {
			t.Errorf("canceled running job: %+v", got)
		}
		// Canceling again, or a finished job, changes nothing.
		ts.mustDo(http.MethodPost, jobs+"c2/cancelJob", "", http.StatusOK)
		ts.mustDo(http.MethodPost, jobs+"c1/cancelJob", "", http.StatusOK)
		checkError(t, ts.call(http.MethodPost, jobs+"nope/cancelJob", ""), 404, "ResourceNotFound")
		checkError(t, ts.call(http.MethodGet, jobs+"c1/cancelJob", ""), 405, "MethodNotAllowed")
	})

	t.Run("delete", func(t *testing.T) {
		ts.mustDo(http.MethodDelete, jobs+"j2", "", http.StatusOK)
		ts.mustDo(http.MethodDelete, jobs+"j2", "", http.StatusNoContent)
		// Deleting the transform deletes its jobs, running ones included.
		ts.mustDo(http.MethodDelete, a("/transforms/T"), "", http.StatusOK)
		checkError(t, ts.call(http.MethodGet, jobs+"j1", ""), 404, "ResourceNotFound")
		if l, err := ts.Store.LeaseJob(t.Context(), "w", time.Now().Add(2*time.Hour), time.Hour); err == nil {
			t.Errorf("a job of the deleted transform is still queued: %+v", l)
		}
		// Its jobs' output assets are free again.
		ts.seedTransform("T", 1)
		ts.mustDo(http.MethodPut, jobs+"again", jobBody(assetInput("in"), assetOutputs("out")), http.StatusCreated)
	})
}

// TestTransformErrors: transform bodies refused before any preset runs.
func TestTransformErrors(t *testing.T) {
	ts := newTestServer(t)
	outputs := func(n int) string {
		s := "["
		for i := range n {
			if i > 0 {
				s += ","
			}
			s += `{"preset":` + builtInAdaptive + `}`
		}
		return s + "]"
	}
	for _, tt := range []struct {
		name, body   string
		code, target string
	}{
		{"no outputs", `{"properties":{"outputs":[]}}`, "InvalidParameter", "properties.outputs"},
		{"too many outputs", `{"properties":{"outputs":` + outputs(21) + `}}`, "InvalidParameter", "properties.outputs"},
		{"no preset", `{"properties":{"outputs":[{"onError":"ContinueJob"}]}}`, "InvalidParameter", "properties.outputs[0].preset"},
		{"onError", `{"properties":{"outputs":[{"onError":"Skip","preset":` + builtInAdaptive + `}]}}`, "InvalidParameter", "properties.outputs[0].onError"},
		{"video analyzer", `{"properties":{"outputs":[{"preset":` + builtInAdaptive + `},{"preset":{"@odata.type":"#Microsoft.Media.VideoAnalyzerPreset","audioLanguage":"en-US"}}]}}`, "ConfigurationUnsupported", "properties.outputs[1].preset"},
		{"face detector", `{"properties":{"outputs":[{"preset":{"@odata.type":"#Microsoft.Media.FaceDetectorPreset"}}]}}`, "ConfigurationUnsupported", "properties.outputs[0].preset"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := checkError(t, ts.call(http.MethodPut, a("/transforms/bad"), tt.body), 400, tt.code)
			if e.Error.Target != tt.target {
				t.Errorf("target %q, want %q (%s)", e.Error.Target, tt.target, e.Error.Message)
			}
		})
	}
	checkError(t, ts.call(http.MethodGet, a("/transforms/bad"), ""), 404, "ResourceNotFound")
	checkError(t, ts.do(http.MethodGet, a("/transforms"), av+"&$top=2", nil, ""), 400, "InvalidQueryParameter")
}

// TestTransforms drives transforms through the API with presets the
// encoder runs: create, read, list with $filter/$orderby, PATCH, the
// active-jobs rule, delete.
func TestTransforms(t *testing.T) {
	ts := newTestServer(t)
	custom := `{"@odata.type":"#Microsoft.Media.StandardEncoderPreset","codecs":[{"@odata.type":"#Microsoft.Media.AacAudio","channels":2,"samplingRate":48000,"bitrate":128000,"profile":"AacLc"},` +
		`{"@odata.type":"#Microsoft.Media.H264Video","keyFrameInterval":"PT2S","layers":[{"bitrate":1000000,"width":"1280","height":"720","label":"HD"},{"bitrate":600000,"width":"640","height":"360","label":"SD"}]}],` +
		`"formats":[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"Video-{Basename}-{Label}-{Bitrate}{Extension}"}]}`
	r := ts.mustDo(http.MethodPut, a("/transforms/Ladder"), `{"properties":{"description":"ladder","outputs":[{"preset":`+builtInAdaptive+`}]}}`, http.StatusCreated)
	var tr struct {
		ID, Name, Type string
		Properties     defs.TransformProperties
	}
	_ = json.Unmarshal(r.Body, &tr)
	if tr.Type != "Microsoft.Media/mediaservices/transforms" || tr.Name != "Ladder" || tr.Properties.Description != "ladder" ||
		len(tr.Properties.Outputs) != 1 || tr.Properties.Outputs[0].OnError != "StopProcessingJob" || tr.Properties.Outputs[0].RelativePriority != "Normal" ||
		tr.Properties.Created == nil || tr.Properties.LastModified == nil {
		t.Fatalf("created transform: %s", r.Body)
	}
	ts.mustDo(http.MethodPut, a("/transforms/Custom"), `{"properties":{"outputs":[{"onError":"ContinueJob","relativePriority":"High","preset":`+custom+`}]}}`, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/transforms/Custom"), `{"properties":{"description":"again","outputs":[{"preset":`+custom+`}]}}`, http.StatusOK)
	ts.mustDo(http.MethodPatch, a("/transforms/Ladder"), `{"properties":{"description":"patched"}}`, http.StatusOK)
	list := func(q string) string {
		r := ts.do(http.MethodGet, a("/transforms"), av+q, nil, "")
		if r.Status != 200 {
			t.Fatalf("list %s: %d %s", q, r.Status, r.Body)
		}
		var page struct{ Value []struct{ Name string } }
		_ = json.Unmarshal(r.Body, &page)
		var n []string
		for _, v := range page.Value {
			n = append(n, v.Name)
		}
		return strings.Join(n, ",")
	}
	if got := list("&$filter=" + url.QueryEscape("name eq 'Ladder'")); got != "Ladder" {
		t.Errorf("filter by name: %s", got)
	}
	if got := list("&$orderby=" + url.QueryEscape("properties/created desc")); got != "Custom,Ladder" {
		t.Errorf("order by created desc: %s", got)
	}
	// A transform with unfinished jobs keeps its outputs.
	ts.mustDo(http.MethodPut, a("/assets/in"), assetBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/assets/out"), assetBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/transforms/Ladder/jobs/j"), jobBody(assetInput("in"), assetOutputs("out")), http.StatusCreated)
	e := checkError(t, ts.call(http.MethodPut, a("/transforms/Ladder"), `{"properties":{"outputs":[{"preset":`+custom+`}]}}`), 409, "Conflict")
	if e.Error.Target != "properties.outputs" {
		t.Errorf("target %q", e.Error.Target)
	}
	ts.mustDo(http.MethodDelete, a("/transforms/Ladder"), "", http.StatusOK)
	checkError(t, ts.call(http.MethodGet, a("/transforms/Ladder/jobs/j"), ""), 404, "ResourceNotFound")
}
