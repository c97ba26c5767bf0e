package defs_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestContentKeyPolicyRoundTrip(t *testing.T) {
	p := roundTrip[defs.ContentKeyPolicy](t, sample(t, "content_key_policy.json"))
	requireNoError(t, p.Validate())

	opts := p.Properties.Options
	if len(opts) != 4 {
		t.Fatalf("%d options", len(opts))
	}
	tr := opts[0].Restriction.(*defs.ContentKeyPolicyTokenRestriction)
	if _, ok := tr.PrimaryVerificationKey.(*defs.ContentKeyPolicySymmetricTokenKey); !ok {
		t.Fatalf("primary key %T", tr.PrimaryVerificationKey)
	}
	if _, ok := tr.AlternateVerificationKeys[0].(*defs.ContentKeyPolicyRsaTokenKey); !ok {
		t.Fatalf("alternate key 0 %T", tr.AlternateVerificationKeys[0])
	}
	if _, ok := tr.AlternateVerificationKeys[1].(*defs.ContentKeyPolicyX509CertificateTokenKey); !ok {
		t.Fatalf("alternate key 1 %T", tr.AlternateVerificationKeys[1])
	}
	pr := opts[2].Configuration.(*defs.ContentKeyPolicyPlayReadyConfiguration)
	loc := pr.Licenses[1].ContentKeyLocation.(*defs.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier)
	if loc.KeyID != "d6d1a9ae-13bb-4e4b-8d64-8e6d5d7c1a9b" {
		t.Fatalf("keyId %q", loc.KeyID)
	}
	fp := opts[3].Configuration.(*defs.ContentKeyPolicyFairPlayConfiguration)
	if len(fp.Ask) != 16 || *fp.RentalDuration != 0 {
		t.Fatalf("fairplay %+v", fp)
	}

	// The bare properties (getPolicyPropertiesWithSecrets) round-trip too.
	var raw struct {
		Properties json.RawMessage `json:"properties"`
	}
	requireNoError(t, json.Unmarshal(sample(t, "content_key_policy.json"), &raw))
	roundTrip[defs.ContentKeyPolicyProperties](t, raw.Properties)
}

// TestContentKeyPolicyDiscriminators decodes and re-encodes every union
// member and checks that the discriminator comes back first and exact.
func TestContentKeyPolicyDiscriminators(t *testing.T) {
	tests := []struct {
		name string
		json string
		want any
	}{
		{"clear key", `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"}`, &defs.ContentKeyPolicyClearKeyConfiguration{}},
		{"unknown configuration", `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyUnknownConfiguration"}`, &defs.ContentKeyPolicyUnknownConfiguration{}},
		{"widevine", `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyWidevineConfiguration","widevineTemplate":"{}"}`, &defs.ContentKeyPolicyWidevineConfiguration{}},
		{"playready", `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration","licenses":[]}`, &defs.ContentKeyPolicyPlayReadyConfiguration{}},
		{"fairplay", `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration","ask":"","fairPlayPfx":"","fairPlayPfxPassword":"","rentalAndLeaseKeyType":"Undefined","rentalDuration":0}`, &defs.ContentKeyPolicyFairPlayConfiguration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"properties":{"options":[{"configuration":` + tt.json + `,"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyOpenRestriction"}}]}}`
			p := decode[defs.ContentKeyPolicy](t, []byte(body))
			c := p.Properties.Options[0].Configuration
			if got, want := c.ODataType(), tt.want.(defs.ContentKeyPolicyConfiguration).ODataType(); got != want {
				t.Fatalf("decoded %s, want %s", got, want)
			}
			out := mustJSON(t, c)
			requireSameJSON(t, []byte(tt.json), out)
			if !bytes.HasPrefix(out, []byte(`{"@odata.type":"`+c.ODataType()+`"`)) {
				t.Fatalf("discriminator not first: %s", out)
			}
		})
	}

	restrictions := map[string]string{
		defs.ODataTypeOpenRestriction:    `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyOpenRestriction"}`,
		defs.ODataTypeUnknownRestriction: `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyUnknownRestriction"}`,
		defs.ODataTypeTokenRestriction: `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","issuer":"i","audience":"a",
			"primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"AQ=="},
			"alternateVerificationKeys":[],"requiredClaims":[],"restrictionTokenType":"Jwt"}`,
	}
	for want, js := range restrictions {
		body := `{"options":[{"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},"restriction":` + js + `}]}`
		p := decode[defs.ContentKeyPolicyProperties](t, []byte(body))
		r := p.Options[0].Restriction
		if r.ODataType() != want {
			t.Fatalf("decoded %s, want %s", r.ODataType(), want)
		}
		requireSameJSON(t, []byte(js), mustJSON(t, r))
	}

	keys := map[string]string{
		defs.ODataTypeSymmetricTokenKey:       `{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"AQ=="}`,
		defs.ODataTypeRsaTokenKey:             `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyRsaTokenKey","exponent":"AQAB","modulus":"AQ=="}`,
		defs.ODataTypeX509CertificateTokenKey: `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey","rawBody":"AQ=="}`,
	}
	for want, js := range keys {
		body := `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","primaryVerificationKey":` + js +
			`,"alternateVerificationKeys":[` + js + `]}`
		r := decode[defs.ContentKeyPolicyTokenRestriction](t, []byte(body))
		if r.PrimaryVerificationKey.ODataType() != want || r.AlternateVerificationKeys[0].ODataType() != want {
			t.Fatalf("decoded %s, want %s", r.PrimaryVerificationKey.ODataType(), want)
		}
		requireSameJSON(t, []byte(js), mustJSON(t, r.PrimaryVerificationKey))
	}

	locations := map[string]string{
		defs.ODataTypePlayReadyKeyFromHeader:        `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"}`,
		defs.ODataTypePlayReadyKeyFromKeyIdentifier: `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier","keyId":"d6d1a9ae-13bb-4e4b-8d64-8e6d5d7c1a9b"}`,
	}
	for want, js := range locations {
		l := decode[defs.ContentKeyPolicyPlayReadyLicense](t, []byte(`{"contentKeyLocation":`+js+`}`))
		if l.ContentKeyLocation.ODataType() != want {
			t.Fatalf("decoded %s, want %s", l.ContentKeyLocation.ODataType(), want)
		}
		requireSameJSON(t, []byte(js), mustJSON(t, l.ContentKeyLocation))
	}
}

