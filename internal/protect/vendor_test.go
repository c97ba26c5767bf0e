package protect_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// TestPreferVendor: a locator whose keys carry a provider's signalling
// is signalled with it (and nothing of Lockstream's own); keys without
// it fall back to the policy's signalling; a locator with none gets the
// built-in signaller.
func TestPreferVendor(t *testing.T) {
	kid := keys.KID{9, 8, 7}
	p, err := widevine.PsshData{KeyIDs: []keys.KID{kid}, Provider: "vendor"}.PSSH()
	if err != nil {
		t.Fatal(err)
	}
	box, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sig := &protect.VendorSignal{Provider: "v", Systems: []protect.VendorSystem{
		{SystemID: drm.Widevine, PSSH: box, ContentProtection: `<cenc:pssh>VENDOR</cenc:pssh>`,
			HLS: &hls.Key{Method: "SAMPLE-AES-CTR", URI: "data:vendor", KeyFormat: widevine.KeyFormat}},
		{SystemID: drm.FairPlay, HLS: &hls.Key{Method: "SAMPLE-AES", URI: "skd://vendor"}},
	}}
	policy := &defs.StreamingPolicyProperties{CommonEncryptionCenc: &defs.CommonEncryptionCenc{
		Drm: &defs.CencDrmConfiguration{Widevine: &defs.StreamingPolicyWidevineConfiguration{}}}}
	urls := func(*protect.Locator) protect.URLs { return protect.URLs{Base: "https://ls.example", Account: "acct"} }
	hook := protect.PreferVendor(urls)

	plain := &protect.Locator{Policy: policy, Keys: []protect.ContentKey{{KID: kid, Type: protect.KeyCenc}}}
	if hook(plain, streamurl.EncCENC) != nil {
		t.Fatal("a locator without provider data got the vendor signaller")
	}
	l := &protect.Locator{Policy: policy, Keys: []protect.ContentKey{{KID: kid, Type: protect.KeyCenc, Vendor: sig}}}
	sg := hook(l, streamurl.EncCENC)
	if sg == nil {
		t.Fatal("no vendor signaller")
	}
	k := &l.Keys[0]
	ps, err := sg.PSSH(k)
	if err != nil || len(ps) != 1 {
		t.Fatalf("pssh: %v %d", err, len(ps))
	}
	var b bytes.Buffer
	if err := ps[0].Encode(&b); err != nil || !bytes.Equal(b.Bytes(), box) {
		t.Fatalf("pssh is not the vendor's: %v", err)
	}
	cps, err := sg.DASH(k)
	if err != nil || len(cps) != 2 || cps[0].DefaultKID != kid.String() || cps[1].Inner != `<cenc:pssh>VENDOR</cenc:pssh>` || cps[1].SchemeIDURI != drm.Widevine.URN() {
		t.Fatalf("dash: %v %+v", err, cps)
	}
	cmaf, err := sg.HLSKeys([]*protect.ContentKey{k}, streamurl.FormatHLSCMAF)
	if err != nil || len(cmaf) != 2 || cmaf[0].URI != "data:vendor" || cmaf[1].URI != "skd://vendor" {
		t.Fatalf("hls cmaf: %v %+v", err, cmaf)
	}
	ts, err := sg.HLSKeys([]*protect.ContentKey{k}, streamurl.FormatHLS)
	iv := cenc.DeriveConstantIV(kid)
	if err != nil || len(ts) != 1 || ts[0].URI != "skd://vendor" || ts[0].IV != "0x"+hex.EncodeToString(iv[:]) {
		t.Fatalf("hls ts (FairPlay only, with the encryptor's IV): %v %+v", err, ts)
	}
	if cmaf[1].IV != "" {
		t.Errorf("CMAF FairPlay tag carries an IV (tenc has it): %+v", cmaf[1])
	}
	// A key the provider sent no signalling for is signalled by
	// Lockstream, never left bare.
	own := &protect.ContentKey{KID: keys.KID{1}, Type: protect.KeyCenc}
	cps, err = sg.DASH(own)
	if err != nil || len(cps) < 2 || !strings.Contains(cps[1].Inner, "https://ls.example") {
		t.Fatalf("fallback dash: %v %+v", err, cps)
	}
}
