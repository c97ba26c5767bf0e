package playready_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/keys"
)

// TestObjectSpecExample reproduces the header bytes of the PRO example in
// the PlayReady header specification: a 425-character WRMHEADER gives
//
//	5c 03 00 00 | 01 00 | 01 00 | 52 03 | 3c 00 …
//
// (length 860, one record, type 1, 850 bytes, '<' in UTF-16LE).
func TestObjectSpecExample(t *testing.T) {
	kid1, key1, _, _ := testKeys(t)
	h := playready.Header{Version: playready.Version40, Algorithm: playready.AESCTR,
		Keys: []playready.HeaderKey{{KID: kid1, Key: &key1}}, LAURL: "https://lic.example.com/"}
	x, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Pad the URL so that the header is exactly 425 characters.
	h.LAURL += "?p=" + strings.Repeat("x", 425-len(x)-3)
	pro, err := h.Object()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x5c, 0x03, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x52, 0x03, 0x3c, 0x00}
	if !bytes.HasPrefix(pro, want) {
		t.Fatalf("PRO starts % x, want % x", pro[:12], want)
	}
	if len(pro) != 860 {
		t.Errorf("PRO has %d bytes, want 860", len(pro))
	}
	// The record is the header text in UTF-16LE, checked independently.
	x, _ = h.Marshal()
	u := utf16.Encode([]rune(x))
	for i, c := range u {
		if got := binary.LittleEndian.Uint16(pro[10+2*i:]); got != c {
			t.Fatalf("UTF-16 unit %d = %#04x, want %#04x", i, got, c)
		}
	}
}

