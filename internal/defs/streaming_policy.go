package defs

import (
	"encoding/json"
	"strings"
)

// StreamingPolicy is a streaming policy resource (create-only).
type StreamingPolicy struct {
	ID         string                     `json:"id,omitempty"`
	Name       string                     `json:"name,omitempty"`
	Type       string                     `json:"type,omitempty"`
	SystemData *SystemData                `json:"systemData,omitempty"`
	Properties *StreamingPolicyProperties `json:"properties,omitempty"`
}

// StreamingPolicyProperties holds at most one block per encryption scheme.
type StreamingPolicyProperties struct {
	Created                     *Time                 `json:"created,omitempty"` // read-only
	DefaultContentKeyPolicyName string                `json:"defaultContentKeyPolicyName,omitempty"`
	EnvelopeEncryption          *EnvelopeEncryption   `json:"envelopeEncryption,omitempty"`
	CommonEncryptionCenc        *CommonEncryptionCenc `json:"commonEncryptionCenc,omitempty"`
	CommonEncryptionCbcs        *CommonEncryptionCbcs `json:"commonEncryptionCbcs,omitempty"`
	NoEncryption                *NoEncryption         `json:"noEncryption,omitempty"`
}

// NoEncryption streams in the clear.
type NoEncryption struct {
	EnabledProtocols *EnabledProtocols `json:"enabledProtocols,omitempty"`
}

// EnvelopeEncryption is AES-128 (URL encryption=cbc).
type EnvelopeEncryption struct {
	EnabledProtocols                *EnabledProtocols           `json:"enabledProtocols,omitempty"`
	ClearTracks                     []TrackSelection            `json:"clearTracks,omitempty"`
	ContentKeys                     *StreamingPolicyContentKeys `json:"contentKeys,omitempty"`
	CustomKeyAcquisitionURLTemplate string                      `json:"customKeyAcquisitionUrlTemplate,omitempty"`
}

// CommonEncryptionCenc is CENC (PlayReady, Widevine, ClearKey).
type CommonEncryptionCenc struct {
	EnabledProtocols                *EnabledProtocols                `json:"enabledProtocols,omitempty"`
	ClearTracks                     []TrackSelection                 `json:"clearTracks,omitempty"`
	ContentKeys                     *StreamingPolicyContentKeys      `json:"contentKeys,omitempty"`
	Drm                             *CencDrmConfiguration            `json:"drm,omitempty"`
	ClearKeyEncryptionConfiguration *ClearKeyEncryptionConfiguration `json:"clearKeyEncryptionConfiguration,omitempty"`
}

// CommonEncryptionCbcs is CBCS (FairPlay; PlayReady and Widevine allowed).
type CommonEncryptionCbcs struct {
	EnabledProtocols                *EnabledProtocols                `json:"enabledProtocols,omitempty"`
	ClearTracks                     []TrackSelection                 `json:"clearTracks,omitempty"`
	ContentKeys                     *StreamingPolicyContentKeys      `json:"contentKeys,omitempty"`
	Drm                             *CbcsDrmConfiguration            `json:"drm,omitempty"`
	ClearKeyEncryptionConfiguration *ClearKeyEncryptionConfiguration `json:"clearKeyEncryptionConfiguration,omitempty"`
}

// EnabledProtocols lists the protocols a block serves; all four are
// required when the object is present.
type EnabledProtocols struct {
	Download        *bool `json:"download,omitempty"`
	Dash            *bool `json:"dash,omitempty"`
	Hls             *bool `json:"hls,omitempty"`
	SmoothStreaming *bool `json:"smoothStreaming,omitempty"`
}

// TrackSelection is a set of AND-ed track conditions.
type TrackSelection struct {
	TrackSelections []TrackPropertyCondition `json:"trackSelections,omitempty"`
}

// TrackPropertyCondition is one track condition.
type TrackPropertyCondition struct {
	Property  TrackPropertyType             `json:"property"`
	Operation TrackPropertyCompareOperation `json:"operation"`
	Value     string                        `json:"value,omitempty"`
}

// StreamingPolicyContentKeys names the keys of a block by label.
type StreamingPolicyContentKeys struct {
	DefaultKey         *DefaultKey                 `json:"defaultKey,omitempty"`
	KeyToTrackMappings []StreamingPolicyContentKey `json:"keyToTrackMappings,omitempty"`
}

