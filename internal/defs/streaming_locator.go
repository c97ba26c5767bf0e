package defs

import (
	"encoding/json"
	"strings"
)

// MaxStreamingLocatorContentKeys bounds contentKeys on a locator. AMS
// publishes no number; a locator needs one key per scheme or per track
// mapping, so this only stops absurd bodies.
const MaxStreamingLocatorContentKeys = 100

// StreamingLocator is a streaming locator resource (create-only).
type StreamingLocator struct {
	ID         string                      `json:"id,omitempty"`
	Name       string                      `json:"name,omitempty"`
	Type       string                      `json:"type,omitempty"`
	SystemData *SystemData                 `json:"systemData,omitempty"`
	Properties *StreamingLocatorProperties `json:"properties,omitempty"`
}

// StreamingLocatorProperties publishes an asset under a streaming policy.
type StreamingLocatorProperties struct {
	AssetName           string `json:"assetName"`
	StreamingPolicyName string `json:"streamingPolicyName"`
	Created             *Time  `json:"created,omitempty"` // read-only
	StartTime           *Time  `json:"startTime,omitempty"`
	// EndTime is 9999-12-31T23:59:59.9999999Z in AMS responses when unset.
	EndTime *Time `json:"endTime,omitempty"`
	// StreamingLocatorID is generated when absent; it is the first path
	// segment of streaming URLs.
	StreamingLocatorID          string                       `json:"streamingLocatorId,omitempty"`
	AlternativeMediaID          string                       `json:"alternativeMediaId,omitempty"`
	DefaultContentKeyPolicyName string                       `json:"defaultContentKeyPolicyName,omitempty"`
	ContentKeys                 []StreamingLocatorContentKey `json:"contentKeys,omitempty"`
	Filters                     []string                     `json:"filters,omitempty"`
}

// StreamingLocatorContentKey is a key of a locator. Value is write-only:
// responses omit it except listContentKeys (see Redact).
type StreamingLocatorContentKey struct {
	ID                              string `json:"id"`
	LabelReferenceInStreamingPolicy string `json:"labelReferenceInStreamingPolicy,omitempty"`
	// Value is the base64 16-byte key (a string in the specification).
	Value      string                         `json:"value,omitempty"`
	Type       StreamingLocatorContentKeyType `json:"type,omitempty"`       // read-only
	PolicyName string                         `json:"policyName,omitempty"` // read-only
	Tracks     []TrackSelection               `json:"tracks,omitempty"`     // read-only
}

// ListContentKeysResponse is the body of POST listContentKeys, the only
// response that carries key values.
type ListContentKeysResponse struct {
	ContentKeys []StreamingLocatorContentKey `json:"contentKeys"`
}

// ListPathsResponse is the body of POST listPaths. Paths are host-less.
type ListPathsResponse struct {
	StreamingPaths []StreamingPath `json:"streamingPaths"`
	DownloadPaths  []string        `json:"downloadPaths"`
}

// StreamingPath lists the manifest paths of one protocol and scheme.
type StreamingPath struct {
	StreamingProtocol StreamingPolicyStreamingProtocol `json:"streamingProtocol"`
	EncryptionScheme  EncryptionScheme                 `json:"encryptionScheme"`
	Paths             []string                         `json:"paths"`
}

// MarshalJSON always emits the array.
func (r ListContentKeysResponse) MarshalJSON() ([]byte, error) {
	type alias ListContentKeysResponse
	r.ContentKeys = nonNil(r.ContentKeys)
	return json.Marshal(alias(r))
}

// MarshalJSON always emits both arrays, as AMS does.
func (r ListPathsResponse) MarshalJSON() ([]byte, error) {
	type alias ListPathsResponse
	r.StreamingPaths, r.DownloadPaths = nonNil(r.StreamingPaths), nonNil(r.DownloadPaths)
	return json.Marshal(alias(r))
}

// MarshalJSON always emits the array.
func (p StreamingPath) MarshalJSON() ([]byte, error) {
	type alias StreamingPath
	p.Paths = nonNil(p.Paths)
	return json.Marshal(alias(p))
}

