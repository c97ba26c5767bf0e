package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/store"
)

var streamingEndpointSpec = &kindSpec{
	kind:    store.KindStreamingEndpoint,
	segment: "streamingEndpoints",
	armType: "Microsoft.Media/mediaservices/streamingEndpoints",
	build:   buildStreamingEndpoint,
	actions: map[string]actionFunc{
		"start": func(c *call, p *resourcePath, r *store.Resource) error { return setEndpointState(c, p, "Running", nil) },
		"stop":  func(c *call, p *resourcePath, r *store.Resource) error { return setEndpointState(c, p, "Stopped", nil) },
		"scale": scaleEndpoint,
	},
}

var endpointName = regexp.MustCompile(`^[a-zA-Z0-9]+(-*[a-zA-Z0-9])*$`)

func endpointSku(units int64) json.RawMessage {
	name := "Standard"
	if units > 0 {
		name = "Premium"
	}
	return mustJSON(map[string]any{"name": name, "capacity": units})
}

func buildStreamingEndpoint(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	if len(p.name) > 24 || !endpointName.MatchString(p.name) {
		return nil, badRequest("InvalidResourceName", fmt.Sprintf("The streaming endpoint name '%s' is invalid: at most 24 letters, digits and inner hyphens.", p.name))
	}
	var in defs.StreamingEndpoint
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var raw struct {
		Location   string            `json:"location"`
		Tags       map[string]string `json:"tags"`
		Properties map[string]any    `json:"properties"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, badRequest("InvalidRequestContent", err.Error())
	}
	props := raw.Properties
	if props == nil {
		props = map[string]any{}
	}
	state, created := "Stopped", store.FormatTime(c.now)
	if strings.EqualFold(c.r.URL.Query().Get("autoStart"), "true") {
		state = "Running"
	}
	if prev != nil {
		var old map[string]any
		_ = json.Unmarshal(prev.Doc, &old)
		state, _ = old["resourceState"].(string)
		created, _ = old["created"].(string)
	}
	units := int64(0)
	if f, ok := props["scaleUnits"].(float64); ok {
		units = int64(f)
	}
	fillEndpoint(c, props, state, created)
	return &record{props: props, meta: meta{Location: raw.Location, Tags: raw.Tags, Sku: endpointSku(units)}}, nil
}

// fillEndpoint sets the read-only fields of a streaming endpoint.
func fillEndpoint(c *call, props map[string]any, state, created string) {
	props["hostName"] = c.s.OriginHost
	props["resourceState"] = state
	props["provisioningState"] = "Succeeded"
	props["created"] = created
	props["lastModified"] = store.FormatTime(c.now)
	props["freeTrialEndTime"] = "0001-01-01T00:00:00Z"
	setDefault(props, "scaleUnits", 0)
	setDefault(props, "customHostNames", []any{})
	setDefault(props, "cdnEnabled", false)
}

// defaultEndpoint is the Stopped "default" endpoint every account starts
// with.
func defaultEndpoint(c *call, scope, location string) (*store.Resource, error) {
	props := map[string]any{"description": "Default streaming endpoint"}
	fillEndpoint(c, props, "Stopped", store.FormatTime(c.now))
	m := meta{Location: location, Sku: endpointSku(0), CreatedBy: "lockstream", CreatedByType: "Application"}
	return &store.Resource{Kind: store.KindStreamingEndpoint, Scope: scope, Name: "default", ID: uuid.Must(uuid.NewRandomFromReader(c.s.rand())).String(),
		Created: c.now, Modified: c.now, Doc: mustJSON(props), Meta: mustJSON(m)}, nil
}

// setEndpointState updates resourceState (and scaleUnits when units is set)
// and answers with the endpoint; the operation completes synchronously.
func setEndpointState(c *call, p *resourcePath, state string, units *int64) error {
	var out *store.Resource
	err := c.s.Store.WithTx(c.ctx, func(tx store.Tx) error {
		r, err := tx.Get(c.ctx, c.key(p))
		if err != nil {
			return err
		}
		var props map[string]any
		if err := json.Unmarshal(r.Doc, &props); err != nil {
			return fmt.Errorf("decode endpoint: %w", err)
		}
		if state != "" {
			prevState, _ := props["resourceState"].(string)
			props["resourceState"] = state
			// Started/stopped events only for a real change, in this
			// transaction.
			if prevState != state && (state == "Running" || state == "Stopped") {
				host, _ := props["hostName"].(string)
				d := events.EndpointData{StreamingEndpointName: r.Name, HostName: host, PreviousState: prevState, State: state}
				ev := events.StreamingEndpointStarted(c.eventAccount(), d)
				if state == "Stopped" {
					ev = events.StreamingEndpointStopped(c.eventAccount(), d)
				}
				if err := c.publish(tx, ev); err != nil {
					return err
				}
			}
		}
		if units != nil {
			props["scaleUnits"] = *units
			var m meta
			_ = json.Unmarshal(r.Meta, &m)
			m.Sku = endpointSku(*units)
			r.Meta = mustJSON(m)
		}
		props["lastModified"] = store.FormatTime(c.now)
		r.Doc, r.Modified = mustJSON(props), c.now
		if err := tx.Replace(c.ctx, r, nil); err != nil {
			return err
		}
		out = r
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return notFound("The streaming endpoint '" + p.name + "'")
	}
	if err != nil {
		return err
	}
	return c.respond(http.StatusOK, p, out)
}

func scaleEndpoint(c *call, p *resourcePath, r *store.Resource) error {
	var in struct {
		ScaleUnit *int64 `json:"scaleUnit"`
	}
	if err := c.readBody(&in, false); err != nil {
		return err
	}
	if in.ScaleUnit == nil || *in.ScaleUnit < 0 || *in.ScaleUnit > 10 {
		return paramError("scaleUnit", "is required and must be between 0 and 10.")
	}
	return setEndpointState(c, p, "", in.ScaleUnit)
}

// endpointSkus serves GET …/streamingEndpoints/{name}/skus.
func endpointSkus(c *call, p *resourcePath) error {
	if _, err := c.load(p); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"value": []any{
		map[string]any{"resourceType": "Microsoft.Media/mediaservices/streamingEndpoints", "sku": map[string]string{"name": "Standard"},
			"capacity": map[string]any{"default": 0, "minimum": 0, "maximum": 0, "scaleType": "None"}},
		map[string]any{"resourceType": "Microsoft.Media/mediaservices/streamingEndpoints", "sku": map[string]string{"name": "Premium"},
			"capacity": map[string]any{"default": 1, "minimum": 1, "maximum": 10, "scaleType": "Manual"}},
	}})
	return nil
}
