package defs_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestStreamingPolicyRoundTrip(t *testing.T) {
	p := roundTrip[defs.StreamingPolicy](t, sample(t, "streaming_policy.json"))
	requireNoError(t, p.Validate())
	if !*p.Properties.CommonEncryptionCbcs.Drm.FairPlay.AllowPersistentLicense {
		t.Fatal("allowPersistentLicense lost")
	}

	// The predefined-policy shapes validate too.
	for _, body := range []string{
		`{"properties":{"noEncryption":{"enabledProtocols":{"download":true,"dash":true,"hls":true,"smoothStreaming":true}}}}`,
		`{"properties":{"envelopeEncryption":{"enabledProtocols":{"download":false,"dash":true,"hls":true,"smoothStreaming":true}}}}`,
		`{"properties":{"commonEncryptionCenc":{"enabledProtocols":{"download":false,"dash":true,"hls":false,"smoothStreaming":true},"drm":{"playReady":{},"widevine":{}}}}}`,
		`{"properties":{"commonEncryptionCbcs":{"drm":{"fairPlay":{"allowPersistentLicense":false}}}}}`,
	} {
		p := decode[defs.StreamingPolicy](t, []byte(body))
		requireNoError(t, p.Validate())
		requireSameJSON(t, []byte(body), mustJSON(t, p))
	}
}

func TestStreamingPolicyDuplicateBlocks(t *testing.T) {
	for _, body := range []string{
		`{"properties":{"noEncryption":{},"noEncryption":{}}}`,
		`{"properties":{"noEncryption":{},"NoEncryption":{}}}`,
	} {
		requireFieldError(t, defs.Decode([]byte(body), new(defs.StreamingPolicy)), "properties.noEncryption", "only once")
	}
	requireFieldError(t, defs.Decode([]byte(`{"properties":{"envelopeEncryption":{"enabledProtocols":{"dash":1}}}}`), new(defs.StreamingPolicy)),
		"properties.envelopeEncryption.enabledProtocols.dash", "boolean")
	requireFieldError(t, defs.Decode([]byte(`{"properties":"x"}`), new(defs.StreamingPolicy)), "properties", "must be an object")
}

