package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

var jobSpec = &kindSpec{
	kind:    store.KindJob,
	segment: "jobs",
	armType: "Microsoft.Media/mediaservices/transforms/jobs",
	schema:  odata.SchemaFor(store.KindJob),
	build:   buildJob,
	actions: map[string]actionFunc{"cancelJob": cancelJob},
}

// jobURLChecker validates a user-supplied URL before anything fetches it
// (*netguard.Guard: scheme, host, resolved addresses).
type jobURLChecker interface {
	CheckURL(ctx context.Context, raw string) error
}

// queuePriority maps an AMS priority to the queue's.
func queuePriority(p defs.Priority) int {
	switch p {
	case defs.PriorityHigh:
		return store.PriorityHigh
	case defs.PriorityLow:
		return store.PriorityLow
	}
	return store.PriorityNormal
}

func buildJob(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	if prev != nil {
		if c.r.Method != http.MethodPatch {
			return nil, newError(http.StatusConflict, "Conflict", fmt.Sprintf("The job '%s' already exists; a job cannot be replaced: PATCH its description or priority, or delete it and submit a new one.", prev.Name))
		}
		return patchJob(c, tx, prev, body)
	}
	var in defs.Job
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	props := in.Properties
	tr, err := tx.Get(c.ctx, c.key(p.parent))
	if err != nil {
		return nil, err
	}
	var tp defs.TransformProperties
	if err := json.Unmarshal(tr.Doc, &tp); err != nil {
		return nil, fmt.Errorf("decode stored transform: %w", err)
	}
	if len(props.Outputs) != len(tp.Outputs) {
		return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Target: "properties.outputs",
			Message: fmt.Sprintf("properties.outputs: the transform '%s' has %d outputs; a job needs one JobOutputAsset per transform output, in the same order (got %d).", tr.Name, len(tp.Outputs), len(props.Outputs))}
	}
	if err := checkJobInputs(c, tx, props.Input); err != nil {
		return nil, err
	}
	if err := checkJobOutputs(c, tx, props.Outputs, tp.Outputs); err != nil {
		return nil, err
	}
	if props.Priority == "" {
		props.Priority = defs.PriorityNormal
	}
	zero := int32(0)
	for i := range props.Outputs {
		o := &props.Outputs[i]
		o.State, o.Progress, o.Error, o.StartTime, o.EndTime = defs.JobStateQueued, &zero, nil, nil, nil
	}
	rec := &record{}
	if props.Input.HasSecretURLs() {
		rec.secret = defs.JobSecret{Input: props.Input}
		red := props.Input.RedactURLs()
		props.Input = &red
	}
	props.State, props.StartTime, props.EndTime = defs.JobStateQueued, nil, nil
	props.Created, props.LastModified = defsTime(c.now), defsTime(c.now)
	rec.props = props
	prio := queuePriority(props.Priority)
	rec.then = func(tx store.Tx, r *store.Resource) error {
		return tx.EnqueueJob(c.ctx, store.QueuedJob{Scope: r.Scope, Name: r.Name, Priority: prio, Created: c.now})
	}
	return rec, nil
}

// jobLeaf is one media-naming input with its JSON path.
type jobLeaf struct {
	in   *defs.JobInput
	path string
}

func jobLeaves(in *defs.JobInput, path string) []jobLeaf {
	if in.ODataType != defs.ODataTypeJobInputs && in.ODataType != defs.ODataTypeJobInputSequence {
		return []jobLeaf{{in, path}}
	}
	var out []jobLeaf
	for i := range in.Inputs {
		out = append(out, jobLeaves(&in.Inputs[i], fmt.Sprintf("%s.inputs[%d]", path, i))...)
	}
	return out
}

// checkJobInputs requires input assets to exist and HTTP inputs to name
// URLs the outbound guard would fetch.
func checkJobInputs(c *call, tx store.Reader, in *defs.JobInput) error {
	for _, l := range jobLeaves(in, "properties.input") {
		switch l.in.ODataType {
		case defs.ODataTypeJobInputAsset:
			k := store.Key{Kind: store.KindAsset, Scope: c.acct.scope(), Name: l.in.AssetName}
			if _, err := tx.Get(c.ctx, k); errors.Is(err, store.ErrNotFound) {
				return paramError(l.path+".assetName", "the input asset '%s' does not exist in this account.", l.in.AssetName)
			} else if err != nil {
				return err
			}
		case defs.ODataTypeJobInputHTTP:
			urls, err := l.in.URLs()
			if err != nil {
				return paramError(l.path+".files", "cannot form a URL from baseUri and files: %v", err)
			}
			for i, raw := range urls {
				target := l.path + ".baseUri"
				if l.in.BaseURI == "" {
					target = fmt.Sprintf("%s.files[%d]", l.path, i)
				}
				if err := c.checkInputURL(raw); err != nil {
					return paramError(target, "%v", err)
				}
			}
		}
	}
	return nil
}

// checkInputURL applies the outbound guard's creation-time check, or,
// without a guard, the default policy: HTTPS only.
func (c *call) checkInputURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL")
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String() // never echo a SAS
	if c.s.InputURLs != nil {
		if err := c.s.InputURLs.CheckURL(c.ctx, raw); err != nil {
			return fmt.Errorf("the URL %s cannot be fetched: %w", shown, err)
		}
		return nil
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return fmt.Errorf("the URL %s must use https", shown)
	}
	return nil
}

