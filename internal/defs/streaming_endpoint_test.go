package defs_test

import (
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestStreamingEndpointRoundTrip(t *testing.T) {
	e := roundTrip[defs.StreamingEndpoint](t, sample(t, "streaming_endpoint.json"))
	requireNoError(t, e.Validate())
	if *e.Sku.Capacity != 600 || e.Properties.ResourceState != defs.StreamingEndpointResourceStateStopped {
		t.Fatalf("decoded %+v", e)
	}
	// A Standard endpoint: scaleUnits 0 is emitted, not dropped.
	std := []byte(`{"location":"West US","properties":{"scaleUnits":0,"cdnEnabled":false}}`)
	s := roundTrip[defs.StreamingEndpoint](t, std)
	requireNoError(t, s.Validate())
}

func TestStreamingEndpointValidate(t *testing.T) {
	const p = "properties."
	tests := []struct {
		name   string
		mutate func(e *defs.StreamingEndpoint)
		field  string
		msg    string
	}{
		{"location required", func(e *defs.StreamingEndpoint) { e.Location = "" }, "location", "is required"},
		{"properties required", func(e *defs.StreamingEndpoint) { e.Properties = nil }, "properties", "is required"},
		{"scale units required", func(e *defs.StreamingEndpoint) { e.Properties.ScaleUnits = nil }, p + "scaleUnits", "is required"},
		{"scale units not negative", func(e *defs.StreamingEndpoint) { e.Properties.ScaleUnits = defs.Ptr(int32(-1)) }, p + "scaleUnits", "0-10"},
		{"scale units at most 10", func(e *defs.StreamingEndpoint) { e.Properties.ScaleUnits = defs.Ptr(int32(11)) }, p + "scaleUnits", "0-10"},
		{"max cache age", func(e *defs.StreamingEndpoint) { e.Properties.MaxCacheAge = defs.Ptr(int64(-1)) }, p + "maxCacheAge", "negative"},
		{"cdn provider", func(e *defs.StreamingEndpoint) { e.Properties.CdnProvider = "StandardMicrosoft" }, p + "cdnProvider", "not one of"},
		{"sku capacity", func(e *defs.StreamingEndpoint) { e.Sku.Capacity = defs.Ptr(int32(-1)) }, "sku.capacity", "negative"},
		{"tag name", func(e *defs.StreamingEndpoint) { e.Tags["a/b"] = "x" }, "tags.a/b", "must not contain"},
		{"tag value length", func(e *defs.StreamingEndpoint) { e.Tags["tag1"] = strings.Repeat("v", 257) }, "tags.tag1", "at most 256"},
		{"too many tags", func(e *defs.StreamingEndpoint) {
			for i := range 50 {
				e.Tags[strings.Repeat("k", i+5)] = ""
			}
		}, "tags", "at most 50"},
		{"custom host name", func(e *defs.StreamingEndpoint) {
			e.Properties.CustomHostNames = append(e.Properties.CustomHostNames, "bad_host")
		},
			p + "customHostNames[1]", "not a valid host name"},
		{"client access policy XML", func(e *defs.StreamingEndpoint) {
			e.Properties.CrossSiteAccessPolicies.ClientAccessPolicy = "<access-policy><cross-domain-access>"
		}, p + "crossSiteAccessPolicies.clientAccessPolicy", "well-formed XML"},
		{"cross-domain policy XML", func(e *defs.StreamingEndpoint) {
			e.Properties.CrossSiteAccessPolicies.CrossDomainPolicy = "allow all"
		}, p + "crossSiteAccessPolicies.crossDomainPolicy", "well-formed XML"},
		{"one root element", func(e *defs.StreamingEndpoint) {
			e.Properties.CrossSiteAccessPolicies.CrossDomainPolicy = "<a/><b/>"
		}, p + "crossSiteAccessPolicies.crossDomainPolicy", "exactly one root"},
		{"akamai key base64", func(e *defs.StreamingEndpoint) {
			e.Properties.AccessControl.Akamai.AkamaiSignatureHeaderAuthenticationKeyList[0].Base64Key = "***"
		}, p + "accessControl.akamai.akamaiSignatureHeaderAuthenticationKeyList[0].base64Key", "base64"},
		{"ip address", func(e *defs.StreamingEndpoint) { e.Properties.AccessControl.IP.Allow[0].Address = "192.168.1" },
			p + "accessControl.ip.allow[0].address", "not an IP address"},
		{"ipv4 prefix", func(e *defs.StreamingEndpoint) {
			e.Properties.AccessControl.IP.Allow[0].SubnetPrefixLength = defs.Ptr(int32(33))
		},
			p + "accessControl.ip.allow[0].subnetPrefixLength", "0-32"},
		{"ipv6 prefix", func(e *defs.StreamingEndpoint) {
			e.Properties.AccessControl.IP.Allow[0] = defs.IPRange{Address: "2001:db8::", SubnetPrefixLength: defs.Ptr(int32(64))}
		}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := decode[defs.StreamingEndpoint](t, sample(t, "streaming_endpoint.json"))
			tt.mutate(e)
			err := e.Validate()
			if tt.field == "" {
				requireNoError(t, err)
				return
			}
			requireFieldError(t, err, tt.field, tt.msg)
		})
	}
}

func TestStreamingEndpointActions(t *testing.T) {
	s := decode[defs.StreamingEntityScaleUnit](t, []byte(`{"scaleUnit":5}`))
	requireNoError(t, s.Validate())
	requireFieldError(t, (&defs.StreamingEntityScaleUnit{}).Validate(), "scaleUnit", "is required")
	requireFieldError(t, (&defs.StreamingEntityScaleUnit{ScaleUnit: defs.Ptr(int32(11))}).Validate(), "scaleUnit", "0-10")

	requireSameJSON(t, []byte(`{"value":[]}`), mustJSON(t, defs.StreamingEndpointSkuInfoListResult{}))
	roundTrip[defs.StreamingEndpointSkuInfoListResult](t, []byte(`{"value":[
		{"resourceType":"Microsoft.Media/mediaservices/streamingEndpoints","sku":{"name":"Standard"},"capacity":{"default":0,"minimum":0,"maximum":0,"scaleType":"None"}},
		{"resourceType":"Microsoft.Media/mediaservices/streamingEndpoints","sku":{"name":"Premium"},"capacity":{"default":1,"minimum":1,"maximum":10,"scaleType":"Automatic"}}]}`))
}
