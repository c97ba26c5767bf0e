package api

import (
	"encoding/json"
	"fmt"

	"github.com/lockstream/lockstream/internal/defs"
)

// Views are the narrow read models the API's own logic needs from stored
// documents; validation of what clients send lives in package defs.

// protocols is StreamingPolicy enabledProtocols.
type protocols struct {
	Download        bool `json:"download"`
	Dash            bool `json:"dash"`
	Hls             bool `json:"hls"`
	SmoothStreaming bool `json:"smoothStreaming"`
}

type keyRef struct {
	Label      string `json:"label,omitempty"`
	PolicyName string `json:"policyName,omitempty"`
}

type keyMapping struct {
	Label      string          `json:"label,omitempty"`
	PolicyName string          `json:"policyName,omitempty"`
	Tracks     json.RawMessage `json:"tracks,omitempty"`
}

type encBlock struct {
	EnabledProtocols *protocols `json:"enabledProtocols"`
	ContentKeys      *struct {
		DefaultKey         *keyRef      `json:"defaultKey"`
		KeyToTrackMappings []keyMapping `json:"keyToTrackMappings"`
	} `json:"contentKeys"`
	CustomKeyAcquisitionURLTemplate string          `json:"customKeyAcquisitionUrlTemplate"`
	Drm                             json.RawMessage `json:"drm"`
	ClearKeyEncryptionConfiguration json.RawMessage `json:"clearKeyEncryptionConfiguration"`
}

// policyView is the part of a streaming policy locators depend on.
type policyView struct {
	DefaultContentKeyPolicyName string `json:"defaultContentKeyPolicyName"`
	NoEncryption                *struct {
		EnabledProtocols *protocols `json:"enabledProtocols"`
	} `json:"noEncryption"`
	EnvelopeEncryption   *encBlock `json:"envelopeEncryption"`
	CommonEncryptionCenc *encBlock `json:"commonEncryptionCenc"`
	CommonEncryptionCbcs *encBlock `json:"commonEncryptionCbcs"`
}

// Encryption scheme names as AMS spells them (defs' typed values, which
// are also the content key types: protect.KeyType).
const (
	schemeNone     = string(defs.EncryptionSchemeNoEncryption)
	schemeEnvelope = string(defs.EncryptionSchemeEnvelopeEncryption)
	schemeCenc     = string(defs.EncryptionSchemeCommonEncryptionCenc)
	schemeCbcs     = string(defs.EncryptionSchemeCommonEncryptionCbcs)
)

// schemeBlock pairs a scheme with its policy block.
type schemeBlock struct {
	scheme string
	block  *encBlock
}

// encrypted returns the policy's encryption blocks in AMS order.
func (v *policyView) encrypted() []schemeBlock {
	var out []schemeBlock
	for _, sb := range []schemeBlock{{schemeEnvelope, v.EnvelopeEncryption}, {schemeCenc, v.CommonEncryptionCenc}, {schemeCbcs, v.CommonEncryptionCbcs}} {
		if sb.block != nil {
			out = append(out, sb)
		}
	}
	return out
}

func decodePolicyView(doc []byte) (*policyView, error) {
	var v policyView
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("decode streaming policy: %w", err)
	}
	return &v, nil
}

// locatorView is the stored locator document.
type locatorView struct {
	AssetName                   string          `json:"assetName"`
	StreamingPolicyName         string          `json:"streamingPolicyName"`
	StreamingLocatorID          string          `json:"streamingLocatorId"`
	DefaultContentKeyPolicyName string          `json:"defaultContentKeyPolicyName,omitempty"`
	Created                     string          `json:"created"`
	StartTime                   string          `json:"startTime,omitempty"`
	EndTime                     string          `json:"endTime"`
	AlternativeMediaID          string          `json:"alternativeMediaId,omitempty"`
	Filters                     []string        `json:"filters,omitempty"`
	ContentKeys                 []locatorKeyDoc `json:"contentKeys"`
}

// locatorKeyDoc is a content key as GET shows it: never with its value.
type locatorKeyDoc struct {
	ID                              string          `json:"id"`
	Type                            string          `json:"type"`
	LabelReferenceInStreamingPolicy string          `json:"labelReferenceInStreamingPolicy,omitempty"`
	Value                           string          `json:"value,omitempty"`
	PolicyName                      string          `json:"policyName,omitempty"`
	Tracks                          json.RawMessage `json:"tracks,omitempty"`
}

// ckpView is the part of a content key policy locators check.
type ckpView struct {
	Options []struct {
		Configuration struct {
			Type string `json:"@odata.type"`
		} `json:"configuration"`
	} `json:"options"`
}
