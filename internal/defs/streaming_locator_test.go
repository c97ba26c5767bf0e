package defs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestStreamingLocatorRoundTrip(t *testing.T) {
	l := roundTrip[defs.StreamingLocator](t, sample(t, "streaming_locator.json"))
	requireNoError(t, l.Validate())
	if l.Properties.EndTime.Nanosecond() != 999999900 {
		t.Fatalf("endTime %v", l.Properties.EndTime)
	}
	minimal := []byte(`{"properties":{"assetName":"a","streamingPolicyName":"Predefined_ClearStreamingOnly"}}`)
	m := roundTrip[defs.StreamingLocator](t, minimal)
	requireNoError(t, m.Validate())
}

func TestStreamingLocatorValidate(t *testing.T) {
	const p = "properties."
	tests := []struct {
		name   string
		mutate func(p *defs.StreamingLocatorProperties)
		field  string
		msg    string
	}{
		{"asset required", func(p *defs.StreamingLocatorProperties) { p.AssetName = "" }, p + "assetName", "is required"},
		{"asset name", func(p *defs.StreamingLocatorProperties) { p.AssetName = "a/b" }, p + "assetName", "must not contain"},
		{"policy required", func(p *defs.StreamingLocatorProperties) { p.StreamingPolicyName = "" }, p + "streamingPolicyName", "is required"},
		{"start before end", func(p *defs.StreamingLocatorProperties) { p.EndTime = defs.NewTime(p.StartTime.Time) },
			p + "endTime", "after startTime"},
		{"end alone", func(p *defs.StreamingLocatorProperties) {
			p.StartTime = nil
			p.EndTime = defs.NewTime(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
		}, "", ""},
		{"locator id GUID", func(p *defs.StreamingLocatorProperties) { p.StreamingLocatorID = "locator-1" }, p + "streamingLocatorId", "GUID"},
		{"default key policy", func(p *defs.StreamingLocatorProperties) { p.DefaultContentKeyPolicyName = "x#" },
			p + "defaultContentKeyPolicyName", "must not contain"},
		{"key id required", func(p *defs.StreamingLocatorProperties) { p.ContentKeys[1].ID = "" }, p + "contentKeys[1].id", "is required"},
		{"key id GUID", func(p *defs.StreamingLocatorProperties) {
			p.ContentKeys[1].ID = "{60000000-0000-0000-0000-000000000004}"
		},
			p + "contentKeys[1].id", "not a GUID"},
		{"key ids unique", func(p *defs.StreamingLocatorProperties) { p.ContentKeys[1].ID = strings.ToUpper(p.ContentKeys[0].ID) },
			p + "contentKeys[1].id", "more than once"},
		{"key labels unique", func(p *defs.StreamingLocatorProperties) {
			p.ContentKeys[1].LabelReferenceInStreamingPolicy = p.ContentKeys[0].LabelReferenceInStreamingPolicy
		}, p + "contentKeys[1].labelReferenceInStreamingPolicy", "more than once"},
		{"key value base64", func(p *defs.StreamingLocatorProperties) { p.ContentKeys[0].Value = "not-base64" },
			p + "contentKeys[0].value", "base64"},
		{"key value 16 bytes", func(p *defs.StreamingLocatorProperties) { p.ContentKeys[0].Value = "AAAAAAAAAAAAAAAAAAAAAAAA" },
			p + "contentKeys[0].value", "16-byte key (got 18 bytes)"},
		{"key value optional", func(p *defs.StreamingLocatorProperties) { p.ContentKeys[0].Value = "" }, "", ""},
		{"at most 100 keys", func(p *defs.StreamingLocatorProperties) {
			p.ContentKeys = make([]defs.StreamingLocatorContentKey, 101)
		}, p + "contentKeys", "at most 100"},
		{"filter names", func(p *defs.StreamingLocatorProperties) { p.Filters[1] = "a;b" }, p + "filters[1]", "may only contain"},
		{"filters unique", func(p *defs.StreamingLocatorProperties) { p.Filters = append(p.Filters, "FILTER1") },
			p + "filters[2]", "more than once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := decode[defs.StreamingLocator](t, sample(t, "streaming_locator.json"))
			tt.mutate(l.Properties)
			err := l.Validate()
			if tt.field == "" {
				requireNoError(t, err)
				return
			}
			requireFieldError(t, err, tt.field, tt.msg)
		})
	}
	requireFieldError(t, (&defs.StreamingLocator{}).Validate(), "properties", "is required")
}

func TestStreamingLocatorRedact(t *testing.T) {
	l := decode[defs.StreamingLocator](t, sample(t, "streaming_locator.json"))
	r := l.Redact()
	out := string(mustJSON(t, r))
	if strings.Contains(out, `"value"`) {
		t.Fatalf("redacted locator has key values: %s", out)
	}
	if !strings.Contains(out, `"id":"60000000-0000-0000-0000-000000000001"`) || !strings.Contains(out, `"labelReferenceInStreamingPolicy":"aesDefaultKey"`) {
		t.Fatalf("redacted locator lost key ids: %s", out)
	}
	requireSameJSON(t, sample(t, "streaming_locator.json"), mustJSON(t, l))
	r.Properties.Filters[0] = "changed"
	if l.Properties.Filters[0] != "filter1" {
		t.Fatal("Redact shares filters")
	}
	if (*defs.StreamingLocator)(nil).Redact() != nil || (*defs.StreamingLocatorProperties)(nil).Redact() != nil {
		t.Fatal("nil receivers")
	}

	// listContentKeys is the one place values appear.
	keys := defs.ListContentKeysResponse{ContentKeys: l.Properties.ContentKeys}
	if !strings.Contains(string(mustJSON(t, keys)), `"value":"1UqLohAfWsEGkULYxHjYZg=="`) {
		t.Fatal("listContentKeys lost values")
	}
}

func TestLocatorActionResponses(t *testing.T) {
	requireSameJSON(t, []byte(`{"contentKeys":[]}`), mustJSON(t, defs.ListContentKeysResponse{}))
	requireSameJSON(t, []byte(`{"streamingPaths":[],"downloadPaths":[]}`), mustJSON(t, defs.ListPathsResponse{}))
	paths := []byte(`{"streamingPaths":[
		{"streamingProtocol":"Hls","encryptionScheme":"NoEncryption","paths":["/90000000-0000-0000-0000-00000000000a/video.ism/manifest(format=m3u8-aapl)"]},
		{"streamingProtocol":"Dash","encryptionScheme":"CommonEncryptionCenc","paths":[]}],
		"downloadPaths":["/90000000-0000-0000-0000-00000000000a/video_1.mp4"]}`)
	roundTrip[defs.ListPathsResponse](t, paths)
	requireSameJSON(t, []byte(`{"streamingProtocol":"Download","encryptionScheme":"NoEncryption","paths":[]}`),
		mustJSON(t, defs.StreamingPath{StreamingProtocol: defs.StreamingPolicyStreamingProtocolDownload, EncryptionScheme: defs.EncryptionSchemeNoEncryption}))
}