func TestStreamingPolicyValidate(t *testing.T) {
	const (
		env  = "properties.envelopeEncryption."
		cenc = "properties.commonEncryptionCenc."
		cbcs = "properties.commonEncryptionCbcs."
	)
	tests := []struct {
		name   string
		mutate func(p *defs.StreamingPolicyProperties)
		field  string
		msg    string
	}{
		{"needs a block", func(p *defs.StreamingPolicyProperties) {
			*p = defs.StreamingPolicyProperties{DefaultContentKeyPolicyName: "x"}
		}, "properties", "at least one of"},
		{"default policy name", func(p *defs.StreamingPolicyProperties) { p.DefaultContentKeyPolicyName = "a/b" },
			"properties.defaultContentKeyPolicyName", "must not contain"},
		{"all protocols required", func(p *defs.StreamingPolicyProperties) { p.EnvelopeEncryption.EnabledProtocols.SmoothStreaming = nil },
			env + "enabledProtocols.smoothStreaming", "is required"},
		{"no-encryption protocols required", func(p *defs.StreamingPolicyProperties) {
			p.NoEncryption = &defs.NoEncryption{EnabledProtocols: &defs.EnabledProtocols{Dash: defs.Ptr(true)}}
		}, "properties.noEncryption.enabledProtocols.download", "is required"},
		{"fairplay persistence required", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCbcs.Drm.FairPlay.AllowPersistentLicense = nil
		}, cbcs + "drm.fairPlay.allowPersistentLicense", "is required"},
		{"unknown template token", func(p *defs.StreamingPolicyProperties) {
			p.EnvelopeEncryption.CustomKeyAcquisitionURLTemplate = "https://contoso.com/{AssetId}/key"
		}, env + "customKeyAcquisitionUrlTemplate", `unknown token "{AssetId}"`},
		{"token case matters", func(p *defs.StreamingPolicyProperties) {
			p.EnvelopeEncryption.CustomKeyAcquisitionURLTemplate = "https://contoso.com/{contentkeyid}"
		}, env + "customKeyAcquisitionUrlTemplate", "unknown token"},
		{"unterminated token", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.Drm.PlayReady.CustomLicenseAcquisitionURLTemplate = "https://contoso.com/{ContentKeyId"
		}, cenc + "drm.playReady.customLicenseAcquisitionUrlTemplate", "without a matching '}'"},
		{"stray brace", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.Drm.Widevine.CustomLicenseAcquisitionURLTemplate = "https://contoso.com/}"
		}, cenc + "drm.widevine.customLicenseAcquisitionUrlTemplate", "without a matching '{'"},
		{"legacy alias accepted", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.Drm.Widevine.CustomLicenseAcquisitionURLTemplate = "https://{AssetAlternativeId}.contoso.com/wv/{ContentKeyId}"
		}, "", ""},
		{"template must be absolute", func(p *defs.StreamingPolicyProperties) {
			p.EnvelopeEncryption.CustomKeyAcquisitionURLTemplate = "/keys/{ContentKeyId}"
		}, env + "customKeyAcquisitionUrlTemplate", "absolute URL"},
		{"template scheme", func(p *defs.StreamingPolicyProperties) {
			p.EnvelopeEncryption.CustomKeyAcquisitionURLTemplate = "skd://contoso.com/{ContentKeyId}"
		}, env + "customKeyAcquisitionUrlTemplate", "scheme"},
		{"fairplay skd template", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCbcs.Drm.FairPlay.CustomLicenseAcquisitionURLTemplate = "skd://contoso.com/fairplay/{ContentKeyId}"
		}, "", ""},
		{"clear key template has no key id", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.ClearKeyEncryptionConfiguration.CustomKeysAcquisitionURLTemplate = "https://contoso.com/{ContentKeyId}"
		}, cenc + "clearKeyEncryptionConfiguration.customKeysAcquisitionUrlTemplate", "unknown token"},
		{"labels unique", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.ContentKeys.KeyToTrackMappings[0].Label = "CENCDefaultKey"
		}, cenc + "contentKeys.keyToTrackMappings[0].label", "more than once"},
		{"labels only unique per block", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCbcs.ContentKeys.DefaultKey.Label = "cencDefaultKey"
		}, "", ""},
		{"key policy name", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.ContentKeys.DefaultKey.PolicyName = "bad?"
		}, cenc + "contentKeys.defaultKey.policyName", "must not contain"},
		{"track selection needs conditions", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.ContentKeys.KeyToTrackMappings[0].Tracks[0].TrackSelections = nil
		}, cenc + "contentKeys.keyToTrackMappings[0].tracks[0].trackSelections", "at least one"},
		{"track property enum", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.ClearTracks[0].TrackSelections[0].Property = "Language"
		}, cenc + "clearTracks[0].trackSelections[0].property", `"Language" is not one of FourCC, Unknown`},
		{"track operation enum", func(p *defs.StreamingPolicyProperties) {
			p.CommonEncryptionCenc.ClearTracks[0].TrackSelections[0].Operation = "NotEqual"
		}, cenc + "clearTracks[0].trackSelections[0].operation", "not one of"},
		{"track operation required", func(p *defs.StreamingPolicyProperties) {
			p.EnvelopeEncryption.ClearTracks[0].TrackSelections[0].Operation = ""
		}, env + "clearTracks[0].trackSelections[0].operation", "is required"},
		{"FourCC value required", func(p *defs.StreamingPolicyProperties) {
			p.EnvelopeEncryption.ClearTracks[0].TrackSelections[0].Value = ""
		}, env + "clearTracks[0].trackSelections[0].value", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decode[defs.StreamingPolicy](t, sample(t, "streaming_policy.json"))
			tt.mutate(p.Properties)
			err := p.Validate()
			if tt.field == "" {
				requireNoError(t, err)
				return
			}
			requireFieldError(t, err, tt.field, tt.msg)
		})
	}
	requireFieldError(t, (&defs.StreamingPolicy{}).Validate(), "properties", "is required")
}