// Validate checks a create body.
func (l *StreamingLocator) Validate() error {
	if l.Properties == nil {
		return required("properties")
	}
	return l.Properties.validate("properties")
}

func (p *StreamingLocatorProperties) validate(path string) error {
	if err := checkRefName(join(path, "assetName"), KindAsset, p.AssetName); err != nil {
		return err
	}
	if err := checkRefName(join(path, "streamingPolicyName"), KindStreamingPolicy, p.StreamingPolicyName); err != nil {
		return err
	}
	if p.StartTime != nil && p.EndTime != nil && !p.StartTime.Before(p.EndTime.Time) {
		return errorf(join(path, "endTime"), "must be after startTime")
	}
	if id := p.StreamingLocatorID; id != "" {
		if err := checkGUID(join(path, "streamingLocatorId"), id); err != nil {
			return err
		}
	}
	if n := p.DefaultContentKeyPolicyName; n != "" {
		if err := checkRefName(join(path, "defaultContentKeyPolicyName"), KindContentKeyPolicy, n); err != nil {
			return err
		}
	}
	kp := join(path, "contentKeys")
	if n := len(p.ContentKeys); n > MaxStreamingLocatorContentKeys {
		return errorf(kp, "at most %d content keys are allowed (got %d)", MaxStreamingLocatorContentKeys, n)
	}
	ids, labels := map[string]bool{}, map[string]bool{}
	for i, k := range p.ContentKeys {
		ip := index(kp, i)
		if err := checkGUID(join(ip, "id"), k.ID); err != nil {
			return err
		}
		id := strings.ToLower(k.ID)
		if ids[id] {
			return errorf(join(ip, "id"), "key id %s is used more than once", k.ID)
		}
		ids[id] = true
		if l := strings.ToLower(k.LabelReferenceInStreamingPolicy); l != "" {
			if labels[l] {
				return errorf(join(ip, "labelReferenceInStreamingPolicy"), "label %q is used more than once", k.LabelReferenceInStreamingPolicy)
			}
			labels[l] = true
		}
		if k.Value != "" {
			b, err := checkBase64String(join(ip, "value"), k.Value)
			if err != nil {
				return err
			}
			if len(b) != 16 {
				return errorf(join(ip, "value"), "must be a base64 16-byte key (got %d bytes)", len(b))
			}
		}
	}
	fp := join(path, "filters")
	seen := map[string]bool{}
	for i, f := range p.Filters {
		if err := checkRefName(index(fp, i), KindAssetFilter, f); err != nil {
			return err
		}
		if seen[strings.ToLower(f)] {
			return errorf(index(fp, i), "filter %q is listed more than once", f)
		}
		seen[strings.ToLower(f)] = true
	}
	return nil
}

// Redact returns a deep copy without content key values, as AMS shows a
// locator everywhere except listContentKeys. l is not modified.
func (l *StreamingLocator) Redact() *StreamingLocator {
	if l == nil {
		return nil
	}
	c := *l
	c.SystemData = clonePtr(l.SystemData)
	c.Properties = l.Properties.Redact()
	return &c
}

// Redact returns a deep copy without content key values. p is not modified.
func (p *StreamingLocatorProperties) Redact() *StreamingLocatorProperties {
	if p == nil {
		return nil
	}
	c := *p
	c.Created, c.StartTime, c.EndTime = clonePtr(p.Created), clonePtr(p.StartTime), clonePtr(p.EndTime)
	c.Filters = cloneSlice(p.Filters)
	c.ContentKeys = cloneSlice(p.ContentKeys)
	for i := range c.ContentKeys {
		k := &c.ContentKeys[i]
		k.Value = ""
		k.Tracks = cloneTrackSelections(k.Tracks)
	}
	return &c
}

func cloneTrackSelections(s []TrackSelection) []TrackSelection {
	out := cloneSlice(s)
	for i := range out {
		out[i].TrackSelections = cloneSlice(out[i].TrackSelections)
	}
	return out
}
