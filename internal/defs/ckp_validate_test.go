package defs_test

import (
	"encoding/pem"
	"errors"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

// ckpFixture names the parts of testdata/content_key_policy.json that the
// validation cases mutate.
type ckpFixture struct {
	p    *defs.ContentKeyPolicy
	tok0 *defs.ContentKeyPolicyTokenRestriction // JWT: symmetric primary, RSA + X.509 alternates
	wv   *defs.ContentKeyPolicyWidevineConfiguration
	pr   *defs.ContentKeyPolicyPlayReadyConfiguration
	tok2 *defs.ContentKeyPolicyTokenRestriction // JWT with OpenID Connect discovery, no primary key
	fp   *defs.ContentKeyPolicyFairPlayConfiguration
	tok3 *defs.ContentKeyPolicyTokenRestriction // SWT
}

func newCKPFixture(t *testing.T) *ckpFixture {
	p := decode[defs.ContentKeyPolicy](t, sample(t, "content_key_policy.json"))
	o := p.Properties.Options
	return &ckpFixture{
		p:    p,
		tok0: o[0].Restriction.(*defs.ContentKeyPolicyTokenRestriction),
		wv:   o[1].Configuration.(*defs.ContentKeyPolicyWidevineConfiguration),
		pr:   o[2].Configuration.(*defs.ContentKeyPolicyPlayReadyConfiguration),
		tok2: o[2].Restriction.(*defs.ContentKeyPolicyTokenRestriction),
		fp:   o[3].Configuration.(*defs.ContentKeyPolicyFairPlayConfiguration),
		tok3: o[3].Restriction.(*defs.ContentKeyPolicyTokenRestriction),
	}
}

func (f *ckpFixture) rsa() *defs.ContentKeyPolicyRsaTokenKey {
	return f.tok0.AlternateVerificationKeys[0].(*defs.ContentKeyPolicyRsaTokenKey)
}

func (f *ckpFixture) x509() *defs.ContentKeyPolicyX509CertificateTokenKey {
	return f.tok0.AlternateVerificationKeys[1].(*defs.ContentKeyPolicyX509CertificateTokenKey)
}

func (f *ckpFixture) playRight() *defs.ContentKeyPolicyPlayReadyPlayRight {
	return f.pr.Licenses[0].PlayRight
}

// oddModulus returns an odd modulus of exactly bits bits.
func oddModulus(bits int) defs.Base64 {
	m := make([]byte, bits/8)
	m[0], m[len(m)-1] = 0x80, 0x01
	return m
}

const (
	opt0 = "properties.options[0]."
	opt1 = "properties.options[1]."
	opt2 = "properties.options[2]."
	opt3 = "properties.options[3]."
	lic0 = opt2 + "configuration.licenses[0]."
	pr0  = lic0 + "playRight."
)

// ckpCase mutates the sample policy and names the error Validate must
// return ("" = valid).
type ckpCase struct {
	name   string
	mutate func(f *ckpFixture)
	field  string
	msg    string
}

func runCKPCases(t *testing.T, tests []ckpCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newCKPFixture(t)
			tt.mutate(f)
			err := f.p.Validate()
			if tt.field == "" {
				requireNoError(t, err)
				return
			}
			requireFieldError(t, err, tt.field, tt.msg)
		})
	}
}

