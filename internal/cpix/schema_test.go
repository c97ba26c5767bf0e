package cpix_test

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/cpix/cpixtest"
)

// Tests of Lockstream's own CPIX schema (internal/cpix/schema): that it
// refuses what the specification refuses, and that it agrees with the
// official DASH-IF schema where a developer has downloaded that one.

const (
	nsDecl    = `xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"`
	widevine  = "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
	plainData = `<cpix:Data><pskc:Secret><pskc:PlainValue>AAECAwQFBgcICQoLDA0ODw==</pskc:PlainValue></pskc:Secret></cpix:Data>`
)

func doc(version, inner string) []byte {
	return []byte(`<cpix:CPIX version="` + version + `" ` + nsDecl + `>` + inner + `</cpix:CPIX>`)
}

func keyList(keys ...string) string {
	return `<cpix:ContentKeyList>` + strings.Join(keys, "") + `</cpix:ContentKeyList>`
}

func contentKey(attrs, inner string) string {
	return `<cpix:ContentKey ` + attrs + `>` + inner + `</cpix:ContentKey>`
}

func drmList(attrs, inner string) string {
	return `<cpix:DRMSystemList><cpix:DRMSystem ` + attrs + `>` + inner + `</cpix:DRMSystem></cpix:DRMSystemList>`
}

var (
	videoKey = contentKey(`kid="`+kidVideo+`"`, plainData)
	okSystem = `kid="` + kidVideo + `" systemId="` + widevine + `"`
)

// deliveryData is one recipient; documentKey is its DocumentKey element.
func deliveryData(documentKey string) string {
	return `<cpix:DeliveryDataList><cpix:DeliveryData><cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey>` +
		documentKey + `</cpix:DeliveryData></cpix:DeliveryDataList>`
}

const wrappedKey = `<cpix:Data><pskc:Secret><pskc:EncryptedValue><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></pskc:EncryptedValue></pskc:Secret></cpix:Data>`

// invalidCase is a document Lockstream's schema must refuse. official
// records whether xmllint with the DASH-IF schema refuses it too (both)
// or accepts it (ours): a rule of the specification's prose the official
// XSD does not encode, or one it declares but libxml2 does not enforce
// (the base64 alphabet, IDREF targets), which ours states as a pattern
// or an identity constraint.
type invalidCase struct {
	name, version string
	doc           []byte
	official      verdict
}

type verdict bool

const (
	both verdict = true  // refused by the official schema too
	ours verdict = false // refused by Lockstream's schema only
)

