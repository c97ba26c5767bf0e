package keys_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lockstream/lockstream/internal/keys"
)

func TestParseKID(t *testing.T) {
	const canon = "0123abcd-4567-89ef-0a1b-2c3d4e5f6a7b"
	want := keys.KID{0x01, 0x23, 0xab, 0xcd, 0x45, 0x67, 0x89, 0xef, 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x6a, 0x7b}
	tests := []struct {
		name    string
		in      string
		wantErr string // substring; empty means success
	}{
		{name: "lower", in: canon},
		{name: "upper", in: strings.ToUpper(canon)},
		{name: "mixed", in: "0123ABCD-4567-89eF-0A1b-2c3d4e5f6a7b"},
		{name: "braces", in: "{" + canon + "}"},
		{name: "braces upper", in: "{" + strings.ToUpper(canon) + "}"},
		{name: "empty", in: "", wantErr: "have 0 characters"},
		{name: "no hyphens", in: "0123abcd456789ef0a1b2c3d4e5f6a7b", wantErr: "have 32 characters"},
		{name: "open brace only", in: "{" + canon, wantErr: "unbalanced braces"},
		{name: "close brace only", in: canon + "}", wantErr: "unbalanced braces"},
		{name: "hyphen missing", in: "0123abcd:4567-89ef-0a1b-2c3d4e5f6a7b", wantErr: "want '-' at offset 8"},
		{name: "hyphen misplaced", in: "0123abc-d4567-89ef-0a1b-2c3d4e5f6a7b", wantErr: "invalid hex digit at offset 7"},
		{name: "bad hex high nibble", in: "g123abcd-4567-89ef-0a1b-2c3d4e5f6a7b", wantErr: "invalid hex digit at offset 0"},
		{name: "bad hex low nibble", in: "0123abcd-4567-89ef-0a1b-2c3d4e5f6a7z", wantErr: "invalid hex digit at offset 35"},
		{name: "bad hex in braces", in: "{0123abcd-4567-89ef-0a1b-2c3d4e5f6a7z}", wantErr: "invalid hex digit at offset 36"},
		{name: "too long", in: canon + "0", wantErr: "have 37 characters"},
		{name: "urn prefix", in: "urn:uuid:" + canon, wantErr: "have 45 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keys.ParseKID(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseKID(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "keys: parse kid") {
					t.Errorf("error %q lacks the package prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKID(%q): %v", tt.in, err)
			}
			if got != want {
				t.Fatalf("ParseKID(%q) = %x, want %x", tt.in, got[:], want[:])
			}
			if s := got.String(); s != canon {
				t.Errorf("String() = %q, want lower-case %q", s, canon)
			}
		})
	}
}

func TestKIDRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		id   keys.KID
	}{
		{name: "zero", id: keys.KID{}},
		{name: "ones", id: keys.KID{0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff, 8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff}},
		{name: "sequence", id: keys.KID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.id.String()
			if s != strings.ToLower(s) || len(s) != 36 {
				t.Fatalf("String() = %q, want 36 lower-case characters", s)
			}
			for _, in := range []string{s, strings.ToUpper(s), "{" + s + "}"} {
				got, err := keys.ParseKID(in)
				if err != nil || got != tt.id {
					t.Errorf("ParseKID(%q) = %v, %v; want %v", in, got, err, tt.id)
				}
			}
			got, err := keys.ParseKIDBase64URL(tt.id.Base64URL())
			if err != nil || got != tt.id {
				t.Errorf("ParseKIDBase64URL(Base64URL()) = %v, %v; want %v", got, err, tt.id)
			}
			text, err := tt.id.MarshalText()
			if err != nil || string(text) != s {
				t.Errorf("MarshalText() = %q, %v; want %q", text, err, s)
			}
			var back keys.KID
			if err := back.UnmarshalText([]byte(strings.ToUpper(s))); err != nil || back != tt.id {
				t.Errorf("UnmarshalText(upper) = %v, %v; want %v", back, err, tt.id)
			}
			if tt.id.IsZero() != (tt.id == keys.KID{}) {
				t.Errorf("IsZero() = %v", tt.id.IsZero())
			}
		})
	}
}