// TestObjectRoundTrip builds each header version into a PRO, parses the
// PRO and the header back, and checks every field and the canonical text.
func TestObjectRoundTrip(t *testing.T) {
	kid1, key1, kid2, key2 := testKeys(t)
	sum1, sum2 := playready.Checksum(kid1, key1), playready.Checksum(kid2, key2)
	tests := []struct {
		name string
		in   playready.Header
		want playready.Header // what ParseHeader returns
	}{
		{
			name: "4.0 full",
			in: playready.Header{Version: playready.Version40, Algorithm: playready.AESCTR,
				Keys:  []playready.HeaderKey{{KID: kid1, Key: &key1}},
				LAURL: "https://lic.example.com/pr?x=1&y=2", LUIURL: "https://example.com/ui",
				DSID: "AH+03juKbUGbHl1V/QIwRA==", CustomAttributes: "<v a='1'>é😀</v>"},
			want: playready.Header{Version: playready.Version40, Algorithm: playready.AESCTR,
				Keys:  []playready.HeaderKey{{KID: kid1, Checksum: sum1}},
				LAURL: "https://lic.example.com/pr?x=1&y=2", LUIURL: "https://example.com/ui",
				DSID: "AH+03juKbUGbHl1V/QIwRA==", CustomAttributes: `<v a="1">é😀</v>`},
		},
		{
			name: "4.1",
			in: playready.Header{Version: playready.Version41, Algorithm: playready.AESCTR,
				Keys: []playready.HeaderKey{{KID: kid2, Key: &key2}}, DecryptorSetup: "ONDEMAND"},
			want: playready.Header{Version: playready.Version41, Algorithm: playready.AESCTR,
				Keys: []playready.HeaderKey{{KID: kid2, Checksum: sum2}}, DecryptorSetup: "ONDEMAND"},
		},
		{
			name: "4.2 mixed checksums",
			in: playready.Header{Version: playready.Version42, Algorithm: playready.AESCTR,
				Keys: []playready.HeaderKey{{KID: kid1, Key: &key1}, {KID: kid2}}, LAURL: "http://localhost:8080/pr"},
			want: playready.Header{Version: playready.Version42, Algorithm: playready.AESCTR,
				Keys: []playready.HeaderKey{{KID: kid1, Checksum: sum1}, {KID: kid2}}, LAURL: "http://localhost:8080/pr"},
		},
		{
			name: "4.3 AESCBC",
			in: playready.Header{Version: playready.Version43, Algorithm: playready.AESCBC,
				Keys: []playready.HeaderKey{{KID: kid1, Key: &key1}, {KID: kid2, Key: &key2}}},
			want: playready.Header{Version: playready.Version43, Algorithm: playready.AESCBC,
				Keys: []playready.HeaderKey{{KID: kid1}, {KID: kid2}}},
		},
		{
			name: "4.3 unspecified",
			in: playready.Header{Version: playready.Version43,
				Keys: []playready.HeaderKey{{KID: kid2}}},
			want: playready.Header{Version: playready.Version43,
				Keys: []playready.HeaderKey{{KID: kid2}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := tt.in.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			pro, err := tt.in.Object()
			if err != nil {
				t.Fatal(err)
			}
			if got := binary.LittleEndian.Uint32(pro); got != uint32(len(pro)) {
				t.Errorf("length field %d, len %d", got, len(pro))
			}
			text, err := playready.HeaderFromObject(pro)
			if err != nil {
				t.Fatal(err)
			}
			if text != x {
				t.Fatalf("header text changed\n got %s\nwant %s", text, x)
			}
			got, err := playready.ParseHeader(text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseHeader\n got %+v\nwant %+v", got, tt.want)
			}
			again, err := got.Object()
			if err != nil || !bytes.Equal(again, pro) {
				t.Errorf("re-encoding the parsed header changed the PRO (%v)", err)
			}
		})
	}
}

func TestParseHeaderLenient(t *testing.T) {
	kid1, key1, _, _ := testKeys(t)
	// Pretty-printed, with a prolog, a comment and an unknown element and
	// attribute: accepted, and Marshal gives the canonical form.
	in := `<?xml version="1.0" encoding="utf-16"?>
<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.2.0.0">
  <DATA>
    <PROTECTINFO LICENSEREQUESTED="true">
      <KIDS>
        <KID VALUE="tUWcM2372UuZTOq9nUHJWw==" ALGID="AESCTR" CHECKSUM="Dnd2+tOluB4=" />
      </KIDS>
    </PROTECTINFO>
    <!-- comment -->
    <LA_URL>
      https://lic.example.com/pr
    </LA_URL>
    <FUTURE>x</FUTURE>
  </DATA>
</WRMHEADER>`
	h, err := playready.ParseHeader(in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := playready.Header{Version: playready.Version42, Algorithm: playready.AESCTR,
		Keys: []playready.HeaderKey{{KID: kid1, Key: &key1}}, LAURL: "https://lic.example.com/pr"}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := h.Marshal(); err != nil || got != want {
		t.Errorf("got %s (%v)\nwant %s", got, err, want)
	}
}

func TestParseHeaderErrors(t *testing.T) {
	const v1, c1 = "tUWcM2372UuZTOq9nUHJWw==", "Dnd2+tOluB4="
	wrap := func(version, data string) string {
		return `<WRMHEADER ` + ns + ` version="` + version + `"><DATA>` + data + `</DATA></WRMHEADER>`
	}
	pi40 := `<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>`
	kids := func(k ...string) string {
		return `<PROTECTINFO><KIDS>` + strings.Join(k, "") + `</KIDS></PROTECTINFO>`
	}
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"not xml", "WRMHEADER"},
		{"wrong root", `<WRMHEADERX ` + ns + ` version="4.0.0.0"></WRMHEADERX>`},
		{"no namespace", `<WRMHEADER version="4.2.0.0"><DATA>` + kids(`<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`) + `</DATA></WRMHEADER>`},
		{"unknown version", wrap("5.0.0.0", kids(`<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`))},
		{"no data", `<WRMHEADER ` + ns + ` version="4.2.0.0"></WRMHEADER>`},
		{"no protectinfo", wrap("4.2.0.0", `<LA_URL>https://x/</LA_URL>`)},
		{"4.0 no kid", wrap("4.0.0.0", pi40+`<CHECKSUM>`+c1+`</CHECKSUM>`)},
		{"4.0 no checksum", wrap("4.0.0.0", pi40+`<KID>`+v1+`</KID>`)},
		{"4.0 cocktail", wrap("4.0.0.0", `<PROTECTINFO><KEYLEN>7</KEYLEN><ALGID>COCKTAIL</ALGID></PROTECTINFO><KID>`+v1+`</KID><CHECKSUM>AAAAAAAAAA==</CHECKSUM>`)},
		{"4.0 with KIDS", wrap("4.0.0.0", `<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID><KIDS></KIDS></PROTECTINFO><KID>`+v1+`</KID><CHECKSUM>`+c1+`</CHECKSUM>`)},
		{"4.0 bad kid", wrap("4.0.0.0", pi40+`<KID>AAAA</KID><CHECKSUM>`+c1+`</CHECKSUM>`)},
		{"4.0 bad checksum", wrap("4.0.0.0", pi40+`<KID>`+v1+`</KID><CHECKSUM>AAAA</CHECKSUM>`)},
		{"4.1 with KIDS", wrap("4.1.0.0", kids(`<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`))},
		{"4.1 two kids", wrap("4.1.0.0", `<PROTECTINFO><KID ALGID="AESCTR" VALUE="`+v1+`"></KID><KID ALGID="AESCTR" VALUE="3kqpi7lunUS0T6W+769DsA=="></KID></PROTECTINFO>`)},
		{"4.1 no algid", wrap("4.1.0.0", `<PROTECTINFO><KID VALUE="`+v1+`"></KID></PROTECTINFO>`)},
		{"4.2 kid outside KIDS", wrap("4.2.0.0", `<PROTECTINFO><KID ALGID="AESCTR" VALUE="`+v1+`"></KID></PROTECTINFO>`)},
		{"4.2 empty KIDS", wrap("4.2.0.0", kids())},
		{"4.2 with 4.0 elements", wrap("4.2.0.0", kids(`<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`)+`<KID>`+v1+`</KID>`)},
		{"4.2 AESCBC", wrap("4.2.0.0", kids(`<KID ALGID="AESCBC" VALUE="`+v1+`"></KID>`))},
		{"4.3 mixed algid", wrap("4.3.0.0", kids(`<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`, `<KID ALGID="AESCBC" VALUE="3kqpi7lunUS0T6W+769DsA=="></KID>`))},
		{"4.3 algid on one only", wrap("4.3.0.0", kids(`<KID ALGID="AESCBC" VALUE="`+v1+`"></KID>`, `<KID VALUE="3kqpi7lunUS0T6W+769DsA=="></KID>`))},
		{"4.3 empty algid", wrap("4.3.0.0", kids(`<KID ALGID="" VALUE="`+v1+`"></KID>`))},
		{"4.3 checksum with AESCBC", wrap("4.3.0.0", kids(`<KID ALGID="AESCBC" CHECKSUM="`+c1+`" VALUE="`+v1+`"></KID>`))},
		{"duplicate kid", wrap("4.2.0.0", kids(`<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`, `<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`))},
		{"unpadded kid", wrap("4.2.0.0", kids(`<KID ALGID="AESCTR" VALUE="tUWcM2372UuZTOq9nUHJWw"></KID>`))},
		{"bad LA_URL", wrap("4.2.0.0", kids(`<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`)+`<LA_URL>not a url</LA_URL>`)},
		{"bad custom attributes", wrap("4.2.0.0", kids(`<KID ALGID="AESCTR" VALUE="`+v1+`"></KID>`)+`<CUSTOMATTRIBUTES><?pi?></CUSTOMATTRIBUTES>`)},
		{"too large", wrap("4.2.0.0", strings.Repeat(" ", playready.MaxHeaderSize))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if h, err := playready.ParseHeader(tt.in); !errors.Is(err, playready.ErrInvalidHeader) {
				t.Errorf("err = %v, want ErrInvalidHeader; got %+v", err, h)
			}
		})
	}
}

