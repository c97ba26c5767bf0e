package teste2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// Names of the job events scenario.
const (
	jevTransform = "events-h264"
	jevJob       = "job-events"
	jevInput     = "jev-in"
	jevOutput    = "jev-out"
	jevClip      = "jev-clip.mp4"
	jevLabel     = "SmallH264"
	// gridAPIVersion is the Event Grid management api-version Azure code
	// uses for eventSubscriptions.
	gridAPIVersion = "2022-06-15"
)

// TestJobEventsToWebhooks is issue 18's first "Done when" end to end on a
// running node with the encode role: plain net/http receivers subscribe
// to the account's events through the management API (one per delivery
// schema, plus one filtered to JobFinished), pass the handshake (the
// echoed validationCode for EventGridSchema, the OPTIONS
// WebHook-Allowed-Origin consent for CloudEvents), then one real ffmpeg
// encoding job runs and each receiver must get, ordered by event time,
// the job's state chain Queued→Scheduled→Processing→Finished and its
// output's chain with progress, in AMS's envelope and data shapes, the
// same events (ids) in both schemas; the filtered receiver only
// JobFinished. Loopback http webhooks are allowed the way an operator
// would (events.allowHTTP, events.allowPrivate).
func TestJobEventsToWebhooks(t *testing.T) {
	mediatest.Require(t)
	h := startServer(t, func(c *conf.Conf) {
		c.Events.AllowHTTP = true
		c.Events.AllowPrivate = true
	})
	ctx := testCtx(t, 3*time.Minute)
	s := &scenario{h: h, rg: encRG, acct: encAccount}
	s.createAccount(t, ctx, encAccount)

	grid := newEventReceiver(t)
	cloud := newEventReceiver(t)
	finished := newEventReceiver(t)
	g := &gridClient{h: h, path: "/subscriptions/" + h.Sub + "/resourceGroups/" + encRG +
		"/providers/Microsoft.Media/mediaServices/" + encAccount + "/providers/Microsoft.EventGrid/eventSubscriptions/"}
	g.put(t, ctx, "grid", grid.URL(), `"eventDeliverySchema":"EventGridSchema"`)
	g.put(t, ctx, "cloud", cloud.URL(), `"eventDeliverySchema":"CloudEventSchemaV1_0"`)
	g.put(t, ctx, "finished", finished.URL(), `"eventDeliverySchema":"EventGridSchema","filter":{"includedEventTypes":["Microsoft.Media.JobFinished"]}`)
	for _, name := range []string{"grid", "cloud", "finished"} {
		g.waitSucceeded(t, ctx, name)
	}
	if grid.validations() != 1 || finished.validations() != 1 || cloud.validations() != 0 {
		t.Errorf("validation events: grid %d, finished %d, cloud %d; want 1, 1, 0", grid.validations(), finished.validations(), cloud.validations())
	}
	if cloud.optionsAsked() == 0 {
		t.Errorf("the CloudEvents subscription succeeded without the OPTIONS handshake")
	}

	// A short clip and a one-layer transform keep the encode to seconds.
	clip, _ := mediatest.Make(t, t.TempDir(), jevClip, "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=4",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest")
	for _, a := range []string{jevInput, jevOutput} {
		if _, err := h.Assets.CreateOrUpdate(ctx, encRG, encAccount, a, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil); err != nil {
			t.Fatalf("create asset %s: %v", a, err)
		}
	}
	cc := s.blobClient(t, s.containerSAS(t, ctx, jevInput, armmediaservices.AssetContainerPermissionReadWrite))
	f, err := os.Open(clip)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cc.NewBlockBlobClient(jevClip).UploadFile(ctx, f, nil)
	f.Close()
	if err != nil {
		t.Fatalf("upload clip: %v", err)
	}
	transforms, err := armmediaservices.NewTransformsClient(h.Sub, h.Cred, h.Options)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := armmediaservices.NewJobsClient(h.Sub, h.Cred, h.Options)
	if err != nil {
		t.Fatal(err)
	}
	_, err = transforms.CreateOrUpdate(ctx, encRG, encAccount, jevTransform, armmediaservices.Transform{Properties: &armmediaservices.TransformProperties{
		Outputs: []*armmediaservices.TransformOutput{{Preset: &armmediaservices.StandardEncoderPreset{
			Codecs: []armmediaservices.CodecClassification{
				&armmediaservices.AacAudio{Channels: to.Ptr[int32](2), SamplingRate: to.Ptr[int32](48000), Bitrate: to.Ptr[int32](64000)},
				&armmediaservices.H264Video{
					Complexity: to.Ptr(armmediaservices.H264ComplexitySpeed),
					Layers:     []*armmediaservices.H264Layer{{Bitrate: to.Ptr[int32](300000), Width: to.Ptr("320"), Height: to.Ptr("180"), Label: to.Ptr(jevLabel)}},
				},
			},
			Formats: []armmediaservices.FormatClassification{&armmediaservices.Mp4Format{FilenamePattern: to.Ptr("{Basename}-{Label}{Extension}")}},
		}}},
	}}, nil)
	if err != nil {
		t.Fatalf("create transform: %v", err)
	}
	_, err = jobs.Create(ctx, encRG, encAccount, jevTransform, jevJob, armmediaservices.Job{Properties: &armmediaservices.JobProperties{
		Input:           &armmediaservices.JobInputAsset{AssetName: to.Ptr(jevInput), Files: []*string{to.Ptr(jevClip)}},
		Outputs:         []armmediaservices.JobOutputClassification{&armmediaservices.JobOutputAsset{AssetName: to.Ptr(jevOutput), Label: to.Ptr("out0")}},
		CorrelationData: map[string]*string{"tenant": to.Ptr("t1")},
	}}, nil)
	if err != nil {
		t.Fatalf("create job: %v", err)
	}
	waitJob(t, ctx, jobs, jevTransform, jevJob)

	topic := "/subscriptions/" + h.Sub + "/resourceGroups/" + encRG + "/providers/Microsoft.Media/mediaservices/" + encAccount
	want := jobEventExpectation{topic: topic, subject: "transforms/" + jevTransform + "/jobs/" + jevJob, asset: jevOutput, label: "out0"}
	gridEvents := grid.waitComplete(t, ctx, want.complete)
	cloudEvents := cloud.waitComplete(t, ctx, want.complete)
	finished.waitComplete(t, ctx, func(evs []recvEvent) bool { return len(evs) > 0 })

	t.Run("EventGridSchema", func(t *testing.T) { want.check(t, gridEvents, false) })
	t.Run("CloudEventSchemaV1_0", func(t *testing.T) { want.check(t, cloudEvents, true) })
	if gi, ci := eventIDs(gridEvents), eventIDs(cloudEvents); !slices.Equal(gi, ci) {
		t.Errorf("the two schemas carry different events:\ngrid  %v\ncloud %v", gi, ci)
	}
	// By now every event of the job has been dispatched to every
	// subscription; the filtered one got exactly the JobFinished.
	finEvents := finished.events()
	if len(finEvents) != 1 || finEvents[0].Type != "Microsoft.Media.JobFinished" {
		t.Errorf("filtered subscription got %s; want only Microsoft.Media.JobFinished", typesOf(finEvents))
	} else if gf := ofType(gridEvents, "Microsoft.Media.JobFinished"); len(gf) != 1 || gf[0].ID != finEvents[0].ID {
		t.Errorf("filtered subscription's JobFinished %s is not the unfiltered one %+v", finEvents[0].ID, gf)
	}
}

// gridClient calls the Event Grid eventSubscriptions API of the account
// as Azure code does: ARM JSON with a bearer token from the node's
// identity provider.
type gridClient struct {
	h    *harness
	path string
}

func (g *gridClient) do(t *testing.T, ctx context.Context, method, name, body string) (int, map[string]any) {
	t.Helper()
	tok, err := g.h.Cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{testAudience + "/.default"}})
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.h.APIURL+g.path+name+"?api-version="+gridAPIVersion, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.h.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s eventSubscription %s: %v", method, name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s eventSubscription %s: %v", method, name, err)
	}
	var doc map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s eventSubscription %s: status %d, body %q: %v", method, name, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode, doc
}

