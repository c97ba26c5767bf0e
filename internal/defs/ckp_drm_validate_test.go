package defs_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// TestContentKeyPolicyValidateDRM covers the Widevine, PlayReady and
// FairPlay configurations of testdata/content_key_policy.json.
func TestContentKeyPolicyValidateDRM(t *testing.T) {
	runCKPCases(t, []ckpCase{
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
		{"first play expiration", func(f *ckpFixture) { f.playRight().FirstPlayExpiration = "48h" }, pr0 + "firstPlayExpiration", "ISO 8601"},
		{"scms range", func(f *ckpFixture) { f.playRight().ScmsRestriction = defs.Ptr(int32(4)) }, pr0 + "scmsRestriction", "0-3"},
		{"agc range", func(f *ckpFixture) { f.playRight().AgcAndColorStripeRestriction = defs.Ptr(int32(-1)) }, pr0 + "agcAndColorStripeRestriction", "0-3"},
		{"explicit analog bestEffort", func(f *ckpFixture) { f.playRight().ExplicitAnalogTelevisionOutputRestriction.BestEffort = nil },
			pr0 + "explicitAnalogTelevisionOutputRestriction.bestEffort", "is required"},
		{"explicit analog data range", func(f *ckpFixture) {
			f.playRight().ExplicitAnalogTelevisionOutputRestriction.ConfigurationData = defs.Ptr(int32(5))
		}, pr0 + "explicitAnalogTelevisionOutputRestriction.configurationData", "0-3"},
		{"explicit analog data required", func(f *ckpFixture) {
			f.playRight().ExplicitAnalogTelevisionOutputRestriction.ConfigurationData = nil
		}, pr0 + "explicitAnalogTelevisionOutputRestriction.configurationData", "is required"},
		{"play right booleans required", func(f *ckpFixture) { f.playRight().ImageConstraintForAnalogComputerMonitorRestriction = nil },
			pr0 + "imageConstraintForAnalogComputerMonitorRestriction", "is required"},
		{"unknown output option", func(f *ckpFixture) {
			f.playRight().AllowPassingVideoContentToUnknownOutput = defs.ContentKeyPolicyPlayReadyUnknownOutputPassingOptionUnknown
		}, pr0 + "allowPassingVideoContentToUnknownOutput", "not one of"},
		{"OPL range", func(f *ckpFixture) { f.playRight().AnalogVideoOpl = defs.Ptr(int32(70000)) }, pr0 + "analogVideoOpl", "0-65535"},

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
	})
}
