package widevine_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/widevine"
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

// TestMarshalMatchesSchema decodes Marshal's output with dynamicpb over the
// proto2 schema and checks every field, including those that must be absent.
func TestMarshalMatchesSchema(t *testing.T) {
	md := psshDataDescriptor(t)
	kid1 := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	kid2 := mustKID(t, "339c45b5-fb6d-4bd9-994c-eabd9d41c95b")
	tests := []struct {
		name       string
		in         widevine.PsshData
		wantScheme uint32 // 0: field absent
	}{
		{"one kid, cenc implied", widevine.PsshData{KeyIDs: []keys.KID{kid1}}, 0},
		{"explicit cenc omitted", widevine.PsshData{KeyIDs: []keys.KID{kid1}, ProtectionScheme: "cenc"}, 0},
		{
			name: "all fields, cbcs",
			in: widevine.PsshData{
				KeyIDs: []keys.KID{kid1, kid2}, Provider: "widevine_test",
				ContentID: []byte("fkj3ljaSdfalkr3j"), Policy: "p1", ProtectionScheme: "cbcs",
			},
			wantScheme: 0x63626373,
		},
		{"cens", widevine.PsshData{KeyIDs: []keys.KID{kid2}, ProtectionScheme: "cens"}, 0x63656E73},
		{"cbc1", widevine.PsshData{KeyIDs: []keys.KID{kid2}, ProtectionScheme: "cbc1"}, 0x63626331},
		{"content id only", widevine.PsshData{ContentID: []byte{0, 1, 2}, Provider: "p"}, 0},
		{"utf-8 provider", widevine.PsshData{KeyIDs: []keys.KID{kid1}, Provider: "fournisseur-é"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.in.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			msg := dynamicpb.NewMessage(md)
			if err := proto.Unmarshal(b, msg); err != nil {
				t.Fatalf("schema decode: %v", err)
			}
			if u := msg.GetUnknown(); len(u) != 0 {
				t.Errorf("unknown fields %x", u)
			}
			f := md.Fields()
			ids := msg.Get(f.ByName("key_id")).List()
			if ids.Len() != len(tt.in.KeyIDs) {
				t.Fatalf("key_id count %d, want %d", ids.Len(), len(tt.in.KeyIDs))
			}
			for i, want := range tt.in.KeyIDs {
				if got := ids.Get(i).Bytes(); !bytes.Equal(got, want[:]) {
					t.Errorf("key_id[%d] = %x, want %x", i, got, want)
				}
			}
			checkString(t, msg, "provider", tt.in.Provider)
			checkString(t, msg, "policy", tt.in.Policy)
			if has := msg.Has(f.ByName("content_id")); has != (len(tt.in.ContentID) > 0) ||
				!bytes.Equal(msg.Get(f.ByName("content_id")).Bytes(), tt.in.ContentID) {
				t.Errorf("content_id = %x (set %v), want %x", msg.Get(f.ByName("content_id")).Bytes(), has, tt.in.ContentID)
			}
			ps := f.ByName("protection_scheme")
			if has := msg.Has(ps); has != (tt.wantScheme != 0) || uint32(msg.Get(ps).Uint()) != tt.wantScheme {
				t.Errorf("protection_scheme = %#x (set %v), want %#x", msg.Get(ps).Uint(), has, tt.wantScheme)
			}
			for _, absent := range []protoreflect.Name{"algorithm", "track_type", "crypto_period_index", "grouped_license", "crypto_period_seconds"} {
				if msg.Has(f.ByName(absent)) {
					t.Errorf("%s is set", absent)
				}
			}
			// And our decoder reads it back.
			back, err := widevine.UnmarshalPsshData(b)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.in
			if want.ProtectionScheme == "cenc" {
				want.ProtectionScheme = ""
			}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("round trip: got %+v, want %+v", back, want)
			}
		})
	}
}

func checkString(t *testing.T, msg *dynamicpb.Message, name protoreflect.Name, want string) {
	t.Helper()
	fd := msg.Descriptor().Fields().ByName(name)
	if has := msg.Has(fd); has != (want != "") || msg.Get(fd).String() != want {
		t.Errorf("%s = %q (set %v), want %q", name, msg.Get(fd).String(), has, want)
	}
}

