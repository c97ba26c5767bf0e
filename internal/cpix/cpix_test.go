package cpix_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/cpix/cpixtest"
	"github.com/lockstream/lockstream/internal/drm"
)

const (
	kidVideo = "0f083e4e-b831-4a3d-917e-ce78076e54aa"
	kidAudio = "041fdd3a-7f5e-4848-a7cb-65e97758e9a0"
)

// full returns a document using every element this package writes.
func full(t *testing.T) *cpix.Document {
	smooth := "PFdSTUhFQURFUi8+"
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	end := start.Add(10 * time.Second)
	return &cpix.Document{
		ContentID: "content & <id>", Version: cpix.Version23, Name: "n",
		ContentKeys: []cpix.ContentKey{
			{KID: mustKID(t, kidVideo), CommonEncryptionScheme: "cbcs", ExplicitIV: bytes.Repeat([]byte{7}, 16), Value: key(1)},
			{KID: mustKID(t, kidAudio), CommonEncryptionScheme: "cbcs", Value: key(50)},
		},
		DRMSystems: []cpix.DRMSystem{{
			KID: mustKID(t, kidVideo), SystemID: drm.Widevine,
			PSSH: cpix.Set([]byte("pssh")), ContentProtectionData: cpix.Set([]byte("<cenc:pssh/>")),
			HLSMedia: cpix.Set([]byte("#EXT-X-KEY:METHOD=SAMPLE-AES")), HLSMaster: cpix.Set([]byte("#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES")),
		}, {
			KID: mustKID(t, kidVideo), SystemID: drm.PlayReady, SmoothStreamingProtectionHeaderData: &smooth,
			URIExtXKey: cpix.Set([]byte("data:x")),
		}},
		Periods: []cpix.ContentKeyPeriod{{ID: "keyPeriod_1", Index: i64(1), Start: &start, End: &end}},
		UsageRules: []cpix.UsageRule{{
			KID: mustKID(t, kidVideo), IntendedTrackType: "VIDEO", KeyPeriodFilters: []string{"keyPeriod_1"},
			LabelFilters: []string{"l"},
			VideoFilters: []cpix.VideoFilter{{MinPixels: i64(0), MaxPixels: i64(1920 * 1080), HDR: boolp(false), WCG: boolp(true), MinFPS: i64(1), MaxFPS: i64(60)}},
		}, {
			KID: mustKID(t, kidAudio), IntendedTrackType: "AUDIO",
			AudioFilters:   []cpix.AudioFilter{{MinChannels: i64(1), MaxChannels: i64(2)}},
			BitrateFilters: []cpix.BitrateFilter{{MaxBitrate: i64(128000)}},
		}},
	}
}

