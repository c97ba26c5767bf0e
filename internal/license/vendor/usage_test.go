package vendor

import (
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestParseISODuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"PT1H": time.Hour, "P1D": 24 * time.Hour, "P2DT3H4M5S": 51*time.Hour + 4*time.Minute + 5*time.Second,
		"PT0.5S": 500 * time.Millisecond} {
		if got, err := parseISODuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "P", "PT", "1H", "PT1X", "P1Y"} {
		if _, err := parseISODuration(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestUsagePlayReady(t *testing.T) {
	u, err := UsageOf(&defs.ContentKeyPolicyPlayReadyConfiguration{Licenses: []defs.ContentKeyPolicyPlayReadyLicense{{
		LicenseType: defs.ContentKeyPolicyPlayReadyLicenseTypePersistent, SecurityLevel: defs.SecurityLevelSL3000,
		RelativeExpirationDate: "P2D", PlayRight: &defs.ContentKeyPolicyPlayReadyPlayRight{FirstPlayExpiration: "PT3H"}}}})
	if err != nil || !u.Persistent || u.LicenseDuration != 172800 || u.PlaybackDuration != 10800 || u.PlayReadySecurityLevel != 3000 {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err := UsageOf(&defs.ContentKeyPolicyPlayReadyConfiguration{Licenses: []defs.ContentKeyPolicyPlayReadyLicense{{RelativeExpirationDate: "soon"}}}); err == nil {
		t.Fatal("bad duration accepted")
	}
}