// put creates a WebHook subscription to endpoint with extra properties.
func (g *gridClient) put(t *testing.T, ctx context.Context, name, endpoint, extra string) {
	t.Helper()
	body := fmt.Sprintf(`{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":%q}},%s}}`, endpoint, extra)
	st, doc := g.do(t, ctx, http.MethodPut, name, body)
	if st != http.StatusCreated && st != http.StatusOK {
		t.Fatalf("PUT eventSubscription %s: status %d %v", name, st, doc)
	}
}

// waitSucceeded polls a subscription until its handshake succeeded.
func (g *gridClient) waitSucceeded(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for {
		st, doc := g.do(t, ctx, http.MethodGet, name, "")
		props, _ := doc["properties"].(map[string]any)
		state, _ := props["provisioningState"].(string)
		switch {
		case st != http.StatusOK:
			t.Fatalf("GET eventSubscription %s: status %d %v", name, st, doc)
		case state == "Succeeded":
			return
		case state == "Failed" || state == "AwaitingManualAction":
			t.Fatalf("eventSubscription %s: provisioningState %s", name, state)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("eventSubscription %s: %v (provisioningState %q)", name, ctx.Err(), state)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// recvEvent is one received event, in either schema, with the fields the
// checks need and the raw JSON object.
type recvEvent struct {
	ID, Type, Subject, Source string
	Time                      time.Time
	Data                      map[string]any
	Raw                       map[string]any
	// Header is the delivery request's headers.
	Header http.Header
	// Seq is the arrival order, the tie-break of equal times.
	Seq int
}

// eventReceiver is a webhook endpoint as a customer writes it with plain
// net/http: it answers the Event Grid validation event by echoing the
// code, consents to the CloudEvents OPTIONS handshake, and records every
// delivered event.
type eventReceiver struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	evs     []recvEvent
	valid   int
	options int
	bad     []string
	changed chan struct{}
}

func newEventReceiver(t *testing.T) *eventReceiver {
	rc := &eventReceiver{t: t, changed: make(chan struct{}, 1)}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *eventReceiver) URL() string { return rc.srv.URL + "/api/updates" }

func (rc *eventReceiver) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		rc.mu.Lock()
		rc.options++
		rc.mu.Unlock()
		if o := r.Header.Get("WebHook-Request-Origin"); o != "" {
			w.Header().Set("WebHook-Allowed-Origin", o)
		}
		w.Header().Set("Allow", "POST, OPTIONS")
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var objs []map[string]any
	switch mt {
	case "application/cloudevents+json":
		var o map[string]any
		err = json.Unmarshal(body, &o)
		objs = []map[string]any{o}
	case "application/json", "application/cloudevents-batch+json":
		err = json.Unmarshal(body, &objs)
	default:
		err = fmt.Errorf("content type %q", mt)
	}
	if err != nil {
		rc.fail(fmt.Sprintf("undecodable delivery (%v): %s", err, body))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Header.Get("aeg-event-type") == "SubscriptionValidation" {
		// Event Grid's synchronous handshake: echo the code.
		if len(objs) != 1 || objs[0]["eventType"] != "Microsoft.EventGrid.SubscriptionValidationEvent" {
			rc.fail(fmt.Sprintf("validation request: %s", body))
			http.Error(w, "bad validation request", http.StatusBadRequest)
			return
		}
		data, _ := objs[0]["data"].(map[string]any)
		rc.mu.Lock()
		rc.valid++
		rc.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"validationResponse": data["validationCode"]})
		return
	}
	rc.mu.Lock()
	for _, o := range objs {
		ev := recvEvent{Raw: o, Header: r.Header.Clone(), Seq: len(rc.evs)}
		ev.ID, _ = o["id"].(string)
		ev.Subject, _ = o["subject"].(string)
		ev.Data, _ = o["data"].(map[string]any)
		tm := ""
		if mt == "application/json" {
			ev.Type, _ = o["eventType"].(string)
			ev.Source, _ = o["topic"].(string)
			tm, _ = o["eventTime"].(string)
		} else {
			ev.Type, _ = o["type"].(string)
			ev.Source, _ = o["source"].(string)
			tm, _ = o["time"].(string)
		}
		if ev.Time, err = time.Parse(time.RFC3339Nano, tm); err != nil || !strings.HasSuffix(tm, "Z") {
			rc.bad = append(rc.bad, fmt.Sprintf("event %s time %q is not RFC 3339 UTC with Z", ev.ID, tm))
		}
		rc.evs = append(rc.evs, ev)
	}
	rc.mu.Unlock()
	select {
	case rc.changed <- struct{}{}:
	default:
	}
	w.WriteHeader(http.StatusOK)
}