func TestRoundTripValidates(t *testing.T) {
	d := full(t)
	b, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cpixtest.Validate(t, b, cpix.Version23)
	got, err := cpix.Parse(b)
	if err != nil {
		t.Fatalf("parse own output: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, d)
	}
}

func TestVersion24WritesMultiVariant(t *testing.T) {
	d := full(t)
	d.Version = cpix.Version24
	d.DRMSystems[1].URIExtXKey = cpix.Field{} // removed in 2.4
	b, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cpixtest.Validate(t, b, cpix.Version24)
	if !bytes.Contains(b, []byte(`playlist="multiVariant"`)) {
		t.Fatalf("2.4 document without multiVariant playlist:\n%s", b)
	}
	got, err := cpix.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.DRMSystems[0].HLSMaster.Present {
		t.Fatal("multiVariant not read as the master playlist")
	}
}

// A SPEKE-style request: empty elements ask the server to fill them in.
const request = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="abc" version="2.3" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="` + kidVideo + `" commonEncryptionScheme="cenc"></cpix:ContentKey>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="` + kidVideo + `" systemId="EDEF8BA9-79D6-4ACE-A3C8-27DCD51D21ED">
      <cpix:PSSH/>
      <cpix:ContentProtectionData/>
      <cpix:HLSSignalingData playlist="media"/>
      <cpix:HLSSignalingData playlist="master"/>
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="` + kidVideo + `" intendedTrackType="VIDEO"><cpix:VideoFilter/></cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`

func TestParseRequest(t *testing.T) {
	d, err := cpix.Parse([]byte(request))
	if err != nil {
		t.Fatal(err)
	}
	if d.ContentID != "abc" || d.Version != "2.3" || len(d.ContentKeys) != 1 || d.ContentKeys[0].Value != nil {
		t.Fatalf("document %+v", d)
	}
	s := d.DRMSystems[0]
	if s.SystemID != drm.Widevine || !s.PSSH.Present || len(s.PSSH.Value) != 0 || !s.HLSMaster.Present || !s.HLSMedia.Present ||
		!s.ContentProtectionData.Present || s.URIExtXKey.Present || s.SmoothStreamingProtectionHeaderData != nil {
		t.Fatalf("drm system %+v", s)
	}
	if r := d.UsageRules[0]; r.IntendedTrackType != "VIDEO" || len(r.VideoFilters) != 1 || r.VideoFilters[0] != (cpix.VideoFilter{}) {
		t.Fatalf("rule %+v", r)
	}
	cpixtest.Validate(t, []byte(request), cpix.Version23)
}

func TestEncryptedDelivery(t *testing.T) {
	priv, cert := recipient(t, 2048)
	d := full(t)
	want := map[string][16]byte{kidVideo: *d.ContentKeys[0].Value, kidAudio: *d.ContentKeys[1].Value}
	d.DeliveryData = []cpix.DeliveryData{{ID: "r1", Certificate: cert}}
	if _, err := d.Marshal(); !errors.Is(err, cpix.ErrPlainKeyForRecipients) {
		t.Fatalf("clear key with recipients: err = %v", err)
	}
	if err := d.Encrypt(rand.Reader); err != nil {
		t.Fatal(err)
	}
	b, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cpixtest.Validate(t, b, cpix.Version23)
	for _, k := range want {
		if bytes.Contains(b, []byte(cpixB64(k[:]))) {
			t.Fatal("clear key value in an encrypted document")
		}
	}
	got, err := cpix.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentKeys[0].Encrypted == nil || got.ContentKeys[0].Value != nil {
		t.Fatalf("parsed key %+v", got.ContentKeys[0])
	}
	other, _ := recipient(t, 2048)
	if err := got.DecryptKeys(other); !errors.Is(err, cpix.ErrDecrypt) {
		t.Fatalf("decrypt with a stranger's key: %v", err)
	}
	if err := got.DecryptKeys(priv); err != nil {
		t.Fatal(err)
	}
	for _, ck := range got.ContentKeys {
		if ck.Value == nil || *ck.Value != want[ck.KID.String()] {
			t.Fatalf("key %s decrypted wrong", ck.KID)
		}
	}

	// A flipped ciphertext bit or a dropped MAC is refused before decryption.
	tampered, _ := cpix.Parse(b)
	tampered.ContentKeys[1].Encrypted.CipherValue[20] ^= 1
	if err := tampered.DecryptKeys(priv); !errors.Is(err, cpix.ErrDecrypt) || !strings.Contains(err.Error(), "ValueMAC") {
		t.Fatalf("tampered value: %v", err)
	}
	if tampered.ContentKeys[0].Value != nil {
		t.Fatal("failed decryption changed the document")
	}
	noMAC, _ := cpix.Parse(b)
	noMAC.ContentKeys[0].Encrypted.MAC = nil
	if err := noMAC.DecryptKeys(priv); !errors.Is(err, cpix.ErrDecrypt) {
		t.Fatalf("value without MAC: %v", err)
	}
}

func TestEncryptRefusesWeakRecipient(t *testing.T) {
	_, cert := recipient(t, 1024)
	d := full(t)
	d.DeliveryData = []cpix.DeliveryData{{Certificate: cert}}
	if err := d.Encrypt(rand.Reader); !errors.Is(err, cpix.ErrInvalid) || !strings.Contains(err.Error(), "1024-bit") {
		t.Fatalf("1024-bit recipient: %v", err)
	}
	if d.ContentKeys[0].Value == nil || d.DeliveryData[0].WrappedDocumentKey != nil {
		t.Fatal("failed Encrypt changed the document")
	}
	d.DeliveryData[0].Certificate = []byte("junk")
	if err := d.Encrypt(rand.Reader); !errors.Is(err, cpix.ErrInvalid) {
		t.Fatalf("junk certificate: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	root := func(inner string) string {
		return `<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">` + inner + `</cpix:CPIX>`
	}
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` + root(`<cpix:ContentKeyList id="&lol3;"/>`)
	xxe := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + root(`<cpix:ContentKeyList id="&x;"/>`)
	deep := root(strings.Repeat("<a>", 30) + strings.Repeat("</a>", 30))
	many := root(strings.Repeat("<x/>", 50001))
	attrs := root(`<x ` + func() string {
		var b strings.Builder
		for i := range 40 {
			b.WriteString(` a` + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `="1"`)
		}
		return b.String()
	}() + `/>`)
	big := root(`<cpix:ContentKeyList>` + strings.Repeat(" ", cpix.MaxDocumentSize) + `</cpix:ContentKeyList>`)
	key := func(attrs, inner string) string {
		return root(`<cpix:ContentKeyList><cpix:ContentKey ` + attrs + `>` + inner + `</cpix:ContentKey></cpix:ContentKeyList>`)
	}
	sys := func(attrs, inner string) string {
		return root(`<cpix:DRMSystemList><cpix:DRMSystem ` + attrs + `>` + inner + `</cpix:DRMSystem></cpix:DRMSystemList>`)
	}
	okSys := `kid="` + kidVideo + `" systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"`
	cases := map[string]struct{ doc, msg string }{
		"billion laughs":       {laughs, "DTDs"},
		"external entity":      {xxe, "DTDs"},
		"undefined entity":     {root(`<cpix:ContentKeyList id="&x;"/>`), "entity"},
		"processing instr":     {`<?xml-stylesheet href="x"?>` + root(""), "processing"},
		"too deep":             {deep, "deeper"},
		"too many elements":    {many, "elements"},
		"too many attributes":  {attrs, "attributes"},
		"too large":            {big, "larger"},
		"empty":                {"", "no root"},
		"two roots":            {root("") + root(""), "more than one root"},
		"trailing text":        {root("") + "junk", "text outside"},
		"wrong root namespace": {`<CPIX xmlns="urn:other"/>`, "expected element"},
		"not xml":              {"{}", "invalid"},
		"unclosed":             {`<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList>`, "EOF"},
		"missing kid":          {key(``, ``), "missing ContentKey@kid"},
		"bad kid":              {key(`kid="nope"`, ``), "ContentKey@kid"},
		"bad iv":               {key(`kid="`+kidVideo+`" explicitIV="AAAA"`, ``), "explicitIV has 3 bytes"},
		"short plain value":    {key(`kid="`+kidVideo+`"`, `<cpix:Data><pskc:Secret><pskc:PlainValue>AAAA</pskc:PlainValue></pskc:Secret></cpix:Data>`), "want 16"},
		"bad base64":           {key(`kid="`+kidVideo+`"`, `<cpix:Data><pskc:Secret><pskc:PlainValue>!!</pskc:PlainValue></pskc:Secret></cpix:Data>`), "not base64"},
		"duplicate key":        {root(`<cpix:ContentKeyList><cpix:ContentKey kid="` + kidVideo + `"/><cpix:ContentKey kid="` + strings.ToUpper(kidVideo) + `"/></cpix:ContentKeyList>`), "twice"},
		"missing system id":    {sys(`kid="`+kidVideo+`"`, ``), "missing systemId"},
		"bad system id":        {sys(`kid="`+kidVideo+`" systemId="x"`, ``), "systemId"},
		"bad playlist":         {sys(okSys, `<cpix:HLSSignalingData playlist="x"/>`), "playlist"},
		"two media playlists":  {sys(okSys, `<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="media"/>`), "two HLSSignalingData"},
		"three playlists":      {sys(okSys, `<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/><cpix:HLSSignalingData playlist="media"/>`), "more than two"},
		"bad pssh":             {sys(okSys, `<cpix:PSSH>%%</cpix:PSSH>`), "not base64"},
		"bad index":            {root(`<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod index="x"/></cpix:ContentKeyPeriodList>`), "integer"},
		"bad start":            {root(`<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod start="yesterday"/></cpix:ContentKeyPeriodList>`), "dateTime"},
		"bad hdr":              {root(`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="` + kidVideo + `"><cpix:VideoFilter hdr="maybe"/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`), "boolean"},
		"delivery without key": {root(`<cpix:DeliveryDataList><cpix:DeliveryData/></cpix:DeliveryDataList>`), "DeliveryKey"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := cpix.Parse([]byte(c.doc))
			if !errors.Is(err, cpix.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v, want it to mention %q", err, c.msg)
			}
		})
	}
}
