package widevine_test

import (
	"reflect"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keys"
)

// FuzzUnmarshalPsshData checks that PSSH data from key servers or CPIX
// documents never panics the decoder, and that whatever it accepts
// re-encodes to a message that decodes to the same value.
func FuzzUnmarshalPsshData(f *testing.F) {
	for _, d := range []widevine.PsshData{
		{KeyIDs: []keys.KID{{1}, {2}}, ProtectionScheme: "cbcs"},
		{KeyIDs: []keys.KID{{3}}, Provider: "widevine_test", ContentID: []byte("cid"), Policy: "p"},
	} {
		b, err := d.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x08, 0x01, 0x12, 0x10, 15: 0, 31: 0, 0x48, 0xe3, 0xdc, 0x95, 0x9b, 0x06})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := widevine.UnmarshalPsshData(b)
		if err != nil {
			return
		}
		out, err := d.Marshal()
		if err != nil {
			t.Fatalf("accepted data does not marshal: %v", err)
		}
		d2, err := widevine.UnmarshalPsshData(out)
		if err != nil {
			t.Fatalf("re-encoded data rejected: %v", err)
		}
		if d.ProtectionScheme == widevine.SchemeCENC {
			d.ProtectionScheme = "" // Marshal omits the default
		}
		if len(d.ContentID) == 0 {
			d.ContentID = nil
		}
		if !reflect.DeepEqual(d, d2) {
			t.Fatalf("round trip: %+v -> %+v", d, d2)
		}
	})
}
