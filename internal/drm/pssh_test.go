package drm_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

func mustKID(t testing.TB, s string) keys.KID {
	t.Helper()
	k, err := keys.ParseKID(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPSSHMarshal(t *testing.T) {
	kid1 := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	kid2 := mustKID(t, "339c45b5-fb6d-4bd9-994c-eabd9d41c95b")
	tests := []struct {
		name string
		p    drm.PSSH
		want string // hex, spaces ignored
	}{
		{
			name: "version 0 with data",
			p:    drm.PSSH{SystemID: drm.Widevine, Data: []byte{0x12, 0x00}},
			want: "00000022 70737368 00000000 edef8ba979d64acea3c827dcd51d21ed 00000002 1200",
		},
		{
			name: "version 0 empty data",
			p:    drm.PSSH{SystemID: drm.PlayReady},
			want: "00000020 70737368 00000000 9a04f07998404286ab92e65be0885f95 00000000",
		},
		{
			name: "version 1 two kids",
			p:    drm.PSSH{Version: 1, SystemID: drm.Common, KIDs: []keys.KID{kid1, kid2}},
			want: "00000044 70737368 01000000 1077efecc0b24d02ace33c1e52e2fb4b 00000002" +
				" 8ba94ade6eb9449db44fa5beefaf43b0 339c45b5fb6d4bd9994ceabd9d41c95b 00000000",
		},
		{
			name: "version 1 no kids",
			p:    drm.PSSH{Version: 1, SystemID: drm.Common, Data: []byte{0xff}},
			want: "00000025 70737368 01000000 1077efecc0b24d02ace33c1e52e2fb4b 00000000 00000001 ff",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tt.want); !bytes.Equal(got, want) {
				t.Fatalf("Marshal\n got %x\nwant %x", got, want)
			}
			back, err := drm.ParsePSSH(got)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normalize(back), normalize(tt.p)) {
				t.Errorf("round trip: got %+v, want %+v", back, tt.p)
			}
			// The mp4ff box encodes to the same bytes.
			box, err := tt.p.Box()
			if err != nil {
				t.Fatal(err)
			}
			sw := bits.NewFixedSliceWriter(int(box.Size()))
			if err := box.EncodeSW(sw); err != nil || !bytes.Equal(sw.Bytes(), got) {
				t.Errorf("Box encodes to %x (%v)", sw.Bytes(), err)
			}
		})
	}
}

// normalize maps empty slices to nil so DeepEqual compares content.
func normalize(p drm.PSSH) drm.PSSH {
	if len(p.KIDs) == 0 {
		p.KIDs = nil
	}
	if len(p.Data) == 0 {
		p.Data = nil
	}
	return p
}

func TestPSSHValidate(t *testing.T) {
	kid := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	tests := []struct {
		name string
		p    drm.PSSH
	}{
		{"version 2", drm.PSSH{Version: 2, SystemID: drm.Common}},
		{"bad system id", drm.PSSH{SystemID: "x"}},
		{"version 0 with kids", drm.PSSH{SystemID: drm.Common, KIDs: []keys.KID{kid}}},
		{"too large", drm.PSSH{SystemID: drm.Widevine, Data: make([]byte, drm.MaxPSSHSize)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.p.Marshal(); !errors.Is(err, drm.ErrInvalidPSSH) {
				t.Errorf("Marshal err = %v, want ErrInvalidPSSH", err)
			}
		})
	}
}

func TestBoxCopies(t *testing.T) {
	p := drm.PSSH{Version: 1, SystemID: drm.Common, KIDs: []keys.KID{{1}}, Data: []byte{1}}
	box, err := p.Box()
	if err != nil {
		t.Fatal(err)
	}
	p.KIDs[0][0], p.Data[0] = 9, 9
	if box.KIDs[0][0] != 1 || box.Data[0] != 1 {
		t.Error("box shares memory with the PSSH value")
	}
}

