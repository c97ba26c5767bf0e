package defs_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

// Fuzz targets for the three request bodies with the richest decoding.
// Each checks that decode, Validate, Redact and re-encode never panic, that
// whatever decodes also encodes, and that encoding is stable: decoding the
// encoded form and encoding again gives the same bytes. Corpus entries
// that reproduced fixes live in testdata/fuzz/<target>/.

// fuzzResource is what the three targets share.
type fuzzResource interface {
	Validate() error
}

func checkStable[T any, PT interface {
	*T
	fuzzResource
}](t *testing.T, data []byte, redact func(PT) any) {
	var v T
	if defs.Decode(data, PT(&v)) != nil {
		return
	}
	_ = PT(&v).Validate()
	out, err := json.Marshal(PT(&v))
	if err != nil {
		t.Fatalf("decoded but cannot encode: %v", err)
	}
	var again T
	if err := defs.Decode(out, PT(&again)); err != nil {
		t.Fatalf("cannot decode own output: %v\n%s", err, out)
	}
	out2, err := json.Marshal(PT(&again))
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	if !bytes.Equal(out, out2) {
		t.Fatalf("encoding not stable:\n%s\n%s", out, out2)
	}
	r := redact(PT(&v))
	rout, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("cannot encode redacted copy: %v", err)
	}
	if err := defs.Decode(rout, new(T)); err != nil {
		t.Fatalf("cannot decode redacted copy: %v\n%s", err, rout)
	}
	// Redact must not touch the original.
	if out3, _ := json.Marshal(PT(&v)); !bytes.Equal(out, out3) {
		t.Fatalf("Redact changed the original")
	}
}

func FuzzDecodeContentKeyPolicy(f *testing.F) {
	f.Add(sample(f, "content_key_policy.json"))
	f.Add([]byte(`{"properties":{"options":[{"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyOpenRestriction"}}]}}`))
	f.Add([]byte(`{"properties":{"options":[null,{},{"configuration":null,"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","alternateVerificationKeys":[null]}}]}}`))
	f.Add([]byte(`{"properties":{"options":[{"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration","licenses":[null,{"contentKeyLocation":null,"beginDate":"2018-01-01T00:00:00+14:00"}]}}]}}`))
	f.Add([]byte(`{"properties":{"options":[{"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyWidevineConfiguration","widevineTemplate":"{\"content_key_specs\":[{\"security_level\":9}]}"}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStable(t, data, func(p *defs.ContentKeyPolicy) any { return p.Redact() })
		var props defs.ContentKeyPolicyProperties
		if defs.Decode(data, &props) == nil {
			if _, err := json.Marshal(props.Redact()); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzDecodeStreamingPolicy(f *testing.F) {
	f.Add(sample(f, "streaming_policy.json"))
	f.Add([]byte(`{"properties":{"noEncryption":{"enabledProtocols":{"download":true,"dash":true,"hls":true,"smoothStreaming":true}}}}`))
	f.Add([]byte(`{"properties":{"envelopeEncryption":{},"ENVELOPEENCRYPTION":null}}`))
	f.Add([]byte(`{"properties":{"commonEncryptionCbcs":{"drm":{"fairPlay":{"customLicenseAcquisitionUrlTemplate":"skd://{ContentKeyId}{"}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStable(t, data, func(p *defs.StreamingPolicy) any { return p })
	})
}

func FuzzDecodeStreamingLocator(f *testing.F) {
	f.Add(sample(f, "streaming_locator.json"))
	f.Add([]byte(`{"properties":{"assetName":"a","streamingPolicyName":"Predefined_ClearKey","startTime":"2018-03-01T00:00:00Z","endTime":"2018-03-01T00:00:00.00000001Z"}}`))
	f.Add([]byte(`{"properties":{"contentKeys":[null,{"id":"x","value":"AAAA"}],"filters":[null]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStable(t, data, func(l *defs.StreamingLocator) any { return l.Redact() })
	})
}
