package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

// EventGridAPIVersions are the api-version values accepted on the
// Microsoft.EventGrid routes (the Event Grid resource provider versions
// around 2022-06-15, not the Media ones).
var EventGridAPIVersions = []string{"2021-12-01", "2022-06-15", "2023-12-15-preview", "2025-02-15"}

// eventsEngine is what the API needs from the events engine (optional).
type eventsEngine interface {
	// Validate starts the handshake of a new or re-pointed subscription.
	Validate(scope, name string)
	// Kick wakes delivery after a commit that published events.
	Kick()
}

// validationWindow is how long a subscription may await validation (Event
// Grid: 5 minutes); Server.EventValidationWindow overrides it.
const validationWindow = 5 * time.Minute

var eventSubscriptionSpec = &kindSpec{
	kind:    store.KindEventSubscription,
	segment: "providers/Microsoft.EventGrid/eventSubscriptions",
	armType: "Microsoft.EventGrid/eventSubscriptions",
	schema:  odata.Schema{},
	top:     true,
	build:   buildEventSubscription,
	render:  renderEventSubscription,
	// PATCH merges into the stored properties (no status, no secrets).
	patchBase: func(c *call, r *store.Resource) (json.RawMessage, error) { return r.Doc, nil },
	beforeDelete: func(c *call, tx store.Tx, r *store.Resource) error {
		return tx.DeleteDeliveries(c.ctx, r.Scope, r.Name)
	},
	actions: map[string]actionFunc{
		"getDeliveryAttributes": getDeliveryAttributes,
		"getFullUrl":            getFullURL,
	},
}

// isEventGridPath reports whether an escaped request path addresses the
// Microsoft.EventGrid provider, whose api-versions differ.
func isEventGridPath(p string) bool {
	return strings.Contains(strings.ToLower(p), "/providers/microsoft.eventgrid/")
}

// routeEventSubscriptions serves …/providers/Microsoft.EventGrid/
// eventSubscriptions[/{name}[/{action}]] under an account; rest starts
// after "eventSubscriptions".
func (s *Server) routeEventSubscriptions(c *call, rest []string) error {
	spec := eventSubscriptionSpec
	switch len(rest) {
	case 0:
		return s.collection(c, spec, nil)
	case 1:
		return s.item(c, spec, nil, rest[0])
	case 2:
		p := &resourcePath{spec: spec, name: rest[0]}
		if name, act := spec.action(rest[1]); act != nil {
			return only(c, http.MethodPost, func(c *call) error { return s.action(c, p, name, act) })
		}
		return newError(http.StatusNotFound, "NotFound", "Unknown action '"+rest[1]+"'.")
	}
	return newError(http.StatusNotFound, "NotFound", "No route matches "+c.r.Method+" "+c.r.URL.Path+".")
}

func (s *Server) eventValidationWindow() time.Duration {
	if s.EventValidationWindow > 0 {
		return s.EventValidationWindow
	}
	return validationWindow
}

func buildEventSubscription(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	var in defs.EventSubscription
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	props := *in.Properties
	w := *props.Destination.Properties
	props.Destination = &defs.EventSubscriptionDestination{EndpointType: "WebHook", Properties: &w}
	var sec defs.EventSubscriptionSecret
	var old defs.EventSubscriptionProperties
	if prev != nil {
		b, err := c.openSecret(prev)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &sec); err != nil {
			return nil, fmt.Errorf("decode event subscription secret: %w", err)
		}
		if err := json.Unmarshal(prev.Doc, &old); err != nil {
			return nil, fmt.Errorf("decode event subscription: %w", err)
		}
	}
	revalidate := prev == nil
	switch {
	case w.EndpointURL != "":
		if w.EndpointURL != sec.EndpointURL && c.s.EventURLs != nil {
			if err := c.s.EventURLs.CheckURL(c.ctx, w.EndpointURL); err != nil {
				// The guard's message names the host, never the query.
				return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Target: "properties.destination.properties.endpointUrl",
					Message: "properties.destination.properties.endpointUrl: the destination is not allowed: " + redactURLError(err, w.EndpointURL), Err: err}
			}
		}
		revalidate = revalidate || w.EndpointURL != sec.EndpointURL
		sec.EndpointURL = w.EndpointURL
	case prev == nil:
		return nil, paramError("properties.destination.properties.endpointUrl", "is required.")
	}
	// Read-only and write-only members are never taken from the request.
	w.EndpointURL, w.EndpointBaseURL = "", defs.WebhookBaseURL(sec.EndpointURL)
	props.Topic = c.acct.id()
	props.LockstreamStatus = nil
	if props.EventDeliverySchema == "" {
		props.EventDeliverySchema = defs.SchemaEventGrid
	}
	if prev != nil && old.EventDeliverySchema != props.EventDeliverySchema {
		revalidate = true // the handshake differs per schema
	}
	if prev != nil && old.Destination != nil && old.Destination.Properties != nil &&
		old.Destination.Properties.AzureActiveDirectoryApplicationIDOrURI != w.AzureActiveDirectoryApplicationIDOrURI {
		revalidate = true
	}
	def32 := func(v **int32, d int32) {
		if *v == nil {
			*v = &d
		}
	}
	def32(&w.MaxEventsPerBatch, defs.DefaultMaxEventsPerBatch)
	def32(&w.PreferredBatchSizeInKilobytes, defs.DefaultPreferredBatchSizeKiB)
	rp := defs.RetryPolicy{}
	if props.RetryPolicy != nil {
		rp = *props.RetryPolicy
	}
	def32(&rp.MaxDeliveryAttempts, defs.DefaultMaxDeliveryAttempts)
	def32(&rp.EventTimeToLiveInMinutes, defs.DefaultEventTTLMinutes)
	props.RetryPolicy = &rp
	if props.Filter == nil {
		props.Filter = &defs.EventSubscriptionFilter{}
	}
	if props.Filter.IsSubjectCaseSensitive == nil {
		f := false
		props.Filter.IsSubjectCaseSensitive = &f
	}
	// Secret static header values move to the sealed part; an update
	// that leaves one empty keeps the stored value.
	oldHeaders := sec.Headers
	sec.Headers = nil
	maps := make([]defs.DeliveryAttributeMapping, len(w.DeliveryAttributeMappings))
	for i, m := range w.DeliveryAttributeMappings {
		mp := *m.Properties
		if m.Type == "Static" && mp.IsSecret {
			v := mp.Value
			if v == "" {
				v = oldHeaders[m.Name]
			}
			if sec.Headers == nil {
				sec.Headers = map[string]string{}
			}
			sec.Headers[m.Name] = v
			mp.Value = ""
		}
		m.Properties = &mp
		maps[i] = m
	}
	w.DeliveryAttributeMappings = maps

	var expires *defs.Time
	if revalidate {
		props.ProvisioningState = defs.SubscriptionCreating
		if prev != nil {
			props.ProvisioningState = defs.SubscriptionUpdating
		}
		code, err := uuid.NewRandomFromReader(c.s.rand())
		if err != nil {
			return nil, fmt.Errorf("validation code: %w", err)
		}
		sec.ValidationCode = strings.ToUpper(code.String())
		expires = defs.NewTime(c.now.Add(c.s.eventValidationWindow()))
		scope, name := c.key(p).Scope, p.name
		if prev != nil {
			name = prev.Name
		}
		c.after = func() {
			if c.s.Events != nil {
				c.s.Events.Validate(scope, name)
			}
		}
	} else {
		props.ProvisioningState = old.ProvisioningState
		if old.LockstreamStatus != nil {
			expires = old.LockstreamStatus.ValidationExpiresAt
		}
	}
	if expires != nil {
		props.LockstreamStatus = &defs.EventSubscriptionStatus{ValidationExpiresAt: expires}
	}
	return &record{props: props, secret: sec}, nil
}