func invalidCases() []invalidCase {
	var cs []invalidCase
	for _, v := range []string{cpix.Version23, cpix.Version24} {
		add := func(name string, d []byte, official verdict) {
			cs = append(cs, invalidCase{v + "/" + name, v, d, official})
		}
		add("missing kid", doc(v, keyList(contentKey(``, plainData))), both)
		add("empty ContentKey without kid", []byte(`<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList><cpix:ContentKey/></cpix:ContentKeyList></cpix:CPIX>`), both)
		add("bad UUID", doc(v, keyList(contentKey(`kid="0f083e4e-b831-4a3d-917e-ce78076e54a"`, plainData))), both)
		add("UUID without hyphens", doc(v, keyList(contentKey(`kid="0f083e4eb8314a3d917ece78076e54aa"`, plainData))), both)
		add("unknown element in ContentKeyList", doc(v, keyList(videoKey, `<cpix:Key kid="`+kidAudio+`"/>`)), both)
		add("foreign element in ContentKeyList", doc(v, keyList(videoKey, `<x:Key xmlns:x="urn:example" kid="`+kidAudio+`"/>`)), both)
		add("wrong root namespace", []byte(`<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix:2" version="`+v+`"><cpix:ContentKeyList>`+contentKey(`kid="`+kidVideo+`"`, ``)+`</cpix:ContentKeyList></cpix:CPIX>`), both)
		add("ContentKey in no namespace", doc(v, `<cpix:ContentKeyList><ContentKey kid="`+kidVideo+`"/></cpix:ContentKeyList>`), both)
		add("PlainValue in the cpix namespace", doc(v, keyList(contentKey(`kid="`+kidVideo+`"`, `<cpix:Data><pskc:Secret><cpix:PlainValue>AAAA</cpix:PlainValue></pskc:Secret></cpix:Data>`))), both)
		add("DRMSystem without systemId", doc(v, keyList(videoKey)+drmList(`kid="`+kidVideo+`"`, `<cpix:PSSH>AAAA</cpix:PSSH>`)), both)
		add("DRMSystem without kid", doc(v, keyList(videoKey)+drmList(`systemId="`+widevine+`"`, ``)), both)
		add("bad systemId", doc(v, keyList(videoKey)+drmList(`kid="`+kidVideo+`" systemId="widevine"`, ``)), both)
		add("two ContentKeyList", doc(v, keyList(videoKey)+keyList(contentKey(`kid="`+kidAudio+`"`, ``))), both)
		add("lists out of order", doc(v, drmList(okSystem, ``)+keyList(videoKey)), both)
		add("PSSH not base64", doc(v, keyList(videoKey)+drmList(okSystem, `<cpix:PSSH>%%</cpix:PSSH>`)), ours)
		add("PlainValue not base64", doc(v, keyList(contentKey(`kid="`+kidVideo+`"`, `<cpix:Data><pskc:Secret><pskc:PlainValue>!!</pskc:PlainValue></pskc:Secret></cpix:Data>`))), ours)
		add("both clear and encrypted", doc(v, keyList(contentKey(`kid="`+kidVideo+`"`, `<cpix:Data><pskc:Secret><pskc:PlainValue>AAAA</pskc:PlainValue><pskc:EncryptedValue><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></pskc:EncryptedValue></pskc:Secret></cpix:Data>`))), both)
		add("EncryptedValue without CipherData", doc(v, keyList(contentKey(`kid="`+kidVideo+`"`, `<cpix:Data><pskc:Secret><pskc:EncryptedValue><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/></pskc:EncryptedValue></pskc:Secret></cpix:Data>`))), both)
		add("two media playlists", doc(v, keyList(videoKey)+drmList(okSystem, `<cpix:HLSSignalingData playlist="media">AAAA</cpix:HLSSignalingData><cpix:HLSSignalingData playlist="media">AAAA</cpix:HLSSignalingData>`)), both)
		add("unknown playlist", doc(v, keyList(videoKey)+drmList(okSystem, `<cpix:HLSSignalingData playlist="variant">AAAA</cpix:HLSSignalingData>`)), both)
		add("KeyPeriodFilter to a missing period", doc(v, keyList(videoKey)+`<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p1" index="1"/></cpix:ContentKeyPeriodList><cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="`+kidVideo+`"><cpix:KeyPeriodFilter periodId="p2"/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`), ours)
		add("filters out of order", doc(v, keyList(videoKey)+`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="`+kidVideo+`"><cpix:AudioFilter/><cpix:VideoFilter/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`), both)
		add("bad hdr", doc(v, keyList(videoKey)+`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="`+kidVideo+`"><cpix:VideoFilter hdr="maybe"/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`), both)
		add("usage rule without kid", doc(v, keyList(videoKey)+`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule intendedTrackType="VIDEO"/></cpix:ContentKeyUsageRuleList>`), both)
		add("DeliveryData without DocumentKey", doc(v, `<cpix:DeliveryDataList><cpix:DeliveryData><cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData></cpix:DeliveryDataList>`+keyList(videoKey)), both)
		add("MACMethod without Algorithm", doc(v, `<cpix:DeliveryDataList><cpix:DeliveryData><cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey><cpix:DocumentKey>`+wrappedKey+`</cpix:DocumentKey><cpix:MACMethod/></cpix:DeliveryData></cpix:DeliveryDataList>`+keyList(videoKey)), both)
		add("period with bad start", doc(v, keyList(videoKey)+`<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p1" start="yesterday"/></cpix:ContentKeyPeriodList>`), both)
		add("update history item without date", doc(v, keyList(videoKey)+`<cpix:UpdateHistoryItemList><cpix:UpdateHistoryItem updateVersion="1" index="1" source="x"/></cpix:UpdateHistoryItemList>`), both)
		add("Signature without SignatureValue", doc(v, keyList(videoKey)+`<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo></ds:Signature>`), both)

		// Rules of the specification's prose the official XSD leaves out.
		add("DRMSystem for a key not in the document", doc(v, keyList(videoKey)+drmList(`kid="`+kidAudio+`" systemId="`+widevine+`"`, ``)), ours)
		add("usage rule for a key not in the document", doc(v, keyList(videoKey)+`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="`+kidAudio+`"/></cpix:ContentKeyUsageRuleList>`), ours)
		add("same kid twice", doc(v, keyList(videoKey, videoKey)), ours)
		add("same system and key twice", doc(v, keyList(videoKey)+`<cpix:DRMSystemList><cpix:DRMSystem `+okSystem+`/><cpix:DRMSystem `+okSystem+`/></cpix:DRMSystemList>`), ours)
		add("explicitIV not 128 bits", doc(v, keyList(contentKey(`kid="`+kidVideo+`" explicitIV="AAAA"`, plainData))), ours)
		add("unknown encryption scheme", doc(v, keyList(contentKey(`kid="`+kidVideo+`" commonEncryptionScheme="ctr1"`, plainData))), ours)
	}
	add := func(name, v string, d []byte, official verdict) {
		cs = append(cs, invalidCase{v + "/" + name, v, d, official})
	}
	add("version of another release", cpix.Version23, doc("2.4", keyList(videoKey)), ours)
	add("version of another release", cpix.Version24, doc("2.3", keyList(videoKey)), ours)
	add("empty ContentKeyList", cpix.Version23, doc("2.3", `<cpix:ContentKeyList/>`), ours)
	add("empty ContentKeyList", cpix.Version24, doc("2.4", `<cpix:ContentKeyList/>`), both)
	add("HLS encryption method before 2.4", cpix.Version23, doc("2.3", keyList(contentKey(`kid="`+kidVideo+`" commonEncryptionScheme="SAMPLE-AES"`, plainData))), ours)
	add("multiVariant playlist before 2.4", cpix.Version23, doc("2.3", keyList(videoKey)+drmList(okSystem, `<cpix:HLSSignalingData playlist="multiVariant">AAAA</cpix:HLSSignalingData>`)), both)
	add("master playlist after 2.3", cpix.Version24, doc("2.4", keyList(videoKey)+drmList(okSystem, `<cpix:HLSSignalingData playlist="master">AAAA</cpix:HLSSignalingData>`)), both)
	add("URIExtXKey after 2.3", cpix.Version24, doc("2.4", keyList(videoKey)+drmList(okSystem, `<cpix:URIExtXKey>AAAA</cpix:URIExtXKey>`)), both)
	add("HDSSignalingData after 2.3", cpix.Version24, doc("2.4", keyList(videoKey)+drmList(okSystem, `<cpix:HDSSignalingData>AAAA</cpix:HDSSignalingData>`)), both)
	add("DocumentKey without Data", cpix.Version24, doc("2.4", deliveryData(`<cpix:DocumentKey/>`)+keyList(videoKey)), both)
	add("DocumentKey with a 2.3 Algorithm", cpix.Version24, doc("2.4", deliveryData(`<cpix:DocumentKey Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc">`+wrappedKey+`</cpix:DocumentKey>`)+keyList(videoKey)), both)
	add("ContentKey with a PSKC field dropped in 2.4", cpix.Version24, doc("2.4", keyList(contentKey(`kid="`+kidVideo+`"`, `<cpix:FriendlyName>k</cpix:FriendlyName>`+plainData))), both)
	add("contentId on a ContentKey before 2.4", cpix.Version23, doc("2.3", keyList(contentKey(`kid="`+kidVideo+`" contentId="a"`, plainData))), both)
	add("ContentKeyPeriod offsets before 2.4", cpix.Version23, doc("2.3", keyList(videoKey)+`<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p1" startOffset="PT0S"/></cpix:ContentKeyPeriodList>`), both)
	return cs
}

