package speke

import (
	"testing"

	"github.com/lockstream/lockstream/internal/cpix"
)

// FuzzCheck: the SPEKE profile check never panics on any document the
// CPIX parser accepts, and what it accepts has a content id, a supported
// version and one known scheme for every key.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" contentId="c" version="2.3"><cpix:ContentKeyList><cpix:ContentKey kid="0f083e4e-b831-4a3d-917e-ce78076e54aa" commonEncryptionScheme="cenc"/></cpix:ContentKeyList><cpix:DRMSystemList><cpix:DRMSystem kid="0f083e4e-b831-4a3d-917e-ce78076e54aa" systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"><cpix:PSSH/></cpix:DRMSystem></cpix:DRMSystemList><cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="0f083e4e-b831-4a3d-917e-ce78076e54aa" intendedTrackType="VIDEO"><cpix:VideoFilter/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList></cpix:CPIX>`), "2.0")
	f.Add([]byte(`<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" contentId="c" version="2.4"><cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p" index="1"/></cpix:ContentKeyPeriodList></cpix:CPIX>`), "2.1")
	f.Fuzz(func(t *testing.T, b []byte, version string) {
		d, err := cpix.Parse(b)
		if err != nil {
			return
		}
		if err := Check(d, version); err != nil {
			return
		}
		if d.ContentID == "" || Versions[version] != d.Version || len(d.ContentKeys) == 0 {
			t.Fatalf("accepted %+v for SPEKE %q", d, version)
		}
		for _, ck := range d.ContentKeys {
			if !schemes[ck.CommonEncryptionScheme] || ck.CommonEncryptionScheme != d.ContentKeys[0].CommonEncryptionScheme || ck.Value != nil {
				t.Fatalf("accepted key %+v", ck)
			}
		}
		for _, s := range d.DRMSystems {
			if d.Key(s.KID) == nil || !Supported(s.SystemID) {
				t.Fatalf("accepted system %+v", s)
			}
		}
	})
}