// DefaultKey is the key for tracks no mapping selects.
type DefaultKey struct {
	Label      string `json:"label,omitempty"`
	PolicyName string `json:"policyName,omitempty"`
}

// StreamingPolicyContentKey maps a labelled key to tracks.
type StreamingPolicyContentKey struct {
	Label      string           `json:"label,omitempty"`
	PolicyName string           `json:"policyName,omitempty"`
	Tracks     []TrackSelection `json:"tracks,omitempty"`
}

// CencDrmConfiguration selects the CENC DRM systems.
type CencDrmConfiguration struct {
	PlayReady *StreamingPolicyPlayReadyConfiguration `json:"playReady,omitempty"`
	Widevine  *StreamingPolicyWidevineConfiguration  `json:"widevine,omitempty"`
}

// CbcsDrmConfiguration selects the CBCS DRM systems.
type CbcsDrmConfiguration struct {
	FairPlay  *StreamingPolicyFairPlayConfiguration  `json:"fairPlay,omitempty"`
	PlayReady *StreamingPolicyPlayReadyConfiguration `json:"playReady,omitempty"`
	Widevine  *StreamingPolicyWidevineConfiguration  `json:"widevine,omitempty"`
}

// StreamingPolicyPlayReadyConfiguration customises PlayReady signalling.
type StreamingPolicyPlayReadyConfiguration struct {
	CustomLicenseAcquisitionURLTemplate string `json:"customLicenseAcquisitionUrlTemplate,omitempty"`
	PlayReadyCustomAttributes           string `json:"playReadyCustomAttributes,omitempty"`
}

// StreamingPolicyWidevineConfiguration customises Widevine signalling.
type StreamingPolicyWidevineConfiguration struct {
	CustomLicenseAcquisitionURLTemplate string `json:"customLicenseAcquisitionUrlTemplate,omitempty"`
}

// StreamingPolicyFairPlayConfiguration customises FairPlay signalling.
type StreamingPolicyFairPlayConfiguration struct {
	CustomLicenseAcquisitionURLTemplate string `json:"customLicenseAcquisitionUrlTemplate,omitempty"`
	AllowPersistentLicense              *bool  `json:"allowPersistentLicense,omitempty"`
}

// ClearKeyEncryptionConfiguration customises ClearKey key acquisition.
type ClearKeyEncryptionConfiguration struct {
	CustomKeysAcquisitionURLTemplate string `json:"customKeysAcquisitionUrlTemplate,omitempty"`
}

// URL template tokens. {AssetAlternativeId} appears in AMS examples and is
// accepted as a legacy alias of {AlternativeMediaId}.
const (
	TokenAlternativeMediaID = "{AlternativeMediaId}"
	TokenContentKeyID       = "{ContentKeyId}"
	TokenAssetAlternativeID = "{AssetAlternativeId}"
)

// streamingPolicyBlocks are the members that may appear at most once.
var streamingPolicyBlocks = []string{"noEncryption", "envelopeEncryption", "commonEncryptionCenc", "commonEncryptionCbcs"}

// UnmarshalJSON decodes properties itself so that a repeated block and
// errors inside carry the "properties." prefix.
func (p *StreamingPolicy) UnmarshalJSON(data []byte) error {
	type alias StreamingPolicy
	aux := struct {
		*alias
		Properties json.RawMessage `json:"properties"`
	}{alias: (*alias)(p)}
	if err := decodeAt(data, "", &aux); err != nil {
		return err
	}
	p.Properties = nil
	if isNull(aux.Properties) {
		return nil
	}
	p.Properties = new(StreamingPolicyProperties)
	return decodeAt(aux.Properties, "properties", p.Properties)
}

// UnmarshalJSON rejects a block given twice. encoding/json would keep the
// last copy silently (and matches member names case-insensitively), so a
// policy could be stored with a different scheme set than its author read.
func (p *StreamingPolicyProperties) UnmarshalJSON(data []byte) error {
	var members map[string]json.RawMessage
	if err := decodeAt(data, "", &members); err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	seen := map[string]bool{}
	if _, err := dec.Token(); err != nil { // '{'
		return fieldError(err, "")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fieldError(err, "")
		}
		key, _ := tok.(string)
		for _, b := range streamingPolicyBlocks {
			if strings.EqualFold(key, b) {
				if seen[b] {
					return errorf(b, "may appear only once")
				}
				seen[b] = true
			}
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fieldError(err, "")
		}
	}
	type alias StreamingPolicyProperties
	return decodeAt(data, "", (*alias)(p))
}
