package keyprovider

import (
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keys"
)

func TestParseKeyTag(t *testing.T) {
	k, err := ParseKeyTag(`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://keys.example/a,b",KEYID=0x00112233445566778899aabbccddeeff,KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1",IV=0x0102`, false)
	if err != nil {
		t.Fatal(err)
	}
	if k.Method != "SAMPLE-AES" || k.URI != "skd://keys.example/a,b" || k.KeyFormat != "com.apple.streamingkeydelivery" || k.KeyFormatVersions != "1" || k.IV != "0x0102" {
		t.Fatalf("%+v", k)
	}
	if _, err := ParseKeyTag(`#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;base64,AAAA"`, true); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		``,
		`#EXT-X-KEY:`,
		`#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="x"`, // master tag where media is expected
		`#EXT-X-KEY:METHOD=NONE`,
		`#EXT-X-KEY:METHOD=SAMPLE-AES`,
		`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="x`,
		`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="x",`,
		`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="x",URI="y"`,
		`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="x"` + "\n#EXT-X-KEY:METHOD=AES-128,URI=\"y\"",
		`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="x"junk`,
		`#EXT-X-KEY:method=SAMPLE-AES,URI="x"`,
		`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="x",KEYFORMAT=a b`,
		"#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"" + strings.Repeat("a", maxHLSLine) + "\"",
	} {
		if k, err := ParseKeyTag(bad, false); err == nil {
			t.Errorf("%q parsed: %+v", bad, k)
		}
	}
}

func TestCheckXMLFragment(t *testing.T) {
	for _, ok := range []string{
		`<cenc:pssh xmlns:cenc="urn:mpeg:cenc:2013">AAAA</cenc:pssh>`,
		`<mspr:pro xmlns:mspr="urn:microsoft:playready">AA==</mspr:pro><cenc:pssh>AA==</cenc:pssh>`,
		`<dashif:Laurl xmlns:dashif="https://dashif.org/CPS">https://x/?a=1&amp;b=2</dashif:Laurl>`,
	} {
		if err := checkXMLFragment([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{
		`<a>`,
		`</f><script>alert(1)</script><f>`,
		`<!DOCTYPE x [<!ENTITY e "x">]><a>&e;</a>`,
		`<a>&e;</a>`,
		`<?xml-stylesheet href="x"?><a/>`,
		`<!-- c --><a/>`,
		strings.Repeat("<a>", maxXMLDepth+1) + strings.Repeat("</a>", maxXMLDepth+1),
		"<a>" + strings.Repeat("x", maxXML) + "</a>",
	} {
		if err := checkXMLFragment([]byte(bad)); err == nil {
			t.Errorf("%.60s accepted", bad)
		}
	}
}

// TestSignalOf: every system asked for must be answered with usable,
// matching data.
func TestSignalOf(t *testing.T) {
	kid := keys.KID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	p, err := widevine.PsshData{KeyIDs: []keys.KID{kid}}.PSSH()
	if err != nil {
		t.Fatal(err)
	}
	box, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	good := cpix.DRMSystem{KID: kid, SystemID: drm.Widevine, PSSH: cpix.Set(box), HLSMedia: cpix.Set([]byte(`#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:x"`))}
	d := &cpix.Document{DRMSystems: []cpix.DRMSystem{good}}
	sig, err := signalOf(d, kid, []drm.SystemID{drm.Widevine})
	if err != nil || len(sig.Systems) != 1 || sig.Systems[0].HLS == nil || string(sig.Systems[0].PSSH) != string(box) {
		t.Fatalf("%+v %v", sig, err)
	}
	if _, err := signalOf(d, kid, []drm.SystemID{drm.Widevine, drm.PlayReady}); err == nil || !strings.Contains(err.Error(), "PlayReady") {
		t.Errorf("missing PlayReady: %v", err)
	}
	wrongSys := good
	wrongSys.SystemID = drm.PlayReady
	if _, err := signalOf(&cpix.Document{DRMSystems: []cpix.DRMSystem{wrongSys}}, kid, []drm.SystemID{drm.PlayReady}); err == nil {
		t.Error("a Widevine PSSH under PlayReady accepted")
	}
	empty := cpix.DRMSystem{KID: kid, SystemID: drm.Widevine, PSSH: cpix.Field{Present: true}}
	if _, err := signalOf(&cpix.Document{DRMSystems: []cpix.DRMSystem{empty}}, kid, []drm.SystemID{drm.Widevine}); err == nil {
		t.Error("an unanswered DRMSystem accepted")
	}
	badXML := good
	badXML.ContentProtectionData = cpix.Set([]byte(`<a>`))
	if _, err := signalOf(&cpix.Document{DRMSystems: []cpix.DRMSystem{badXML}}, kid, []drm.SystemID{drm.Widevine}); err == nil {
		t.Error("malformed ContentProtectionData accepted")
	}
}

func FuzzParseKeyTag(f *testing.F) {
	for _, s := range []string{`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://x",KEYFORMAT="com.apple.streamingkeydelivery"`,
		`#EXT-X-KEY:METHOD=AES-128,URI="https://k/1",IV=0x01`, `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="x",`, `#EXT-X-KEY:A="`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKeyTag(s, false)
		if err != nil {
			return
		}
		// What parses is a key tag a playlist can carry as it is.
		if k.URI == "" || strings.ContainsAny(k.URI+k.KeyFormat+k.KeyFormatVersions+k.IV, "\"\r\n") {
			t.Fatalf("%q parsed to %+v", s, k)
		}
	})
}

func FuzzCheckXMLFragment(f *testing.F) {
	for _, s := range []string{`<cenc:pssh>AA==</cenc:pssh>`, `<a><b/></a>`, `<!DOCTYPE a>`, `</f><x>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if checkXMLFragment(b) != nil {
			return
		}
		// An accepted fragment cannot close the element it goes into.
		if err := checkXMLFragment([]byte("<x>" + string(b) + "</x>")); err != nil {
			t.Fatalf("%q accepted alone but not wrapped: %v", b, err)
		}
	})
}
