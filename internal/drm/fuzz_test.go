package drm_test

import (
	"bytes"
	"testing"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

// FuzzParsePSSHBoxes checks that untrusted init data never panics the
// parser and that whatever it accepts re-encodes to the same bytes (the
// parser keeps no information the encoder loses, and accepts no
// non-canonical encoding).
//
// Corpus in testdata/fuzz/FuzzParsePSSHBoxes: data-size-overruns-into-next-box
// and kid-count-overruns-box guard the reader cut to the declared box size
// (mp4ff alone would read into the following box).
func FuzzParsePSSHBoxes(f *testing.F) {
	seeds := []drm.PSSH{
		{Version: 1, SystemID: drm.Common, KIDs: []keys.KID{{1, 2, 3}}},
		{SystemID: drm.Widevine, Data: []byte{0x12, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		{Version: 1, SystemID: drm.PlayReady, Data: []byte("pro")},
	}
	var all []byte
	for _, p := range seeds {
		b, err := p.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		all = append(all, b...)
	}
	f.Add(all)
	f.Fuzz(func(t *testing.T, in []byte) {
		boxes, err := drm.ParsePSSHBoxes(in)
		if err != nil {
			return
		}
		var out []byte
		for _, p := range boxes {
			b, err := p.Marshal()
			if err != nil {
				t.Fatalf("accepted box does not marshal: %v", err)
			}
			out = append(out, b...)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("round trip changed bytes\n in %x\nout %x", in, out)
		}
	})
}