func (rc *eventReceiver) fail(msg string) {
	rc.mu.Lock()
	rc.bad = append(rc.bad, msg)
	rc.mu.Unlock()
}

func (rc *eventReceiver) validations() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.valid
}

func (rc *eventReceiver) optionsAsked() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.options
}

// events returns the events received so far ordered by event time (ties
// in arrival order), and fails the test on malformed deliveries.
func (rc *eventReceiver) events() []recvEvent {
	rc.t.Helper()
	rc.mu.Lock()
	evs := slices.Clone(rc.evs)
	bad := slices.Clone(rc.bad)
	rc.mu.Unlock()
	for _, b := range bad {
		rc.t.Error(b)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	return evs
}

// waitComplete waits until done holds for the received events.
func (rc *eventReceiver) waitComplete(t *testing.T, ctx context.Context, done func([]recvEvent) bool) []recvEvent {
	t.Helper()
	for {
		if evs := rc.events(); done(evs) {
			return evs
		}
		select {
		case <-ctx.Done():
			t.Fatalf("events at %s: %v; got %s", rc.URL(), ctx.Err(), typesOf(rc.events()))
		case <-rc.changed:
		}
	}
}

func typesOf(evs []recvEvent) string {
	var b bytes.Buffer
	for _, e := range evs {
		fmt.Fprintf(&b, "\n  %s %s %s", e.Time.Format(time.RFC3339Nano), e.Type, compact(e.Data))
	}
	return b.String()
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func ofType(evs []recvEvent, typ string) []recvEvent {
	var out []recvEvent
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func eventIDs(evs []recvEvent) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	slices.Sort(ids)
	return ids
}

// jobEventExpectation is what AMS publishes for one finished job with
// one output.
type jobEventExpectation struct {
	topic, subject, asset, label string
}

// complete reports whether the final events of both the job and its
// output have arrived (the rest is published before them).
func (x jobEventExpectation) complete(evs []recvEvent) bool {
	return len(ofType(evs, "Microsoft.Media.JobFinished")) > 0 && len(ofType(evs, "Microsoft.Media.JobOutputFinished")) > 0 &&
		len(ofType(evs, "Microsoft.Media.JobStateChange")) >= 3 && len(ofType(evs, "Microsoft.Media.JobOutputStateChange")) >= 2
}

// check asserts the envelope of every event and the order and data of
// the job's and its output's state chains.
func (x jobEventExpectation) check(t *testing.T, evs []recvEvent, cloudEvents bool) {
	t.Logf("%d events:%s", len(evs), typesOf(evs))
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.ID] || e.ID == "" {
			t.Errorf("event id %q empty or delivered twice", e.ID)
		}
		seen[e.ID] = true
		if e.Subject != x.subject || !strings.EqualFold(e.Source, x.topic) || !strings.HasPrefix(e.Type, "Microsoft.Media.Job") {
			t.Errorf("%s %s: subject %q source/topic %q; want %q, %q", e.Type, e.ID, e.Subject, e.Source, x.subject, x.topic)
		}
		if cloudEvents {
			if e.Raw["specversion"] != "1.0" || e.Header.Get("Content-Type") == "" || !strings.HasPrefix(e.Header.Get("Content-Type"), "application/cloudevents") {
				t.Errorf("%s: specversion %v, content type %q", e.Type, e.Raw["specversion"], e.Header.Get("Content-Type"))
			}
			for _, k := range []string{"eventType", "eventTime", "topic", "dataVersion", "metadataVersion"} {
				if _, ok := e.Raw[k]; ok {
					t.Errorf("%s: CloudEvent carries Event Grid member %q", e.Type, k)
				}
			}
		} else {
			if e.Raw["dataVersion"] != "1.0" || e.Raw["metadataVersion"] != "1" {
				t.Errorf("%s: dataVersion %v metadataVersion %v; want 1.0, 1", e.Type, e.Raw["dataVersion"], e.Raw["metadataVersion"])
			}
			if e.Header.Get("aeg-event-type") != "Notification" || !strings.EqualFold(e.Header.Get("aeg-subscription-name"), "grid") {
				t.Errorf("%s: aeg-event-type %q aeg-subscription-name %q", e.Type, e.Header.Get("aeg-event-type"), e.Header.Get("aeg-subscription-name"))
			}
		}
		corr := "correlationData"
		if strings.HasPrefix(e.Type, "Microsoft.Media.JobOutput") {
			corr = "jobCorrelationData"
		}
		if c, _ := e.Data[corr].(map[string]any); c["tenant"] != "t1" || len(c) != 1 {
			t.Errorf("%s: data.%s %v; want {tenant: t1}", e.Type, corr, e.Data[corr])
		}
	}

	// The job: Queued→Scheduled→Processing→Finished, each as
	// JobStateChange plus the state's own event, in time order.
	var job []string
	for _, e := range evs {
		if strings.HasPrefix(e.Type, "Microsoft.Media.JobOutput") {
			continue
		}
		job = append(job, fmt.Sprintf("%s %v→%v", strings.TrimPrefix(e.Type, "Microsoft.Media."), e.Data["previousState"], e.Data["state"]))
	}
	wantJob := []string{
		"JobStateChange Queued→Scheduled", "JobScheduled Queued→Scheduled",
		"JobStateChange Scheduled→Processing", "JobProcessing Scheduled→Processing",
		"JobStateChange Processing→Finished", "JobFinished Processing→Finished",
	}
	if !slices.Equal(job, wantJob) {
		t.Errorf("job events in time order:\n  %s\nwant\n  %s", strings.Join(job, "\n  "), strings.Join(wantJob, "\n  "))
	}
	if fin := ofType(evs, "Microsoft.Media.JobFinished"); len(fin) == 1 {
		outs, _ := fin[0].Data["outputs"].([]any)
		if len(outs) != 1 {
			t.Errorf("JobFinished outputs %v; want one", fin[0].Data["outputs"])
		} else {
			x.checkOutput(t, "JobFinished outputs[0]", outs[0], "Finished")
		}
	}

	// The output: state changes ending Processing→Finished, progress
	// between them that never goes down, the final event last.
	var out []string
	last := int64(-1)
	for i, e := range evs {
		switch {
		case e.Type == "Microsoft.Media.JobOutputProgress":
			p, ok := e.Data["progress"].(float64)
			if !ok || int64(p) < last || p > 100 || e.Data["label"] != x.label {
				t.Errorf("JobOutputProgress %d: %s (previous progress %d)", i, compact(e.Data), last)
			}
			last = int64(p)
			out = append(out, "JobOutputProgress")
		case strings.HasPrefix(e.Type, "Microsoft.Media.JobOutput"):
			o, _ := e.Data["output"].(map[string]any)
			state, _ := o["state"].(string)
			x.checkOutput(t, e.Type, e.Data["output"], state)
			out = append(out, fmt.Sprintf("%s %v→%v", strings.TrimPrefix(e.Type, "Microsoft.Media."), e.Data["previousState"], state))
		}
	}
	var states []string
	for _, s := range out {
		if s != "JobOutputProgress" {
			states = append(states, s)
		}
	}
	wantOut := []string{
		"JobOutputStateChange Queued→Scheduled", "JobOutputScheduled Queued→Scheduled",
		"JobOutputStateChange Scheduled→Processing", "JobOutputProcessing Scheduled→Processing",
		"JobOutputStateChange Processing→Finished", "JobOutputFinished Processing→Finished",
	}
	if !slices.Equal(states, wantOut) {
		t.Errorf("output state events in time order:\n  %s\nwant\n  %s", strings.Join(states, "\n  "), strings.Join(wantOut, "\n  "))
	}
	// Progress is reported while processing: after JobOutputProcessing
	// and before JobOutputStateChange to Finished.
	proc, fin := slices.Index(out, "JobOutputProcessing Scheduled→Processing"), slices.Index(out, "JobOutputStateChange Processing→Finished")
	nprog := 0
	for i, s := range out {
		if s == "JobOutputProgress" {
			nprog++
			if i < proc || i > fin {
				t.Errorf("JobOutputProgress outside Processing: %v", out)
			}
		}
	}
	if nprog == 0 {
		t.Errorf("no JobOutputProgress event")
	}
	// The final job event comes last.
	if n := len(evs); n == 0 || evs[n-1].Type != "Microsoft.Media.JobFinished" {
		t.Errorf("the last event is not JobFinished")
	}
}

// checkOutput checks one output object of output or job-final data.
func (x jobEventExpectation) checkOutput(t *testing.T, what string, v any, state string) {
	t.Helper()
	o, _ := v.(map[string]any)
	if o["@odata.type"] != "#Microsoft.Media.JobOutputAsset" || o["assetName"] != x.asset || o["label"] != x.label || o["state"] != state {
		t.Errorf("%s: %s; want a #Microsoft.Media.JobOutputAsset %s labelled %s in %s", what, compact(v), x.asset, x.label, state)
	}
	if e, ok := o["error"]; !ok || e != nil {
		t.Errorf("%s: error %v; want null", what, e)
	}
	if state == "Finished" && o["progress"] != float64(100) {
		t.Errorf("%s: progress %v; want 100", what, o["progress"])
	}
}
