package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

// predefinedPolicies are the built-in streaming policies every account has.
// AMS did not publish their exact protocol sets; these follow its docs:
// CENC for DASH and Smooth, CBCS (FairPlay) for HLS, envelope everywhere.
var predefinedPolicies = []struct {
	name  string
	props string
}{
	{"Predefined_DownloadOnly", `{"noEncryption":{"enabledProtocols":{"download":true,"dash":false,"hls":false,"smoothStreaming":false}}}`},
	{"Predefined_ClearStreamingOnly", `{"noEncryption":{"enabledProtocols":{"download":false,"dash":true,"hls":true,"smoothStreaming":true}}}`},
	{"Predefined_DownloadAndClearStreaming", `{"noEncryption":{"enabledProtocols":{"download":true,"dash":true,"hls":true,"smoothStreaming":true}}}`},
	{"Predefined_ClearKey", `{"envelopeEncryption":{"enabledProtocols":{"download":false,"dash":true,"hls":true,"smoothStreaming":true},"clearTracks":[],"contentKeys":{"defaultKey":{},"keyToTrackMappings":[]}}}`},
	{"Predefined_MultiDrmCencStreaming", `{"commonEncryptionCenc":{"enabledProtocols":{"download":false,"dash":true,"hls":false,"smoothStreaming":true},"clearTracks":[],"contentKeys":{"defaultKey":{},"keyToTrackMappings":[]},"drm":{"playReady":{},"widevine":{}}}}`},
	{"Predefined_MultiDrmStreaming", `{"commonEncryptionCenc":{"enabledProtocols":{"download":false,"dash":true,"hls":false,"smoothStreaming":true},"clearTracks":[],"contentKeys":{"defaultKey":{},"keyToTrackMappings":[]},"drm":{"playReady":{},"widevine":{}}},"commonEncryptionCbcs":{"enabledProtocols":{"download":false,"dash":false,"hls":true,"smoothStreaming":false},"clearTracks":[],"contentKeys":{"defaultKey":{},"keyToTrackMappings":[]},"drm":{"fairPlay":{"allowPersistentLicense":false}}}}`},
}

// isPredefinedPolicy reports whether name uses the reserved prefix.
func isPredefinedPolicy(name string) bool {
	return strings.HasPrefix(strings.ToLower(name), "predefined_")
}

// isBuiltInPolicy reports whether name is one of the built-in policies.
func isBuiltInPolicy(name string) bool {
	for _, p := range predefinedPolicies {
		if strings.EqualFold(p.name, name) {
			return true
		}
	}
	return false
}

var streamingPolicySpec = &kindSpec{
	kind:       store.KindStreamingPolicy,
	segment:    "streamingPolicies",
	armType:    "Microsoft.Media/mediaservices/streamingPolicies",
	createOnly: true,
	top:        true,
	schema:     odata.SchemaFor(store.KindStreamingPolicy),

	build: buildStreamingPolicy,
	guard: func(c *call, name, method string) error {
		if !isPredefinedPolicy(name) {
			return nil
		}
		if method == http.MethodDelete {
			if !isBuiltInPolicy(name) {
				return nil // no such policy: the delete answers 204
			}
			return newError(http.StatusConflict, "Conflict", fmt.Sprintf("The streaming policy '%s' is built in and cannot be deleted.", name))
		}
		return badRequest("ReservedResourceName", fmt.Sprintf("The name '%s' is reserved for a built-in streaming policy; the 'Predefined_' prefix cannot be used.", name))
	},
}

// allOps is every comparison operator.
var allOps = []store.Op{store.OpEq, store.OpNe, store.OpGt, store.OpGe, store.OpLt, store.OpLe}

func buildStreamingPolicy(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	var in defs.StreamingPolicy
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	props := in.Properties
	if props == nil {
		return nil, paramError("properties", "is required.")
	}
	props.Created = defsTime(c.now)
	rec := &record{props: props}
	// A policy naming a default content key policy depends on it.
	if name := props.DefaultContentKeyPolicyName; name != "" {
		ref := store.Ref{Kind: store.KindContentKeyPolicy, Scope: c.acct.scope(), Name: name}
		if _, err := tx.Get(c.ctx, ref); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Target: "properties.defaultContentKeyPolicyName",
					Message: fmt.Sprintf("properties.defaultContentKeyPolicyName: content key policy '%s' does not exist.", name)}
			}
			return nil, err
		}
		rec.refs = append(rec.refs, ref)
	}
	return rec, nil
}

// predefinedResources returns the built-in policies as store resources of
// a new account.
func predefinedResources(c *call, scope string) ([]*store.Resource, error) {
	out := make([]*store.Resource, 0, len(predefinedPolicies))
	for _, pp := range predefinedPolicies {
		var props map[string]any
		if err := json.Unmarshal([]byte(pp.props), &props); err != nil {
			return nil, fmt.Errorf("predefined policy %s: %w", pp.name, err)
		}
		props["created"] = store.FormatTime(c.now)
		doc, err := json.Marshal(props)
		if err != nil {
			return nil, err
		}
		out = append(out, &store.Resource{Kind: store.KindStreamingPolicy, Scope: scope, Name: pp.name, Created: c.now, Modified: c.now, Doc: doc, Meta: []byte(`{"createdByType":"Application","createdBy":"lockstream"}`)})
	}
	return out, nil
}