// redactURLError drops the URL's query from a checker's message.
func redactURLError(err error, raw string) string {
	msg := err.Error()
	if base := defs.WebhookBaseURL(raw); base != raw {
		msg = strings.ReplaceAll(msg, raw, base)
	}
	if i := strings.Index(raw, "?"); i >= 0 && len(raw) > i+1 {
		msg = strings.ReplaceAll(msg, raw[i+1:], "…")
	}
	return msg
}

// renderEventSubscription adds the delivery status to the stored
// properties.
func renderEventSubscription(c *call, p *resourcePath, r *store.Resource) (json.RawMessage, error) {
	var props defs.EventSubscriptionProperties
	if err := json.Unmarshal(r.Doc, &props); err != nil {
		return nil, fmt.Errorf("decode event subscription %q: %w", r.Name, err)
	}
	st, err := c.s.Store.DeliveryStats(c.ctx, r.Scope, r.Name)
	if err != nil {
		return nil, err
	}
	status := &defs.EventSubscriptionStatus{
		PendingEvents: st.Pending, DeadLetteredEvents: st.DeadLettered, DeliveredEvents: st.Delivered,
		FailedAttempts: st.FailedAttempts, DeadLetteredTotal: st.DeadLetteredTotal, LastFailureReason: st.LastFailureReason,
	}
	if !st.OldestPending.IsZero() {
		status.LagSeconds = int64(max(c.now.Sub(st.OldestPending), 0) / time.Second)
	}
	if !st.LastDelivered.IsZero() {
		status.LastDeliveryTime = defs.NewTime(st.LastDelivered)
	}
	if !st.LastFailure.IsZero() {
		status.LastFailureTime = defs.NewTime(st.LastFailure)
	}
	if props.LockstreamStatus != nil {
		status.ValidationExpiresAt = props.LockstreamStatus.ValidationExpiresAt
	}
	props.LockstreamStatus = status
	return json.Marshal(props)
}

// getDeliveryAttributes serves POST …/getDeliveryAttributes: the header
// mappings, secret values left out (as Event Grid does).
func getDeliveryAttributes(c *call, p *resourcePath, r *store.Resource) error {
	var props defs.EventSubscriptionProperties
	if err := json.Unmarshal(r.Doc, &props); err != nil {
		return fmt.Errorf("decode event subscription %q: %w", r.Name, err)
	}
	out := []defs.DeliveryAttributeMapping{}
	if d := props.Destination; d != nil && d.Properties != nil {
		out = append(out, d.Properties.DeliveryAttributeMappings...)
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"value": out})
	return nil
}

// getFullURL serves POST …/getFullUrl: the endpoint URL with its query
// (a secret-revealing action: write on the subscription).
func getFullURL(c *call, p *resourcePath, r *store.Resource) error {
	b, err := c.openSecret(r)
	if err != nil {
		return err
	}
	var sec defs.EventSubscriptionSecret
	if err := json.Unmarshal(b, &sec); err != nil {
		return fmt.Errorf("decode event subscription secret: %w", err)
	}
	writeJSON(c.w, http.StatusOK, map[string]string{"endpointUrl": sec.EndpointURL})
	return nil
}

// eventAccount is the current account as events name it.
func (c *call) eventAccount() events.Account {
	return events.Account{Subscription: c.acct.sub, ResourceGroup: c.acct.rg, Name: c.acct.name}
}

// publish appends events to the outbox in tx and wakes delivery once the
// request's transaction has committed.
func (c *call) publish(tx store.Tx, evs ...events.Event) error {
	if err := events.Publish(c.ctx, tx, evs...); err != nil {
		return err
	}
	c.published = true
	return nil
}