func TestParseObjectErrors(t *testing.T) {
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	le16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"short", []byte{6, 0, 0, 0, 1}},
		{"no records", cat(le32(6), le16(0))},
		{"length too big", cat(le32(13), le16(1), le16(1), le16(2), []byte{'<', 0})},
		{"length too small", cat(le32(11), le16(1), le16(1), le16(2), []byte{'<', 0})},
		{"record truncated", cat(le32(9), le16(1), []byte{1, 0, 2})},
		{"record value overruns", cat(le32(12), le16(1), le16(1), le16(4), []byte{'<', 0})},
		{"fewer records than counted", cat(le32(12), le16(2), le16(1), le16(2), []byte{'<', 0})},
		{"bytes after records", cat(le32(13), le16(1), le16(1), le16(2), []byte{'<', 0, 0})},
		{"too large", cat(le32(playready.MaxObjectSize+1), le16(1), le16(1), le16(0), make([]byte, playready.MaxObjectSize+1-10))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := playready.ParseObject(tt.in); !errors.Is(err, playready.ErrInvalidObject) {
				t.Errorf("err = %v, want ErrInvalidObject", err)
			}
			if _, err := playready.HeaderFromObject(tt.in); !errors.Is(err, playready.ErrInvalidObject) {
				t.Errorf("HeaderFromObject err = %v, want ErrInvalidObject", err)
			}
		})
	}
}

