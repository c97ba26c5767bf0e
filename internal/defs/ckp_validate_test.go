package defs_test

import (
	"encoding/base64"
	"encoding/pem"
	"testing"
	"time"

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

func TestContentKeyPolicyValidate(t *testing.T) {
	const (
		opt0 = "properties.options[0]."
		opt1 = "properties.options[1]."
		opt2 = "properties.options[2]."
		opt3 = "properties.options[3]."
		lic0 = opt2 + "configuration.licenses[0]."
		pr   = lic0 + "playRight."
	)
	tests := []struct {
		name   string
		mutate func(f *ckpFixture)
		field  string // "" = valid
		msg    string
	}{
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

		// Widevine.
		{"widevine template required", func(f *ckpFixture) { f.wv.WidevineTemplate = "" }, opt1 + "configuration.widevineTemplate", "is required"},
		{"widevine defaults", func(f *ckpFixture) { f.wv.WidevineTemplate = " {} " }, "", ""},
		{"widevine template must be JSON", func(f *ckpFixture) { f.wv.WidevineTemplate = "{allowed_track_types: SD_HD}" },
			opt1 + "configuration.widevineTemplate", "JSON object"},
		{"widevine template must be an object", func(f *ckpFixture) { f.wv.WidevineTemplate = "[]" },
			opt1 + "configuration.widevineTemplate", "JSON object"},
		{"widevine track types", func(f *ckpFixture) { f.wv.WidevineTemplate = `{"allowed_track_types":"HD_ONLY"}` },
			opt1 + "configuration.widevineTemplate", "allowed_track_types"},
		{"widevine security level", func(f *ckpFixture) { f.wv.WidevineTemplate = `{"content_key_specs":[{},{"security_level":6}]}` },
			opt1 + "configuration.widevineTemplate", "content_key_specs[1].security_level must be 1-5"},
		{"widevine hdcp", func(f *ckpFixture) {
			f.wv.WidevineTemplate = `{"content_key_specs":[{"required_output_protection":{"hdcp":"HDCP_V3"}}]}`
		}, opt1 + "configuration.widevineTemplate", "hdcp"},
		{"widevine member types", func(f *ckpFixture) { f.wv.WidevineTemplate = `{"content_key_specs":[{"security_level":"1"}]}` },
			opt1 + "configuration.widevineTemplate", "content_key_specs.security_level must be a 64-bit integer"},
		{"widevine unknown members kept", func(f *ckpFixture) { f.wv.WidevineTemplate = `{"can persist":true,"session_init":{"x":1}}` }, "", ""},

		// PlayReady.
		{"licenses required", func(f *ckpFixture) { f.pr.Licenses = nil }, opt2 + "configuration.licenses", "at least one license"},
		{"allowTestDevices required", func(f *ckpFixture) { f.pr.Licenses[0].AllowTestDevices = nil }, lic0 + "allowTestDevices", "is required"},
		{"license type Unknown", func(f *ckpFixture) { f.pr.Licenses[0].LicenseType = defs.ContentKeyPolicyPlayReadyLicenseTypeUnknown },
			lic0 + "licenseType", `"Unknown" is not one of NonPersistent, Persistent`},
		{"content type required", func(f *ckpFixture) { f.pr.Licenses[0].ContentType = "" }, lic0 + "contentType", "is required"},
		{"content type Unknown", func(f *ckpFixture) { f.pr.Licenses[0].ContentType = defs.ContentKeyPolicyPlayReadyContentTypeUnknown },
			lic0 + "contentType", "not one of"},
		{"key location required", func(f *ckpFixture) { f.pr.Licenses[0].ContentKeyLocation = nil }, lic0 + "contentKeyLocation", "is required"},
		{"key id must be a GUID", func(f *ckpFixture) {
			f.pr.Licenses[1].ContentKeyLocation = &defs.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier{KeyID: "kid-1"}
		}, opt2 + "configuration.licenses[1].contentKeyLocation.keyId", "not a GUID"},
		{"key id required", func(f *ckpFixture) {
			f.pr.Licenses[1].ContentKeyLocation = &defs.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier{}
		}, opt2 + "configuration.licenses[1].contentKeyLocation.keyId", "is required"},
		{"upper-case key id accepted", func(f *ckpFixture) {
			f.pr.Licenses[1].ContentKeyLocation = &defs.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier{KeyID: "D6D1A9AE-13BB-4E4B-8D64-8E6D5D7C1A9B"}
		}, "", ""},
		{"security level Unknown", func(f *ckpFixture) { f.pr.Licenses[0].SecurityLevel = defs.SecurityLevelUnknown }, lic0 + "securityLevel", "not one of"},
		{"absolute and relative begin", func(f *ckpFixture) { f.pr.Licenses[0].RelativeBeginDate = "PT1H" }, lic0 + "relativeBeginDate", "beginDate"},
		{"absolute and relative expiration", func(f *ckpFixture) {
			f.pr.Licenses[0].ExpirationDate = defs.NewTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		}, lic0 + "relativeExpirationDate", "expirationDate"},
		{"expiration after begin", func(f *ckpFixture) {
			f.pr.Licenses[0].RelativeExpirationDate = ""
			f.pr.Licenses[0].ExpirationDate = defs.NewTime(f.pr.Licenses[0].BeginDate.Time)
		}, lic0 + "expirationDate", "after beginDate"},
		{"grace period duration", func(f *ckpFixture) { f.pr.Licenses[0].GracePeriod = "1 hour" }, lic0 + "gracePeriod", "ISO 8601"},
		{"empty time part", func(f *ckpFixture) { f.pr.Licenses[0].GracePeriod = "PT" }, lic0 + "gracePeriod", "ISO 8601"},
		{"bare P", func(f *ckpFixture) { f.pr.Licenses[0].RelativeExpirationDate = "P" }, lic0 + "relativeExpirationDate", "ISO 8601"},
		{"durations accepted", func(f *ckpFixture) {
			f.pr.Licenses[0].GracePeriod = "P1DT2H0.5S"
			f.pr.Licenses[0].RelativeExpirationDate = "-PT5M"
			f.playRight().FirstPlayExpiration = "P1W"
		}, "", ""},
		{"first play expiration", func(f *ckpFixture) { f.playRight().FirstPlayExpiration = "48h" }, pr + "firstPlayExpiration", "ISO 8601"},
		{"scms range", func(f *ckpFixture) { f.playRight().ScmsRestriction = defs.Ptr(int32(4)) }, pr + "scmsRestriction", "0-3"},
		{"agc range", func(f *ckpFixture) { f.playRight().AgcAndColorStripeRestriction = defs.Ptr(int32(-1)) }, pr + "agcAndColorStripeRestriction", "0-3"},
		{"explicit analog bestEffort", func(f *ckpFixture) { f.playRight().ExplicitAnalogTelevisionOutputRestriction.BestEffort = nil },
			pr + "explicitAnalogTelevisionOutputRestriction.bestEffort", "is required"},
		{"explicit analog data range", func(f *ckpFixture) {
			f.playRight().ExplicitAnalogTelevisionOutputRestriction.ConfigurationData = defs.Ptr(int32(5))
		}, pr + "explicitAnalogTelevisionOutputRestriction.configurationData", "0-3"},
		{"explicit analog data required", func(f *ckpFixture) {
			f.playRight().ExplicitAnalogTelevisionOutputRestriction.ConfigurationData = nil
		}, pr + "explicitAnalogTelevisionOutputRestriction.configurationData", "is required"},
		{"play right booleans required", func(f *ckpFixture) { f.playRight().ImageConstraintForAnalogComputerMonitorRestriction = nil },
			pr + "imageConstraintForAnalogComputerMonitorRestriction", "is required"},
		{"unknown output option", func(f *ckpFixture) {
			f.playRight().AllowPassingVideoContentToUnknownOutput = defs.ContentKeyPolicyPlayReadyUnknownOutputPassingOptionUnknown
		}, pr + "allowPassingVideoContentToUnknownOutput", "not one of"},
		{"OPL range", func(f *ckpFixture) { f.playRight().AnalogVideoOpl = defs.Ptr(int32(70000)) }, pr + "analogVideoOpl", "0-65535"},

		// FairPlay.
		{"ask required", func(f *ckpFixture) { f.fp.Ask = nil }, opt3 + "configuration.ask", "is required"},
		{"ask is 16 bytes", func(f *ckpFixture) { f.fp.Ask = f.fp.Ask[:15] }, opt3 + "configuration.ask", "exactly 16 bytes (got 15)"},
		{"pfx required", func(f *ckpFixture) { f.fp.FairPlayPfx = "" }, opt3 + "configuration.fairPlayPfx", "is required"},
		{"pfx base64", func(f *ckpFixture) { f.fp.FairPlayPfx = "not base64" }, opt3 + "configuration.fairPlayPfx", "base64"},
		{"pfx ASN.1", func(f *ckpFixture) { f.fp.FairPlayPfx = base64.StdEncoding.EncodeToString([]byte("-----BEGIN")) },
			opt3 + "configuration.fairPlayPfx", "PKCS#12"},
		{"empty pfx password accepted", func(f *ckpFixture) { f.fp.FairPlayPfxPassword = "" }, "", ""},
		{"rental type Unknown", func(f *ckpFixture) {
			f.fp.RentalAndLeaseKeyType = defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeUnknown
		}, opt3 + "configuration.rentalAndLeaseKeyType", "not one of"},
		{"rental duration required", func(f *ckpFixture) { f.fp.RentalDuration = nil }, opt3 + "configuration.rentalDuration", "is required"},
		{"rental duration non-negative", func(f *ckpFixture) { f.fp.RentalDuration = defs.Ptr(int64(-1)) }, opt3 + "configuration.rentalDuration", "0 or more"},
		{"dual expiry needs offline config", func(f *ckpFixture) { f.fp.OfflineRentalConfiguration = nil },
			opt3 + "configuration.offlineRentalConfiguration", "DualExpiry"},
		{"offline config optional otherwise", func(f *ckpFixture) {
			f.fp.OfflineRentalConfiguration = nil
			f.fp.RentalAndLeaseKeyType = defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentLimited
		}, "", ""},
		{"offline playback required", func(f *ckpFixture) { f.fp.OfflineRentalConfiguration.PlaybackDurationSeconds = nil },
			opt3 + "configuration.offlineRentalConfiguration.playbackDurationSeconds", "is required"},
		{"offline storage non-negative", func(f *ckpFixture) { f.fp.OfflineRentalConfiguration.StorageDurationSeconds = defs.Ptr(int64(-5)) },
			opt3 + "configuration.offlineRentalConfiguration.storageDurationSeconds", "0 or more"},
	}
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