func TestContentKeyPolicyValidate(t *testing.T) {
	runCKPCases(t, []ckpCase{
		{"sample is valid", func(*ckpFixture) {}, "", ""},
		{"properties required", func(f *ckpFixture) { f.p.Properties = nil }, "properties", "is required"},
		{"options required", func(f *ckpFixture) { f.p.Properties.Options = nil }, "properties.options", "at least one option"},
		{"at most 30 options", func(f *ckpFixture) {
			for len(f.p.Properties.Options) < 31 {
				f.p.Properties.Options = append(f.p.Properties.Options, f.p.Properties.Options[1])
			}
		}, "properties.options", "at most 30"},
		{"30 options allowed", func(f *ckpFixture) {
			for len(f.p.Properties.Options) < 30 {
				f.p.Properties.Options = append(f.p.Properties.Options, f.p.Properties.Options[1])
			}
		}, "", ""},
		{"configuration required", func(f *ckpFixture) { f.p.Properties.Options[0].Configuration = nil }, opt0 + "configuration", "is required"},
		{"typed nil configuration", func(f *ckpFixture) {
			f.p.Properties.Options[1].Configuration = (*defs.ContentKeyPolicyWidevineConfiguration)(nil)
		}, opt1 + "configuration", "is required"},
		{"restriction required", func(f *ckpFixture) { f.p.Properties.Options[1].Restriction = nil }, opt1 + "restriction", "is required"},
		{"unknown configuration rejected", func(f *ckpFixture) {
			f.p.Properties.Options[1].Configuration = &defs.ContentKeyPolicyUnknownConfiguration{}
		}, opt1 + "configuration.@odata.type", "cannot be created"},
		{"unknown restriction rejected", func(f *ckpFixture) {
			f.p.Properties.Options[1].Restriction = &defs.ContentKeyPolicyUnknownRestriction{}
		}, opt1 + "restriction.@odata.type", "cannot be created"},

		// Token restrictions.
		{"issuer required", func(f *ckpFixture) { f.tok0.Issuer = "" }, opt0 + "restriction.issuer", "is required"},
		{"audience required", func(f *ckpFixture) { f.tok0.Audience = "  " }, opt0 + "restriction.audience", "is required"},
		{"token type required", func(f *ckpFixture) { f.tok0.RestrictionTokenType = "" }, opt0 + "restriction.restrictionTokenType", "is required"},
		{"token type Unknown rejected", func(f *ckpFixture) {
			f.tok0.RestrictionTokenType = defs.ContentKeyPolicyRestrictionTokenTypeUnknown
		}, opt0 + "restriction.restrictionTokenType", `"Unknown" is not one of Jwt, Swt`},
		{"token type is case-sensitive", func(f *ckpFixture) { f.tok0.RestrictionTokenType = "jwt" }, opt0 + "restriction.restrictionTokenType", "not one of"},
		{"primary key required without OIDC", func(f *ckpFixture) { f.tok0.PrimaryVerificationKey = nil },
			opt0 + "restriction.primaryVerificationKey", "unless openIdConnectDiscoveryDocument"},
		{"symmetric key required", func(f *ckpFixture) {
			f.tok0.PrimaryVerificationKey = &defs.ContentKeyPolicySymmetricTokenKey{}
		}, opt0 + "restriction.primaryVerificationKey.keyValue", "is required"},
		{"typed nil key", func(f *ckpFixture) {
			f.tok0.PrimaryVerificationKey = (*defs.ContentKeyPolicySymmetricTokenKey)(nil)
		}, opt0 + "restriction.primaryVerificationKey", "is required"},
		{"RSA modulus required", func(f *ckpFixture) { f.rsa().Modulus = nil },
			opt0 + "restriction.alternateVerificationKeys[0].modulus", "is required"},
		{"RSA modulus below 1024 bits", func(f *ckpFixture) { f.rsa().Modulus = oddModulus(1016) },
			opt0 + "restriction.alternateVerificationKeys[0].modulus", "at least 1024 bits (got 1016)"},
		{"RSA 1024-bit modulus accepted", func(f *ckpFixture) { f.rsa().Modulus = oddModulus(1024) }, "", ""},
		{"RSA leading zero bytes ignored", func(f *ckpFixture) {
			f.rsa().Modulus = append(defs.Base64{0, 0}, oddModulus(1016)...)
		}, opt0 + "restriction.alternateVerificationKeys[0].modulus", "got 1016"},
		{"RSA modulus above 16384 bits", func(f *ckpFixture) { f.rsa().Modulus = oddModulus(16392) },
			opt0 + "restriction.alternateVerificationKeys[0].modulus", "at most 16384"},
		{"RSA modulus must be odd", func(f *ckpFixture) {
			m := oddModulus(2048)
			m[len(m)-1] = 2
			f.rsa().Modulus = m
		}, opt0 + "restriction.alternateVerificationKeys[0].modulus", "odd"},
		{"RSA exponent required", func(f *ckpFixture) { f.rsa().Exponent = nil },
			opt0 + "restriction.alternateVerificationKeys[0].exponent", "is required"},
		{"RSA exponent even", func(f *ckpFixture) { f.rsa().Exponent = defs.Base64{1, 0, 0} },
			opt0 + "restriction.alternateVerificationKeys[0].exponent", "odd integer"},
		{"RSA exponent 1", func(f *ckpFixture) { f.rsa().Exponent = defs.Base64{1} },
			opt0 + "restriction.alternateVerificationKeys[0].exponent", "odd integer"},
		{"RSA exponent too large", func(f *ckpFixture) { f.rsa().Exponent = defs.Base64{1, 0, 0, 0, 1} },
			opt0 + "restriction.alternateVerificationKeys[0].exponent", "odd integer"},
		{"X.509 rawBody required", func(f *ckpFixture) { f.x509().RawBody = defs.Base64{} },
			opt0 + "restriction.alternateVerificationKeys[1].rawBody", "is required"},
		{"X.509 rawBody must be a certificate", func(f *ckpFixture) { f.x509().RawBody = defs.Base64("not a certificate") },
			opt0 + "restriction.alternateVerificationKeys[1].rawBody", "DER or PEM X.509 certificate (PKCS#12 is not supported)"},
		{"X.509 PEM accepted", func(f *ckpFixture) {
			f.x509().RawBody = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.x509().RawBody})
		}, "", ""},
		{"alternate key must not be null", func(f *ckpFixture) { f.tok0.AlternateVerificationKeys[0] = nil },
			opt0 + "restriction.alternateVerificationKeys[0]", "is required"},
		{"claim type required", func(f *ckpFixture) { f.tok0.RequiredClaims[1].ClaimType = "" },
			opt0 + "restriction.requiredClaims[1].claimType", "is required"},
		{"OIDC document must be absolute", func(f *ckpFixture) { f.tok2.OpenIDConnectDiscoveryDocument = "/.well-known/openid-configuration" },
			opt2 + "restriction.openIdConnectDiscoveryDocument", "absolute URL"},
		{"OIDC document http accepted", func(f *ckpFixture) {
			f.tok2.OpenIDConnectDiscoveryDocument = "http://sts.local/.well-known/openid-configuration"
		}, "", ""},
		{"OIDC document scheme", func(f *ckpFixture) { f.tok2.OpenIDConnectDiscoveryDocument = "ftp://sts.local/doc" },
			opt2 + "restriction.openIdConnectDiscoveryDocument", "scheme"},
		{"OIDC needs JWT", func(f *ckpFixture) {
			f.tok2.RestrictionTokenType = defs.ContentKeyPolicyRestrictionTokenTypeSwt
		}, opt2 + "restriction.openIdConnectDiscoveryDocument", "requires restrictionTokenType Jwt"},
		{"SWT needs symmetric keys", func(f *ckpFixture) {
			f.tok3.AlternateVerificationKeys = f.tok0.AlternateVerificationKeys
		}, opt3 + "restriction.alternateVerificationKeys[0].@odata.type", "symmetric keys only"},
	})
}

