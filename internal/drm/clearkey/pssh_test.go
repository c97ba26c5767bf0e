package clearkey_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/clearkey"
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

// TestPSSHLayout checks every field of the common PSSH box at the offsets
// of the W3C "Common SystemID and PSSH Box Format" table.
func TestPSSHLayout(t *testing.T) {
	kidA := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	kidB := mustKID(t, "339c45b5-fb6d-4bd9-994c-eabd9d41c95b")
	kidC := keys.KID{0: 0x01, 15: 0xff}
	tests := []struct {
		name string
		kids []keys.KID
	}{
		{"one kid", []keys.KID{kidA}},
		{"two kids", []keys.KID{kidA, kidB}},
		{"three kids, order kept", []keys.KID{kidC, kidB, kidA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := clearkey.PSSH(tt.kids)
			if err != nil {
				t.Fatal(err)
			}
			b, err := p.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			n := len(tt.kids)
			// Build the expected bytes field by field, independently of mp4ff.
			var want []byte
			want = binary.BigEndian.AppendUint32(want, uint32(36+16*n))
			want = append(want, "pssh"...)
			want = append(want, 1, 0, 0, 0) // version 1, flags 0
			want = append(want,
				0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02,
				0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b)
			want = binary.BigEndian.AppendUint32(want, uint32(n))
			for _, k := range tt.kids {
				want = append(want, k[:]...) // UUID (big-endian) order
			}
			want = binary.BigEndian.AppendUint32(want, 0) // DataSize
			if !bytes.Equal(b, want) {
				t.Fatalf("\n got %x\nwant %x", b, want)
			}
			if len(b) != 36+16*n {
				t.Errorf("size %d", len(b))
			}
		})
	}
}

// TestPSSHOneKIDBytes pins the 52-byte box for one KID as literal bytes.
func TestPSSHOneKIDBytes(t *testing.T) {
	p, err := clearkey.PSSH([]keys.KID{mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x00, 0x00, 0x00, 0x34, 'p', 's', 's', 'h', 0x01, 0x00, 0x00, 0x00,
		0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b,
		0x00, 0x00, 0x00, 0x01,
		0x8b, 0xa9, 0x4a, 0xde, 0x6e, 0xb9, 0x44, 0x9d, 0xb4, 0x4f, 0xa5, 0xbe, 0xef, 0xaf, 0x43, 0xb0,
		0x00, 0x00, 0x00, 0x00,
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("\n got %x\nwant %x", got, want)
	}
	back, err := drm.ParsePSSH(got)
	if err != nil || back.SystemID != drm.Common || len(back.KIDs) != 1 || back.KIDs[0] != p.KIDs[0] {
		t.Errorf("parse back: %+v, %v", back, err)
	}
}

func TestPSSHErrors(t *testing.T) {
	if _, err := clearkey.PSSH(nil); !errors.Is(err, clearkey.ErrNoKIDs) {
		t.Errorf("no kids: err = %v, want ErrNoKIDs", err)
	}
	many := make([]keys.KID, drm.MaxPSSHSize/16)
	if _, err := clearkey.PSSH(many); !errors.Is(err, drm.ErrInvalidPSSH) {
		t.Errorf("too many kids: err = %v, want ErrInvalidPSSH", err)
	}
}

func TestPSSHCopiesKIDs(t *testing.T) {
	kids := []keys.KID{{1}}
	p, err := clearkey.PSSH(kids)
	if err != nil {
		t.Fatal(err)
	}
	kids[0][0] = 2
	if p.KIDs[0][0] != 1 {
		t.Error("PSSH shares the caller's slice")
	}
}
