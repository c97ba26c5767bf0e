package cpix_test

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

// A key consumer builds a SPEKE-style request (empty elements ask the
// provider to fill them in) and reads the provider's answer.
func Example() {
	kid, _ := keys.ParseKID("0f083e4e-b831-4a3d-917e-ce78076e54aa")
	req := &cpix.Document{ContentID: "movie-1", Version: cpix.Version23,
		ContentKeys: []cpix.ContentKey{{KID: kid, CommonEncryptionScheme: "cbcs"}},
		DRMSystems:  []cpix.DRMSystem{{KID: kid, SystemID: drm.Widevine, PSSH: cpix.Set(nil)}},
	}
	b, _ := req.Marshal()
	fmt.Println(len(b) > 0)

	answer := `<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="movie-1" version="2.3">
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="0f083e4e-b831-4a3d-917e-ce78076e54aa" commonEncryptionScheme="cbcs">
      <cpix:Data><pskc:Secret><pskc:PlainValue>AAECAwQFBgcICQoLDA0ODw==</pskc:PlainValue></pskc:Secret></cpix:Data>
    </cpix:ContentKey>
  </cpix:ContentKeyList>
</cpix:CPIX>`
	d, err := cpix.Parse([]byte(answer))
	if err != nil {
		fmt.Println(err)
		return
	}
	k := d.Key(kid)
	fmt.Println(d.ContentID, k.CommonEncryptionScheme, k.Value.Base64())
	// Output:
	// true
	// movie-1 cbcs AAECAwQFBgcICQoLDA0ODw==
}