// TestSymmetricKeyLength: keys under 16 bytes are refused naming the
// field; 16 to 31 bytes are accepted (AMS did) and reported by
// ShortSymmetricTokenKeys so the API can warn; 32 bytes are not.
func TestSymmetricKeyLength(t *testing.T) {
	policy := func(n int) *defs.ContentKeyPolicy {
		return &defs.ContentKeyPolicy{Properties: &defs.ContentKeyPolicyProperties{Options: []defs.ContentKeyPolicyOption{{
			Configuration: &defs.ContentKeyPolicyClearKeyConfiguration{},
			Restriction: &defs.ContentKeyPolicyTokenRestriction{
				Issuer: "urn:i", Audience: "urn:a", RestrictionTokenType: defs.ContentKeyPolicyRestrictionTokenTypeJwt,
				PrimaryVerificationKey:    &defs.ContentKeyPolicySymmetricTokenKey{KeyValue: make([]byte, 40)},
				AlternateVerificationKeys: []defs.ContentKeyPolicyRestrictionTokenKey{&defs.ContentKeyPolicySymmetricTokenKey{KeyValue: make([]byte, n)}},
			},
		}}}}
	}
	const field = "properties.options[0].restriction.alternateVerificationKeys[0].keyValue"
	var fe *defs.FieldError
	if err := policy(15).Validate(); !errors.As(err, &fe) || fe.Field != field {
		t.Fatalf("15-byte key: %v, want a field error on %s", err, field)
	}
	for n, short := range map[int]bool{16: true, 31: true, 32: false} {
		p := policy(n)
		if err := p.Validate(); err != nil {
			t.Fatalf("%d-byte key: %v", n, err)
		}
		got := defs.ShortSymmetricTokenKeys(p.Properties)
		if short != (len(got) == 1 && got[0] == field) || !short && len(got) != 0 {
			t.Errorf("%d-byte key: ShortSymmetricTokenKeys = %v", n, got)
		}
	}
}

// TestDecodeRefusesDuplicates: Decode names a member given twice, at any
// depth, instead of keeping the last.
func TestDecodeRefusesDuplicates(t *testing.T) {
	var p defs.ContentKeyPolicy
	err := defs.Decode([]byte(`{"properties":{"description":"a","options":[],"options":[]}}`), &p)
	var fe *defs.FieldError
	if !errors.As(err, &fe) || fe.Field != "properties.options" {
		t.Fatalf("err = %v, want a field error on properties.options", err)
	}
}