// TestSchemaCatchesInvalid: every case is refused by Lockstream's schema,
// with xmllint's complaint (never a setup error: cpixtest fails those).
func TestSchemaCatchesInvalid(t *testing.T) {
	for _, c := range invalidCases() {
		t.Run(c.name, func(t *testing.T) {
			cpixtest.Invalid(t, c.doc, c.version)
		})
	}
}

// validDocuments are documents both schemas must accept: everything this
// package writes, a SPEKE-style request, and the parts Lockstream reads
// but does not write (PSKC key fields, update history, a signature).
func validDocuments(t *testing.T) map[string]struct {
	version string
	doc     []byte
} {
	t.Helper()
	out := map[string]struct {
		version string
		doc     []byte
	}{}
	put := func(name, version string, d *cpix.Document) {
		b, err := d.Marshal()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = struct {
			version string
			doc     []byte
		}{version, b}
	}
	put("full 2.3", cpix.Version23, full(t))
	d24 := full(t)
	d24.Version = cpix.Version24
	d24.DRMSystems[1].URIExtXKey = cpix.Field{}
	put("full 2.4", cpix.Version24, d24)
	for _, v := range []string{cpix.Version23, cpix.Version24} {
		_, cert := recipient(t, 2048)
		d := full(t)
		d.Version = v
		d.DRMSystems[1].URIExtXKey = cpix.Field{}
		d.DeliveryData = []cpix.DeliveryData{{ID: "r1", Name: "encryptor", Certificate: cert, Description: "d", SendingEntity: "s", ReceivingEntity: "r"}}
		if err := d.Encrypt(rand.Reader); err != nil {
			t.Fatal(err)
		}
		put("encrypted "+v, v, d)
	}
	out["request 2.3"] = struct {
		version string
		doc     []byte
	}{cpix.Version23, []byte(request)}
	sig := `<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>`
	history := `<cpix:UpdateHistoryItemList><cpix:UpdateHistoryItem updateVersion="1" index="1" source="lockstream" date="2026-01-02T03:04:05Z"/></cpix:UpdateHistoryItemList>`
	for _, v := range []string{cpix.Version23, cpix.Version24} {
		out["signed "+v] = struct {
			version string
			doc     []byte
		}{v, doc(v, keyList(contentKey(`id="k1" kid="`+kidVideo+`" explicitIV="AAECAwQFBgcICQoLDA0ODw==" commonEncryptionScheme="cbcs"`, plainData))+history+sig)}
	}
	out["pskc key fields 2.3"] = struct {
		version string
		doc     []byte
	}{cpix.Version23, doc("2.3", keyList(contentKey(`kid="`+kidVideo+`"`, `<cpix:FriendlyName>video</cpix:FriendlyName>`+plainData)))}
	out["bulk keys 2.4"] = struct {
		version string
		doc     []byte
	}{cpix.Version24, doc("2.4", deliveryData(`<cpix:DocumentKey encryptsKey="`+kidVideo+`">`+wrappedKey+`</cpix:DocumentKey>`)+keyList(
		contentKey(`kid="`+kidVideo+`" contentId="a" commonEncryptionScheme="SAMPLE-AES"`, `<cpix:HDCPData HLSHDCPLevel="TYPE-0"/>`),
		contentKey(`kid="`+kidAudio+`" contentId="b"`, ``))+
		`<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p1" label="first" startOffset="PT0S" duration="PT10S"/></cpix:ContentKeyPeriodList>`)}
	return out
}