// checkJobOutputs requires output assets to exist, to be distinct and not
// to be the output of another unfinished job, and override presets to be
// runnable; it fills default labels.
func checkJobOutputs(c *call, tx store.Reader, outs []defs.JobOutput, tos []defs.TransformOutput) error {
	busy, err := busyOutputAssets(c, tx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := range outs {
		o := &outs[i]
		path := fmt.Sprintf("properties.outputs[%d]", i)
		k := store.Key{Kind: store.KindAsset, Scope: c.acct.scope(), Name: o.AssetName}
		if _, err := tx.Get(c.ctx, k); errors.Is(err, store.ErrNotFound) {
			return paramError(path+".assetName", "the output asset '%s' does not exist in this account; create it first.", o.AssetName)
		} else if err != nil {
			return err
		}
		lk := strings.ToLower(o.AssetName)
		if seen[lk] {
			return paramError(path+".assetName", "the asset '%s' is already an output of this job.", o.AssetName)
		}
		seen[lk] = true
		if job, ok := busy[lk]; ok {
			return &Error{Status: http.StatusConflict, Code: "Conflict", Target: path + ".assetName",
				Message: fmt.Sprintf("%s.assetName: the asset '%s' is the output of the unfinished job '%s'; use another asset or wait for that job to end.", path, o.AssetName, job)}
		}
		preset := tos[i].Preset
		if len(o.PresetOverride) > 0 && !bytes.Equal(bytes.TrimSpace(o.PresetOverride), []byte("null")) {
			if _, err := parsePreset(path+".presetOverride", o.PresetOverride); err != nil {
				return err
			}
			preset = o.PresetOverride
		}
		if o.Label == "" {
			o.Label = fmt.Sprintf("%s_%d", presetLabel(preset), i)
		}
	}
	return nil
}

// presetLabel is what AMS puts before "_{index}" in a default output
// label: the built-in preset's name, else the preset type.
func presetLabel(raw json.RawMessage) string {
	var p struct {
		Type string `json:"@odata.type"`
		Name string `json:"presetName"`
	}
	_ = json.Unmarshal(raw, &p)
	if p.Name != "" {
		return p.Name
	}
	return strings.TrimPrefix(p.Type, "#Microsoft.Media.")
}

// busyOutputAssets maps the lower-cased names of the output assets of
// every unfinished job in the account to that job's name.
func busyOutputAssets(c *call, tx store.Reader) (map[string]string, error) {
	jobs, err := tx.List(c.ctx, store.ListQuery{Kind: store.KindJob, Scope: c.acct.scope() + "/" + strings.ToLower(transformSpec.segment),
		ScopePrefix: true, Filter: activeFilter(), Limit: 100000})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, j := range jobs {
		var d defs.JobProperties
		if err := json.Unmarshal(j.Doc, &d); err != nil {
			return nil, fmt.Errorf("decode stored job %q: %w", j.Name, err)
		}
		for _, o := range d.Outputs {
			out[strings.ToLower(o.AssetName)] = j.Name
		}
	}
	return out, nil
}

// patchJob applies a merged PATCH: only description and priority may
// change; the other members must equal the stored ones (a client may
// send back what it read).
func patchJob(c *call, tx store.Reader, prev *store.Resource, merged []byte) (*record, error) {
	var env struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := decodeJSON(merged, &env); err != nil {
		return nil, err
	}
	var old map[string]json.RawMessage
	if err := json.Unmarshal(prev.Doc, &old); err != nil {
		return nil, fmt.Errorf("decode stored job: %w", err)
	}
	for k := range union(env.Properties, old) {
		if k == "description" || k == "priority" {
			continue
		}
		if !jsonEqual(env.Properties[k], old[k]) {
			return nil, paramError("properties."+k, "only description and priority of a job can be updated.")
		}
	}
	var d defs.JobProperties
	if err := json.Unmarshal(prev.Doc, &d); err != nil {
		return nil, fmt.Errorf("decode stored job: %w", err)
	}
	var upd struct {
		Description *string        `json:"description"`
		Priority    *defs.Priority `json:"priority"`
	}
	b, _ := json.Marshal(env.Properties)
	if err := decodeJSON(b, &upd); err != nil {
		return nil, err
	}
	d.Description = ""
	if upd.Description != nil {
		d.Description = *upd.Description
	}
	if upd.Priority != nil {
		switch *upd.Priority {
		case defs.PriorityHigh, defs.PriorityNormal, defs.PriorityLow:
		default:
			return nil, paramError("properties.priority", "%q is not one of High, Normal, Low.", string(*upd.Priority))
		}
		d.Priority = *upd.Priority
	}
	d.LastModified = defsTime(c.now)
	rec := &record{props: &d}
	if prev.Secret != nil {
		sec, err := c.openSecret(prev)
		if err != nil {
			return nil, err
		}
		rec.secret = json.RawMessage(sec)
	}
	prio := queuePriority(d.Priority)
	rec.then = func(tx store.Tx, r *store.Resource) error {
		// Priority matters only while the job waits; a job no longer
		// queued keeps its state.
		if err := tx.SetJobPriority(c.ctx, r.Scope, r.Name, prio); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	}
	return rec, nil
}

func union(a, b map[string]json.RawMessage) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// jsonEqual compares two JSON values semantically (absent equals null).
func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if len(a) > 0 {
		if err := decodeNumbers(a, &x); err != nil {
			return false
		}
	}
	if len(b) > 0 {
		if err := decodeNumbers(b, &y); err != nil {
			return false
		}
	}
	return reflect.DeepEqual(x, y)
}

// cancelJob serves POST …/jobs/{j}/cancelJob (package jobs holds the
// rules, shared with the CLI). Canceling a job in a final state changes
// nothing.
func cancelJob(c *call, p *resourcePath, _ *store.Resource) error {
	k := c.key(p)
	err := c.s.Store.WithTx(c.ctx, func(tx store.Tx) error {
		_, err := jobs.CancelTx(c.ctx, tx, k, c.now, c.s.JobChanged)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return notFound(fmt.Sprintf("The job '%s'", p.name))
	}
	if err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}
