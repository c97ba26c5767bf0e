package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

// maxTransforms is AMS's limit of transforms per account.
const maxTransforms = 100

var transformSpec = &kindSpec{
	kind:    store.KindTransform,
	segment: "transforms",
	armType: "Microsoft.Media/mediaservices/transforms",
	schema:  odata.SchemaFor(store.KindTransform),
	build:   buildTransform,
}

func buildTransform(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	var in defs.Transform
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	props := in.Properties
	for i := range props.Outputs {
		o := &props.Outputs[i]
		if _, err := parsePreset(fmt.Sprintf("properties.outputs[%d].preset", i), o.Preset); err != nil {
			return nil, err
		}
		// AMS reports the defaults.
		if o.OnError == "" {
			o.OnError = defs.OnErrorStopProcessingJob
		}
		if o.RelativePriority == "" {
			o.RelativePriority = defs.PriorityNormal
		}
	}
	props.Created, props.LastModified = defsTime(c.now), defsTime(c.now)
	if prev != nil {
		var old defs.TransformProperties
		if err := json.Unmarshal(prev.Doc, &old); err != nil {
			return nil, fmt.Errorf("decode stored transform: %w", err)
		}
		props.Created = old.Created
		// Queued jobs were checked against the outputs they were
		// submitted with; a different recipe means a new transform.
		if !sameOutputs(old.Outputs, props.Outputs) {
			active, err := activeJobs(c, tx, c.key(p).Path())
			if err != nil {
				return nil, err
			}
			if len(active) > 0 {
				return nil, &Error{Status: http.StatusConflict, Code: "Conflict", Target: "properties.outputs",
					Message: fmt.Sprintf("properties.outputs: the transform '%s' has unfinished jobs (e.g. '%s'); its outputs can change once they end or are canceled.", prev.Name, active[0].Name)}
			}
		}
	} else {
		n, err := tx.List(c.ctx, store.ListQuery{Kind: store.KindTransform, Scope: c.key(p).Scope, Limit: maxTransforms})
		if err != nil {
			return nil, err
		}
		if len(n) >= maxTransforms {
			return nil, badRequest("QuotaExceeded", "An account holds at most "+strconv.Itoa(maxTransforms)+" transforms; delete one first.")
		}
	}
	return &record{props: props}, nil
}

// parsePreset validates one preset with the encoder's rules: invalid fields
// are 400s naming them, presets the encoder cannot run are 400
// ConfigurationUnsupported.
func parsePreset(path string, raw json.RawMessage) (*encode.Preset, error) {
	pr, err := encode.ParsePreset(path, raw)
	if err == nil {
		return pr, nil
	}
	var fe fieldError
	switch {
	case errors.Is(err, encode.ErrUnsupported):
		return nil, &Error{Status: http.StatusBadRequest, Code: "ConfigurationUnsupported", Target: path,
			Message: path + ": this preset cannot run on Lockstream's encoder: " + err.Error(), Err: err}
	case errors.As(err, &fe):
		return nil, err
	}
	return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Target: path, Message: path + ": " + err.Error(), Err: err}
}

func sameOutputs(a, b []defs.TransformOutput) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// activeJobs lists jobs not in a final state under scope (one transform's
// path), or under every transform of the account when scope is the
// account's scope and prefix is used by the caller.
func activeJobs(c *call, tx store.Reader, scope string) ([]*store.Resource, error) {
	return tx.List(c.ctx, store.ListQuery{Kind: store.KindJob, Scope: scope, Limit: 1, Filter: activeFilter()})
}

// activeFilter matches jobs whose state is not final.
func activeFilter() *store.Cond {
	state := store.Field{Col: store.ColDoc, Path: "state", Type: store.TypeString}
	var or []*store.Cond
	for _, s := range []defs.JobState{defs.JobStateQueued, defs.JobStateScheduled, defs.JobStateProcessing, defs.JobStateCanceling} {
		or = append(or, &store.Cond{Field: state, Op: store.OpEq, Value: string(s)})
	}
	return &store.Cond{Or: or}
}