func TestParsePSSHErrors(t *testing.T) {
	good := "00000025 70737368 01000000 1077efecc0b24d02ace33c1e52e2fb4b 00000000 00000001 ff"
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"short", "00000020 70737368"},
		{"wrong type", "00000020 70737369 00000000 9a04f07998404286ab92e65be0885f95 00000000"},
		{"size 0", "00000000 70737368 00000000 9a04f07998404286ab92e65be0885f95 00000000"},
		{"size 1", "00000001 70737368 00000000 9a04f07998404286ab92e65be0885f95 00000000"},
		{"size beyond data", "00000021 70737368 00000000 9a04f07998404286ab92e65be0885f95 00000000"},
		{"trailing bytes", "00000020 70737368 00000000 9a04f07998404286ab92e65be0885f95 00000000 00"},
		{"data beyond box", "00000020 70737368 00000000 9a04f07998404286ab92e65be0885f95 00000001"},
		{"data shorter than box", "00000021 70737368 00000000 9a04f07998404286ab92e65be0885f95 00000000 ff"},
		{"kid count beyond box", "00000024 70737368 01000000 1077efecc0b24d02ace33c1e52e2fb4b 00000001 00000000"},
		{"huge kid count", "00000024 70737368 01000000 1077efecc0b24d02ace33c1e52e2fb4b ffffffff 00000000"},
		{"flags", "00000020 70737368 00000001 9a04f07998404286ab92e65be0885f95 00000000"},
		{"version 2", "00000020 70737368 02000000 9a04f07998404286ab92e65be0885f95 00000000 00000000"},
		// A box whose data size overruns it must not read the next box.
		{"overrun into next box", "00000020 70737368 00000000 9a04f07998404286ab92e65be0885f95 00000001 " + good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := unhex(t, tt.in)
			if _, err := drm.ParsePSSH(in); !errors.Is(err, drm.ErrInvalidPSSH) {
				t.Errorf("ParsePSSH err = %v, want ErrInvalidPSSH", err)
			}
			if _, err := drm.ParsePSSHBoxes(in); !errors.Is(err, drm.ErrInvalidPSSH) {
				t.Errorf("ParsePSSHBoxes err = %v, want ErrInvalidPSSH", err)
			}
		})
	}
}

func TestParsePSSHBoxes(t *testing.T) {
	kid := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	in := []drm.PSSH{
		{Version: 1, SystemID: drm.Common, KIDs: []keys.KID{kid}},
		{SystemID: drm.Widevine, Data: []byte("wv")},
		{Version: 1, SystemID: drm.PlayReady, KIDs: []keys.KID{kid}, Data: []byte("pro")},
	}
	var all []byte
	for _, p := range in {
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	got, err := drm.ParsePSSHBoxes(all)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("got %d boxes, want %d", len(got), len(in))
	}
	for i := range in {
		if !reflect.DeepEqual(normalize(got[i]), normalize(in[i])) {
			t.Errorf("box %d: got %+v, want %+v", i, got[i], in[i])
		}
	}
	if _, err := drm.ParsePSSH(all); err == nil {
		t.Error("ParsePSSH accepted three boxes")
	}
}

func TestFromBox(t *testing.T) {
	tests := []struct {
		name string
		box  *mp4.PsshBox
		ok   bool
	}{
		{"nil", nil, false},
		{"good", &mp4.PsshBox{SystemID: mp4.UUID(unhex(t, "9a04f07998404286ab92e65be0885f95"))}, true},
		{"short system id", &mp4.PsshBox{SystemID: mp4.UUID{1, 2}}, false},
		{"short kid", &mp4.PsshBox{Version: 1, SystemID: mp4.UUID(unhex(t, "9a04f07998404286ab92e65be0885f95")), KIDs: []mp4.UUID{{1}}}, false},
		{"flags", &mp4.PsshBox{Flags: 1, SystemID: mp4.UUID(unhex(t, "9a04f07998404286ab92e65be0885f95"))}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := drm.FromBox(tt.box)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