func TestKIDJSON(t *testing.T) {
	id, err := keys.ParseKID("10000000-1000-1000-1000-100000000001")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]keys.KID{"kid": id})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"kid":"10000000-1000-1000-1000-100000000001"}`; string(b) != want {
		t.Fatalf("json.Marshal = %s, want %s", b, want)
	}
	var back struct{ KID keys.KID }
	if err := json.Unmarshal([]byte(`{"KID":"{10000000-1000-1000-1000-100000000001}"}`), &back); err != nil || back.KID != id {
		t.Fatalf("json.Unmarshal = %v, %v", back.KID, err)
	}
	if err := json.Unmarshal([]byte(`{"KID":"nope"}`), &back); err == nil {
		t.Fatal("json.Unmarshal of a bad KID succeeded")
	}
}

func TestKIDBase64(t *testing.T) {
	id, err := keys.ParseKID("10000000-1000-1000-1000-100000000001")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "std", got: id.Base64(), want: "EAAAABAAEAAQABAAAAAAAQ=="},
		{name: "url", got: id.Base64URL(), want: "EAAAABAAEAAQABAAAAAAAQ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestParseKIDBase64URL(t *testing.T) {
	want := keys.KID{0xfb, 0xff, 0xbf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "unpadded", in: "-_-_AAAAAAAAAAAAAAAAAA"},
		{name: "padded", in: "-_-_AAAAAAAAAAAAAAAAAA=="},
		{name: "std alphabet", in: "+/+/AAAAAAAAAAAAAAAAAA", wantErr: "invalid base64url at offset 0"},
		{name: "short", in: "AAAA", wantErr: "decodes to 3 bytes, want 16"},
		{name: "empty", in: "", wantErr: "decodes to 0 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keys.ParseKIDBase64URL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != want {
				t.Fatalf("ParseKIDBase64URL(%q) = %x, %v; want %x", tt.in, got[:], err, want[:])
			}
		})
	}
}

func TestKIDPlayReadyBytes(t *testing.T) {
	tests := []struct {
		name string
		guid string
		want [16]byte
	}{
		{
			name: "known answer",
			guid: "10000000-1000-1000-1000-100000000001",
			want: [16]byte{0x00, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00, 0x10, 0x10, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01},
		},
		{
			name: "distinct bytes",
			guid: "00112233-4455-6677-8899-aabbccddeeff",
			want: [16]byte{0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := keys.ParseKID(tt.guid)
			if err != nil {
				t.Fatal(err)
			}
			got := id.PlayReadyBytes()
			if got != tt.want {
				t.Fatalf("PlayReadyBytes() = % x, want % x", got, tt.want)
			}
			if back := keys.KIDFromPlayReadyBytes(got); back != id {
				t.Fatalf("KIDFromPlayReadyBytes() = %v, want %v", back, id)
			}
		})
	}
}

func TestNewKID(t *testing.T) {
	id, err := keys.NewKID(bytes.NewReader(bytes.Repeat([]byte{0xff}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := id.String(), "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Errorf("NewKID(all ones) = %s, want %s", got, want)
	}
	id, err = keys.NewKID(bytes.NewReader(make([]byte, 16)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := id.String(), "00000000-0000-4000-8000-000000000000"; got != want {
		t.Errorf("NewKID(all zeros) = %s, want %s", got, want)
	}

	seen := make(map[keys.KID]bool)
	for range 1000 {
		id, err := keys.NewKID(nil)
		if err != nil {
			t.Fatal(err)
		}
		if id[6]>>4 != 4 || id[8]>>6 != 2 {
			t.Fatalf("NewKID(nil) = %s, not a version-4 RFC 4122 GUID", id)
		}
		if seen[id] {
			t.Fatalf("NewKID(nil) repeated %s", id)
		}
		seen[id] = true
	}

	if _, err := keys.NewKID(bytes.NewReader(make([]byte, 15))); err == nil {
		t.Error("NewKID with a short reader succeeded")
	}
	boom := errors.New("boom")
	if _, err := keys.NewKID(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("NewKID(failing reader) error = %v, want wrapping %v", err, boom)
	}
}