func TestContentKeyPolicyDecodeErrors(t *testing.T) {
	open := `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyOpenRestriction"}`
	clearKey := `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"}`
	opt := func(conf, restr string) string { return `{"configuration":` + conf + `,"restriction":` + restr + `}` }
	body := func(opts ...string) []byte {
		s := `{"properties":{"options":[`
		for i, o := range opts {
			if i > 0 {
				s += ","
			}
			s += o
		}
		return []byte(s + `]}}`)
	}
	token := func(primary, alternates string) string {
		return `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","issuer":"i","audience":"a","restrictionTokenType":"Jwt",
			"primaryVerificationKey":` + primary + `,"alternateVerificationKeys":[` + alternates + `]}`
	}
	sym := `{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"AQ=="}`
	tests := []struct {
		name  string
		body  []byte
		field string
		msg   string
	}{
		{"unknown configuration type", body(opt(clearKey, open), opt(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyMagicConfiguration"}`, open)),
			"properties.options[1].configuration.@odata.type", `unknown type "#Microsoft.Media.ContentKeyPolicyMagicConfiguration"`},
		{"discriminator is case-sensitive", body(opt(`{"@odata.type":"#microsoft.media.contentkeypolicyclearkeyconfiguration"}`, open)),
			"properties.options[0].configuration.@odata.type", "unknown type"},
		{"missing discriminator", body(opt(`{"widevineTemplate":"{}"}`, open)),
			"properties.options[0].configuration.@odata.type", "is required"},
		{"configuration not an object", body(opt(`"ClearKey"`, open)),
			"properties.options[0].configuration", "must be an object"},
		{"discriminator not a string", body(opt(`{"@odata.type":7}`, open)),
			"properties.options[0].configuration.@odata.type", "must be a string"},
		{"unknown restriction type", body(opt(clearKey, `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyIpRestriction"}`)),
			"properties.options[0].restriction.@odata.type", "unknown type"},
		{"unknown primary key type", body(opt(clearKey, token(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPemTokenKey"}`, ""))),
			"properties.options[0].restriction.primaryVerificationKey.@odata.type", "unknown type"},
		{"unknown alternate key type", body(opt(clearKey, open), opt(clearKey, token(sym, sym+`,{"@odata.type":"#X"}`))),
			"properties.options[1].restriction.alternateVerificationKeys[1].@odata.type", "unknown type"},
		{"bad base64 in key", body(opt(clearKey, token(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"%%"}`, ""))),
			"properties.options[0].restriction.primaryVerificationKey.keyValue", "base64"},
		{"unknown key location", body(opt(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration","licenses":[{},{"contentKeyLocation":{"@odata.type":"#Nope"}}]}`, open)),
			"properties.options[0].configuration.licenses[1].contentKeyLocation.@odata.type", "unknown type"},
		{"type error inside license", body(opt(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration","licenses":[{"playRight":{"scmsRestriction":"2"}}]}`, open)),
			"properties.options[0].configuration.licenses[0].playRight.scmsRestriction", "32-bit integer"},
		{"options not an array", []byte(`{"properties":{"options":{}}}`), "properties.options", "must be an array"},
		{"properties not an object", []byte(`{"properties":[]}`), "properties", "must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireFieldError(t, defs.Decode(tt.body, new(defs.ContentKeyPolicy)), tt.field, tt.msg)
		})
	}
}

func TestContentKeyPolicyNullUnions(t *testing.T) {
	p := decode[defs.ContentKeyPolicy](t, []byte(`{"properties":{"options":[{"configuration":null}]}}`))
	if p.Properties.Options[0].Configuration != nil || p.Properties.Options[0].Restriction != nil {
		t.Fatal("null union decoded to a value")
	}
	requireFieldError(t, p.Validate(), "properties.options[0].configuration", "is required")
}
