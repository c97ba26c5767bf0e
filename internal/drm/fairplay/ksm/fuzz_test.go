package ksm

import (
	"bytes"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/fairplay/ksm/ksmtest"
)

// FuzzParseSPC feeds arbitrary bytes to every parser of untrusted SPC
// input: the wire forms, the container and the TLLV payload (also the
// decrypted payload of a real SPC, so that mutations reach the TLLV
// checks). Nothing may panic, and what parses must hold its invariants.
func FuzzParseSPC(f *testing.F) {
	cr, err := ksmtest.NewCredentials(1024, "")
	if err != nil {
		f.Fatal(err)
	}
	for _, o := range []ksmtest.SPCOptions{
		{AssetID: []byte("skd://kd.example.com/FairPlay/?kid=6f1c2a4e-8b3d-4c5e-9f70-112233445566")},
		{AssetID: []byte("6f1c2a4e8b3d4c5e9f70112233445566"), ReturnTags: []uint64{ksmtest.TagTransactionID}, PlaybackState: true, Capabilities: CapOfflineKey},
	} {
		spc, _, err := cr.NewSPC(o)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(spc)
		c, err := ParseContainer(spc)
		if err != nil {
			f.Fatal(err)
		}
		plain, err := c.Open(cr.Key)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(plain)
		f.Add([]byte("spc=" + string(spc)))
	}
	f.Add([]byte{0, 0, 0, 2})
	f.Add([]byte(`{"spc":"AAAAAQ=="}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if raw, _, err := decodeWire(b, ""); err == nil && raw == nil {
			t.Fatal("decodeWire: no error and no SPC")
		}
		if c, err := ParseContainer(b); err == nil {
			if c.Version != 1 && c.Version != 2 || len(c.Payload) == 0 || len(c.Payload)%16 != 0 {
				t.Fatalf("container accepted: version %d, payload %d", c.Version, len(c.Payload))
			}
			if !bytes.HasSuffix(b, c.Payload) {
				t.Fatal("payload is not the tail of the SPC")
			}
		}
		d, err := ParseData(b)
		if err != nil {
			return
		}
		if len(d.SKR1) != skr1Size || len(d.SKR1Integrity) != 16 || len(d.R2) != r2Size || len(d.AntiReplay) != 16 ||
			len(d.AssetID) < assetIDMin || len(d.AssetID) > assetIDMax {
			t.Fatalf("payload accepted with bad sizes")
		}
		for _, tag := range d.ReturnTags {
			found := false
			for _, tl := range d.TLLVs {
				found = found || tl.Tag == tag
			}
			if !found {
				t.Fatalf("return tag %#x accepted without its TLLV", tag)
			}
		}
		_, _ = assetKID(d.AssetID)
	})
}