// TestUnmarshalSchemaEncoded decodes messages that the protobuf library
// encoded from the schema, including fields this package skips.
func TestUnmarshalSchemaEncoded(t *testing.T) {
	md := psshDataDescriptor(t)
	f := md.Fields()
	kid := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")

	msg := dynamicpb.NewMessage(md)
	msg.Set(f.ByName("algorithm"), protoreflect.ValueOfEnum(1))
	ids := msg.Mutable(f.ByName("key_id")).List()
	ids.Append(protoreflect.ValueOfBytes(kid[:]))
	msg.Set(f.ByName("provider"), protoreflect.ValueOfString("prov"))
	msg.Set(f.ByName("content_id"), protoreflect.ValueOfBytes([]byte("cid")))
	msg.Set(f.ByName("track_type"), protoreflect.ValueOfString("HD"))
	msg.Set(f.ByName("policy"), protoreflect.ValueOfString("pol"))
	msg.Set(f.ByName("crypto_period_index"), protoreflect.ValueOfUint32(7))
	msg.Set(f.ByName("grouped_license"), protoreflect.ValueOfBytes([]byte{8, 1}))
	msg.Set(f.ByName("protection_scheme"), protoreflect.ValueOfUint32(0x63656E63))
	msg.Set(f.ByName("crypto_period_seconds"), protoreflect.ValueOfUint32(10))
	b, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := widevine.UnmarshalPsshData(b)
	if err != nil {
		t.Fatal(err)
	}
	want := widevine.PsshData{
		KeyIDs: []keys.KID{kid}, Provider: "prov", ContentID: []byte("cid"),
		Policy: "pol", ProtectionScheme: "cenc",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestMarshalBytes(t *testing.T) {
	// Hand-computed wire bytes: tag 0x12 (2, bytes), tag 0x1a (3, bytes),
	// tag 0x48 (9, varint) with 0x63626373 as a varint.
	d := widevine.PsshData{
		KeyIDs:           []keys.KID{mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")},
		Provider:         "ab",
		ProtectionScheme: "cbcs",
	}
	got, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hex.DecodeString("12108ba94ade6eb9449db44fa5beefaf43b0" + "1a026162" + "48f3c6899b06")
	if !bytes.Equal(got, want) {
		t.Errorf("\n got %x\nwant %x", got, want)
	}
}

func TestMarshalErrors(t *testing.T) {
	kid := keys.KID{1}
	tests := []struct {
		name string
		in   widevine.PsshData
	}{
		{"empty", widevine.PsshData{}},
		{"provider only", widevine.PsshData{Provider: "p"}},
		{"bad scheme", widevine.PsshData{KeyIDs: []keys.KID{kid}, ProtectionScheme: "CENC"}},
		{"long scheme", widevine.PsshData{KeyIDs: []keys.KID{kid}, ProtectionScheme: "cbcs1"}},
		{"bad utf-8 provider", widevine.PsshData{KeyIDs: []keys.KID{kid}, Provider: "\xff"}},
		{"bad utf-8 policy", widevine.PsshData{KeyIDs: []keys.KID{kid}, Policy: "\xc3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.in.Marshal(); !errors.Is(err, widevine.ErrInvalidData) {
				t.Errorf("err = %v, want ErrInvalidData", err)
			}
			if _, err := tt.in.PSSH(); !errors.Is(err, widevine.ErrInvalidData) {
				t.Errorf("PSSH err = %v, want ErrInvalidData", err)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	kidField := "1210" + "8ba94ade6eb9449db44fa5beefaf43b0"
	tests := []struct {
		name string
		hex  string
	}{
		{"empty", ""},
		{"truncated tag", "92"},
		{"truncated bytes", "1210" + "8ba94ade"},
		{"short key id", "12028ba9"},
		{"key id as varint", "1001"},
		{"provider as varint", kidField + "1801"},
		{"bad utf-8 provider", kidField + "1a01ff"},
		{"scheme as bytes", kidField + "4a0463626373"},
		{"unknown scheme", kidField + "4801"},
		{"scheme overflows uint32", kidField + "48ffffffff1f"},
		{"field number 0", kidField + "0001"},
		{"group wire type", kidField + "0b"},
		{"unknown field truncated", kidField + "8a0105"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := widevine.UnmarshalPsshData(b); !errors.Is(err, widevine.ErrInvalidData) {
				t.Errorf("err = %v, want ErrInvalidData", err)
			}
		})
	}
}

func TestUnmarshalSkipsUnknownFields(t *testing.T) {
	kid := keys.KID{1}
	var b []byte
	b = protowire.AppendTag(b, 99, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, 1)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, kid[:])
	b = protowire.AppendTag(b, 100, protowire.BytesType)
	b = protowire.AppendString(b, "future")
	got, err := widevine.UnmarshalPsshData(b)
	if err != nil || len(got.KeyIDs) != 1 || got.KeyIDs[0] != kid {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestPSSH(t *testing.T) {
	kid := mustKID(t, "8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	p, err := widevine.PsshData{KeyIDs: []keys.KID{kid}}.PSSH()
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hex.DecodeString("00000032" + "70737368" + "00000000" + "edef8ba979d64acea3c827dcd51d21ed" +
		"00000012" + "12108ba94ade6eb9449db44fa5beefaf43b0")
	if !bytes.Equal(b, want) {
		t.Fatalf("\n got %x\nwant %x", b, want)
	}
	back, err := drm.ParsePSSH(b)
	if err != nil || back.Version != 0 || back.SystemID != drm.Widevine {
		t.Fatalf("parse: %+v, %v", back, err)
	}
	d, err := widevine.UnmarshalPsshData(back.Data)
	if err != nil || len(d.KeyIDs) != 1 || d.KeyIDs[0] != kid {
		t.Errorf("data: %+v, %v", d, err)
	}
}