func TestHeaderFromObject(t *testing.T) {
	rec := func(typ uint16, v ...byte) playready.Record { return playready.Record{Type: typ, Value: v} }
	tests := []struct {
		name    string
		records []playready.Record
		want    string
		wantErr bool
	}{
		{"header after license store", []playready.Record{rec(3, 1, 2, 3), rec(1, '<', 0, 'a', 0)}, "<a", false},
		{"surrogate pair", []playready.Record{rec(1, 0x3d, 0xd8, 0x00, 0xde)}, "😀", false},
		{"no header record", []playready.Record{rec(3, 1, 2)}, "", true},
		{"two header records", []playready.Record{rec(1, '<', 0), rec(1, '<', 0)}, "", true},
		{"odd length", []playready.Record{rec(1, '<', 0, 'a')}, "", true},
		{"lone high surrogate", []playready.Record{rec(1, 0x3d, 0xd8, 'a', 0)}, "", true},
		{"high surrogate at end", []playready.Record{rec(1, 'a', 0, 0x3d, 0xd8)}, "", true},
		{"lone low surrogate", []playready.Record{rec(1, 0x00, 0xde)}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pro, err := playready.MarshalObject(tt.records)
			if err != nil {
				t.Fatal(err)
			}
			back, err := playready.ParseObject(pro)
			if err != nil || !reflect.DeepEqual(back, tt.records) {
				t.Fatalf("ParseObject = %v, %v", back, err)
			}
			got, err := playready.HeaderFromObject(pro)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %q, %v; want %q, err %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestMarshalObjectErrors(t *testing.T) {
	tests := []struct {
		name    string
		records []playready.Record
	}{
		{"no records", nil},
		{"record too long", []playready.Record{{Type: 1, Value: make([]byte, 0x10000)}}},
		{"object too large", []playready.Record{{Type: 1, Value: make([]byte, playready.MaxObjectSize)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := playready.MarshalObject(tt.records); !errors.Is(err, playready.ErrInvalidObject) {
				t.Errorf("err = %v, want ErrInvalidObject", err)
			}
		})
	}
}

func TestPSSH(t *testing.T) {
	kid1, key1, kid2, _ := testKeys(t)
	pro, err := playready.Header{Version: playready.Version40, Algorithm: playready.AESCTR,
		Keys: []playready.HeaderKey{{KID: kid1, Key: &key1}}}.Object()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		kids        []keys.KID
		wantVersion uint8
	}{
		{"version 0", nil, 0},
		{"version 1", []keys.KID{kid1, kid2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := playready.PSSH(pro, tt.kids)
			if err != nil {
				t.Fatal(err)
			}
			b, err := p.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			back, err := drm.ParsePSSH(b)
			if err != nil {
				t.Fatal(err)
			}
			if back.Version != tt.wantVersion || back.SystemID != drm.PlayReady ||
				!bytes.Equal(back.Data, pro) || len(back.KIDs) != len(tt.kids) {
				t.Errorf("got %+v", back)
			}
			if binary.BigEndian.Uint32(b) != uint32(len(b)) || string(b[4:8]) != "pssh" {
				t.Errorf("box header % x", b[:8])
			}
		})
	}
	if _, err := playready.PSSH([]byte("not a pro"), nil); !errors.Is(err, playready.ErrInvalidObject) {
		t.Errorf("bad PRO: err = %v", err)
	}
}