// TestSchemaAcceptsValid: Lockstream's schema (and the official one, when
// present, through cpixtest.Validate) accepts every valid document.
func TestSchemaAcceptsValid(t *testing.T) {
	for name, c := range validDocuments(t) {
		t.Run(name, func(t *testing.T) {
			cpixtest.Validate(t, c.doc, c.version)
		})
	}
}

// TestSchemaAgreesWithOfficial compares Lockstream's schema with the
// official DASH-IF XSD document by document: every valid document is
// valid under both, and for every invalid one the official verdict is the
// one the case records (refused by both, or by ours only). The official files are not redistributable and CI cannot
// download them, so this runs where a developer has fetched them with
// scripts/cpix-xsd; elsewhere it says so and skips (by design, under CI
// too: the own schema's tests above run everywhere).
func TestSchemaAgreesWithOfficial(t *testing.T) {
	official := map[string]string{}
	for _, v := range cpixtest.Versions {
		p, ok := cpixtest.OfficialSchema(v)
		if !ok {
			t.Skipf("official DASH-IF CPIX %s schema absent (%s); run scripts/cpix-xsd to compare against it", v, p)
		}
		official[v] = p
	}
	for name, c := range validDocuments(t) {
		t.Run("valid/"+name, func(t *testing.T) {
			own, _ := cpixtest.OwnSchema(c.version)
			if err := cpixtest.Check(t, c.doc, own); err != nil {
				t.Fatalf("Lockstream schema refuses: %v\n%s", err, c.doc)
			}
			if err := cpixtest.Check(t, c.doc, official[c.version]); err != nil {
				t.Fatalf("official schema refuses: %v\n%s", err, c.doc)
			}
		})
	}
	for _, c := range invalidCases() {
		t.Run("invalid/"+c.name, func(t *testing.T) {
			err := cpixtest.Check(t, c.doc, official[c.version])
			var se *cpixtest.SchemaError
			switch {
			case c.official == both && !errors.As(err, &se):
				t.Fatalf("official schema accepts a document recorded as refused by both (err %v):\n%s", err, c.doc)
			case c.official == ours && err != nil:
				t.Fatalf("official schema refuses a document recorded as refused only by ours: %v", err)
			}
		})
	}
}
