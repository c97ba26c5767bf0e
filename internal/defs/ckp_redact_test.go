package defs_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestContentKeyPolicyRedact(t *testing.T) {
	f := newCKPFixture(t)
	before := mustJSON(t, f.p)

	r := f.p.Redact()
	out := mustJSON(t, r)

	// The original is untouched, secrets included.
	requireSameJSON(t, before, mustJSON(t, f.p))
	if len(f.tok0.PrimaryVerificationKey.(*defs.ContentKeyPolicySymmetricTokenKey).KeyValue) == 0 || len(f.fp.Ask) != 16 {
		t.Fatal("Redact modified the original")
	}

	opts := r.Properties.Options
	tok0 := opts[0].Restriction.(*defs.ContentKeyPolicyTokenRestriction)
	if k := tok0.PrimaryVerificationKey.(*defs.ContentKeyPolicySymmetricTokenKey); len(k.KeyValue) != 0 {
		t.Fatal("symmetric key not blanked")
	}
	if k := tok0.AlternateVerificationKeys[0].(*defs.ContentKeyPolicyRsaTokenKey); len(k.Modulus) != 0 || len(k.Exponent) != 0 {
		t.Fatal("RSA key not blanked")
	}
	if k := tok0.AlternateVerificationKeys[1].(*defs.ContentKeyPolicyX509CertificateTokenKey); len(k.RawBody) != 0 {
		t.Fatal("certificate not blanked")
	}
	fp := opts[3].Configuration.(*defs.ContentKeyPolicyFairPlayConfiguration)
	if len(fp.Ask) != 0 || fp.FairPlayPfx != "" || fp.FairPlayPfxPassword != "" {
		t.Fatalf("FairPlay not blanked: %+v", fp)
	}
	if *fp.RentalDuration != 0 || *fp.OfflineRentalConfiguration.PlaybackDurationSeconds != 500 {
		t.Fatal("FairPlay non-secrets lost")
	}
	// Non-secrets survive.
	if tok0.Issuer != "urn:issuer" || len(tok0.RequiredClaims) != 2 || tok0.RequiredClaims[1].ClaimValue != "premium" {
		t.Fatalf("restriction changed: %+v", tok0)
	}

	// On the wire: blanked secrets are "" (as in the AMS examples), the
	// key types stay visible, and no secret byte string survives.
	for _, want := range []string{
		`"keyValue":""`, `"modulus":""`, `"exponent":""`, `"rawBody":""`,
		`"ask":""`, `"fairPlayPfx":""`, `"fairPlayPfxPassword":""`,
		`"@odata.type":"#Microsoft.Media.ContentKeyPolicyRsaTokenKey"`,
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("redacted JSON lacks %s", want)
		}
	}
	for _, secret := range []string{"AAAAAAAAAAAAAAAAAAAAAA==", "c2VjcmV0LWtleS1mb3Itc3d0", "pfx-password", "AQAB", "MIIB"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("redacted JSON still holds %s", secret)
		}
	}

	// Everything except the secrets is identical.
	var a, b map[string]any
	requireNoError(t, json.Unmarshal(before, &a))
	requireNoError(t, json.Unmarshal(out, &b))
	blank(a)
	blank(b)
	requireSameJSON(t, mustJSON(t, a), mustJSON(t, b))
}

// blank sets every secret member of a decoded JSON tree to "".
func blank(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			switch k {
			case "keyValue", "modulus", "exponent", "rawBody", "ask", "fairPlayPfx", "fairPlayPfxPassword":
				v[k] = ""
			default:
				blank(e)
			}
		}
	case []any:
		for _, e := range v {
			blank(e)
		}
	}
}

func TestRedactAlwaysEmitsTokenArrays(t *testing.T) {
	p := decode[defs.ContentKeyPolicyProperties](t, []byte(`{"options":[{
		"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
		"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","issuer":"i","audience":"a",
			"primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"AQ=="},
			"restrictionTokenType":"Jwt"}}]}`))
	tr := p.Options[0].Restriction.(*defs.ContentKeyPolicyTokenRestriction)
	if tr.AlternateVerificationKeys != nil || tr.RequiredClaims != nil {
		t.Fatal("absent arrays decoded as non-nil")
	}
	for name, v := range map[string]any{"original": p, "redacted": p.Redact()} {
		out := string(mustJSON(t, v))
		if !strings.Contains(out, `"alternateVerificationKeys":[]`) || !strings.Contains(out, `"requiredClaims":[]`) {
			t.Errorf("%s: arrays missing: %s", name, out)
		}
	}
	rr := p.Redact().Options[0].Restriction.(*defs.ContentKeyPolicyTokenRestriction)
	if rr.AlternateVerificationKeys == nil || rr.RequiredClaims == nil {
		t.Fatal("redacted arrays are nil")
	}
}

func TestContentKeyPolicyClone(t *testing.T) {
	f := newCKPFixture(t)
	c := f.p.Properties.Clone()
	requireSameJSON(t, mustJSON(t, f.p.Properties), mustJSON(t, c))

	// A deep copy: changing the clone leaves the original alone.
	ck := c.Options[0].Restriction.(*defs.ContentKeyPolicyTokenRestriction)
	ck.PrimaryVerificationKey.(*defs.ContentKeyPolicySymmetricTokenKey).KeyValue[0] = 0xff
	ck.RequiredClaims[0].ClaimType = "changed"
	c.Options[2].Configuration.(*defs.ContentKeyPolicyPlayReadyConfiguration).Licenses[0].PlayRight.ExplicitAnalogTelevisionOutputRestriction.ConfigurationData = defs.Ptr(int32(0))
	*c.Options[3].Configuration.(*defs.ContentKeyPolicyFairPlayConfiguration).RentalDuration = 99
	c.Options[3].Configuration.(*defs.ContentKeyPolicyFairPlayConfiguration).Ask[0] ^= 1
	requireSameJSON(t, sample(t, "content_key_policy.json"), mustJSON(t, f.p))

	var nilProps *defs.ContentKeyPolicyProperties
	if nilProps.Redact() != nil || nilProps.Clone() != nil || (*defs.ContentKeyPolicy)(nil).Redact() != nil {
		t.Fatal("nil receivers")
	}
	// Typed nils and nil unions survive copying.
	p := &defs.ContentKeyPolicyProperties{Options: []defs.ContentKeyPolicyOption{
		{Configuration: (*defs.ContentKeyPolicyFairPlayConfiguration)(nil), Restriction: (*defs.ContentKeyPolicyTokenRestriction)(nil)},
		{},
	}}
	if r := p.Redact(); r.Options[0].Configuration != nil || r.Options[1].Restriction != nil {
		t.Fatal("typed nil copied as a value")
	}
}

func TestRedactUnknownMembers(t *testing.T) {
	p := decode[defs.ContentKeyPolicyProperties](t, []byte(`{"options":[{
		"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyUnknownConfiguration"},
		"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyUnknownRestriction"}}]}`))
	r := p.Redact()
	requireSameJSON(t, mustJSON(t, p), mustJSON(t, r))
	if _, ok := r.Options[0].Restriction.(*defs.ContentKeyPolicyUnknownRestriction); !ok {
		t.Fatalf("restriction copied as %T", r.Options[0].Restriction)
	}
}
