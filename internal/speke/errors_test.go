package speke_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const (
	kidA = "0f083e4e-b831-4a3d-917e-ce78076e54aa"
	kidB = "041fdd3a-7f5e-4848-a7cb-65e97758e9a0"
	wv   = "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
	fps  = "94ce86fb-07ff-4f43-adb8-93d2fa968ca2"
)

// doc builds a request: root attributes, then inner XML.
func doc(rootAttrs, inner string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?><cpix:CPIX ` + rootAttrs +
		` xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` + inner + `</cpix:CPIX>`)
}

func keyList(keys ...string) string {
	return `<cpix:ContentKeyList>` + strings.Join(keys, "") + `</cpix:ContentKeyList>`
}

func ck(kid, scheme string) string {
	if scheme == "" {
		return `<cpix:ContentKey kid="` + kid + `"/>`
	}
	return `<cpix:ContentKey kid="` + kid + `" commonEncryptionScheme="` + scheme + `"/>`
}

func sys(kid, id, inner string) string {
	return `<cpix:DRMSystemList><cpix:DRMSystem kid="` + kid + `" systemId="` + id + `">` + inner + `</cpix:DRMSystem></cpix:DRMSystemList>`
}

func manyKeys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = ck(fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "cenc")
	}
	return out
}

// TestMalformedRequests: each broken request gets SPEKE's status and
// message, and nothing is minted for it.
func TestMalformedRequests(t *testing.T) {
	n := startNode(t)
	ok := `contentId="malformed" version="2.3"`
	big := doc(ok, keyList(ck(kidA, "cenc"))+`<!--`+strings.Repeat("x", 4<<20)+`-->`)
	laughs := []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>` +
		string(doc(`contentId="&lol2;" version="2.3"`, keyList(ck(kidA, "cenc")))))
	xxe := []byte(`<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
		string(doc(`contentId="&x;" version="2.3"`, keyList(ck(kidA, "cenc")))))
	cases := []struct {
		name    string
		version string
		body    []byte
		status  int
		msg     string
	}{
		{"no speke version header", "", doc(ok, keyList(ck(kidA, "cenc"))), 422, "Unsupported SPEKE version"},
		{"speke 1.0", "1.0", doc(ok, keyList(ck(kidA, "cenc"))), 422, "Unsupported SPEKE version"},
		{"missing contentId", "2.0", doc(`version="2.3"`, keyList(ck(kidA, "cenc"))), 422, "Missing CPIX@contentId"},
		{"missing version", "2.0", doc(`contentId="x"`, keyList(ck(kidA, "cenc"))), 422, "Missing CPIX@version"},
		{"cpix 2.0 with speke 2.0", "2.0", doc(`contentId="x" version="2.0"`, keyList(ck(kidA, "cenc"))), 422, "Unsupported CPIX@version"},
		{"cpix 2.3 with speke 2.1", "2.1", doc(ok, keyList(ck(kidA, "cenc"))), 422, "Unsupported CPIX@version"},
		{"missing scheme", "2.0", doc(ok, keyList(ck(kidA, ""))), 422, "Missing ContentKey@commonEncryptionScheme for KID " + kidA},
		{"mixed schemes", "2.0", doc(ok, keyList(ck(kidA, "cenc"), ck(kidB, "cbcs"))), 422, "Non compliant ContentKey@commonEncryptionScheme combination"},
		{"unknown scheme", "2.0", doc(ok, keyList(ck(kidA, "aes"))), 422, "Unsupported ContentKey@commonEncryptionScheme"},
		{"no keys", "2.0", doc(ok, ""), 422, "Missing ContentKeyList"},
		{"too many keys", "2.0", doc(ok, keyList(manyKeys(1001)...)), 422, "Too many ContentKey elements: 1001"},
		{"key with a value", "2.0", doc(ok, keyList(`<cpix:ContentKey kid="`+kidA+`" commonEncryptionScheme="cenc"><cpix:Data><pskc:Secret><pskc:PlainValue>AAAAAAAAAAAAAAAAAAAAAA==</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:ContentKey>`)), 422, "carries a value"},
		{"fairplay with cenc", "2.0", doc(ok, keyList(ck(kidA, "cenc"))+sys(kidA, fps, `<cpix:HLSSignalingData playlist="media"/>`)), 422, "FairPlay DRMSystem for KID " + kidA + " needs"},
		{"unknown system", "2.0", doc(ok, keyList(ck(kidA, "cenc"))+sys(kidA, "11111111-2222-3333-4444-555555555555", `<cpix:PSSH/>`)), 422, "Unsupported DRMSystem@systemId 11111111-2222-3333-4444-555555555555"},
		{"system for unknown kid", "2.0", doc(ok, keyList(ck(kidA, "cenc"))+sys(kidB, wv, `<cpix:PSSH/>`)), 422, "DRMSystem KID " + kidB + " is not in the ContentKeyList"},
		{"rule without filter", "2.0", doc(ok, keyList(ck(kidA, "cenc"))+`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="`+kidA+`" intendedTrackType="VIDEO"/></cpix:ContentKeyUsageRuleList>`), 422, "needs a VideoFilter or an AudioFilter"},
		{"rule without track type", "2.0", doc(ok, keyList(ck(kidA, "cenc"))+`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="`+kidA+`"><cpix:VideoFilter/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`), 422, "Missing ContentKeyUsageRule@intendedTrackType"},
		{"ALL with others", "2.0", doc(ok, keyList(ck(kidA, "cenc"), ck(kidB, "cenc"))+`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="`+kidA+`" intendedTrackType="ALL"><cpix:VideoFilter/></cpix:ContentKeyUsageRule><cpix:ContentKeyUsageRule kid="`+kidB+`" intendedTrackType="AUDIO"><cpix:AudioFilter/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`), 422, "intendedTrackType ALL"},
		{"unknown period", "2.0", doc(ok, keyList(ck(kidA, "cenc"))+`<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="`+kidA+`" intendedTrackType="VIDEO"><cpix:KeyPeriodFilter periodId="p9"/><cpix:VideoFilter/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`), 422, "names no ContentKeyPeriod"},
		{"period without index", "2.0", doc(ok, keyList(ck(kidA, "cenc"))+`<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p1"/></cpix:ContentKeyPeriodList>`), 422, "Missing ContentKeyPeriod@index"},
		{"weak recipient", "2.0", nil, 422, "1024-bit RSA key"},
		{"junk recipient", "2.0", doc(ok, `<cpix:DeliveryDataList><cpix:DeliveryData><cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData></cpix:DeliveryDataList>`+keyList(ck(kidA, "cenc"))), 422, "recipient certificate"},
		{"empty body", "2.0", nil, 400, "Malformed CPIX document"},
		{"not xml", "2.0", []byte("{}"), 400, "Malformed CPIX document"},
		{"wrong root", "2.0", []byte(`<CPIX contentId="x" version="2.3"/>`), 400, "Malformed CPIX document"},
		{"bad kid", "2.0", doc(ok, keyList(ck("not-a-kid", "cenc"))), 400, "ContentKey@kid"},
		{"billion laughs", "2.0", laughs, 400, "DTDs, entities and processing instructions are not allowed"},
		{"external entity", "2.0", xxe, 400, "DTDs, entities and processing instructions are not allowed"},
		{"too large", "2.0", big, 413, "larger than the limit"},
	}
	_, weak := recipient(t, 1024)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := c.body
			if c.name == "weak recipient" {
				body = doc(ok, `<cpix:DeliveryDataList><cpix:DeliveryData><cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>`+
					b64(weak)+`</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData></cpix:DeliveryDataList>`+keyList(ck(kidA, "cenc")))
			}
			code, out, h := n.Speke(t, c.version, n.Owner, body, nil)
			if code != c.status || !strings.Contains(string(out), c.msg) {
				t.Fatalf("got %d %q, want %d containing %q", code, out, c.status, c.msg)
			}
			if h.Get("X-Speke-User-Agent") == "" || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
				t.Fatalf("headers %v", h)
			}
		})
	}
	// None of the refused requests minted a key: kidA is still free for
	// another content id.
	code, out, _ := n.Speke(t, "2.0", n.Owner, doc(`contentId="after-malformed" version="2.3"`, keyList(ck(kidA, "cenc"))), nil)
	if code != 200 {
		t.Fatalf("kid used by a refused request is taken: %d %s", code, out)
	}
}

// TestKIDBelongsToOneContent: a kid minted for one content id is refused
// for another (one kid, one key in the account).
func TestKIDBelongsToOneContent(t *testing.T) {
	n := startNode(t)
	const kid = "7a1f0b9e-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
	if code, out, _ := n.Speke(t, "2.0", n.Owner, doc(`contentId="owner-1" version="2.3"`, keyList(ck(kid, "cbcs"))), nil); code != 200 {
		t.Fatalf("first: %d %s", code, out)
	}
	code, out, _ := n.Speke(t, "2.0", n.Owner, doc(`contentId="owner-2" version="2.3"`, keyList(ck(kid, "cbcs"))), nil)
	if code != 422 || !strings.Contains(string(out), "KID "+kid) {
		t.Fatalf("kid reuse across contents: %d %s", code, out)
	}
}

// TestAuthentication: bearer tokens need the right to see content keys;
// API keys work without OAuth2 and only for their account.
func TestAuthentication(t *testing.T) {
	n := startNode(t)
	body := doc(`contentId="auth" version="2.3"`, keyList(ck("5d0c8a47-6f0b-4c1e-9d2a-3b4c5d6e7f80", "cenc")))
	t.Run("no token", func(t *testing.T) {
		code, out, h := n.Speke(t, "2.0", "", body, nil)
		if code != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer ") {
			t.Fatalf("%d %s %v", code, out, h)
		}
	})
	t.Run("garbage token", func(t *testing.T) {
		code, _, h := n.Speke(t, "2.0", "not.a.jwt", body, nil)
		if code != 401 || !strings.Contains(h.Get("WWW-Authenticate"), "invalid_token") {
			t.Fatalf("%d %v", code, h)
		}
	})
	t.Run("reader is forbidden", func(t *testing.T) {
		code, out, _ := n.Speke(t, "2.0", n.Principal(t, "Reader"), body, nil)
		if code != 403 {
			t.Fatalf("%d %s", code, out)
		}
	})
	t.Run("policy administrator is forbidden", func(t *testing.T) {
		// May read locators but not their keys.
		if code, out, _ := n.Speke(t, "2.0", n.Principal(t, "Policy Administrator"), body, nil); code != 403 {
			t.Fatalf("%d %s", code, out)
		}
	})
	t.Run("media operator may", func(t *testing.T) {
		if code, out, _ := n.Speke(t, "2.0", n.Principal(t, "Media Operator"), body, nil); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
	})
	t.Run("unknown account", func(t *testing.T) {
		code, out, _ := n.DoFull(t, http.MethodPost, "/speke/v2/6b1d0c2e-0000-4000-8000-000000000000", n.Owner, string(body), http.Header{"X-Speke-Version": {"2.0"}})
		if code != 404 {
			t.Fatalf("%d %s", code, out)
		}
	})
	t.Run("api key", func(t *testing.T) {
		mgmt := "/keyexchange/" + n.MSID + "/apiKeys"
		jsonHdr := http.Header{"Content-Type": {"application/json"}}
		if code, out := n.Do(t, http.MethodPost, mgmt, n.Principal(t, "Reader"), `{"name":"enc1"}`, jsonHdr); code != 403 {
			t.Fatalf("reader creating an api key: %d %s", code, out)
		}
		if code, out := n.Do(t, http.MethodPost, mgmt, "", `{"name":"enc1"}`, jsonHdr); code != 401 {
			t.Fatalf("anonymous creating an api key: %d %s", code, out)
		}
		if code, out := n.Do(t, http.MethodPost, mgmt, n.Owner, `{"name":"../x"}`, jsonHdr); code != 400 || !strings.Contains(string(out), `"code":"BadRequest"`) {
			t.Fatalf("bad name: %d %s", code, out)
		}
		code, out := n.Do(t, http.MethodPost, mgmt, n.Owner, `{"name":"enc1"}`, jsonHdr)
		var created struct{ Name, Key string }
		if code != 201 || json.Unmarshal(out, &created) != nil || !strings.HasPrefix(created.Key, "enc1.") {
			t.Fatalf("create api key: %d %s", code, out)
		}
		if code, out := n.Do(t, http.MethodPost, mgmt, n.Owner, `{"name":"enc1"}`, jsonHdr); code != 409 {
			t.Fatalf("duplicate: %d %s", code, out)
		}
		code, out = n.Do(t, http.MethodGet, mgmt, n.Owner, "", nil)
		if code != 200 || !strings.Contains(string(out), `"enc1"`) || strings.Contains(string(out), strings.TrimPrefix(created.Key, "enc1.")) {
			t.Fatalf("list shows the secret or misses the key: %d %s", code, out)
		}
		withKey := func(k string) int {
			code, _, _ := n.Speke(t, "2.0", "", body, http.Header{"X-Api-Key": {k}})
			return code
		}
		if c := withKey(created.Key); c != 200 {
			t.Fatalf("valid api key: %d", c)
		}
		if c := withKey(created.Key + "x"); c != 401 {
			t.Fatalf("wrong secret: %d", c)
		}
		if c := withKey("enc2." + strings.TrimPrefix(created.Key, "enc1.")); c != 401 {
			t.Fatalf("other name: %d", c)
		}
		// The key is for this account only.
		code, _, _ = n.DoFull(t, http.MethodPost, "/speke/v2/6b1d0c2e-0000-4000-8000-000000000000", "", string(body),
			http.Header{"X-Speke-Version": {"2.0"}, "X-Api-Key": {created.Key}})
		if code != 401 {
			t.Fatalf("api key on another account: %d", code)
		}
		if code, out := n.Do(t, http.MethodDelete, mgmt+"/enc1", n.Owner, "", nil); code != 204 {
			t.Fatalf("delete: %d %s", code, out)
		}
		if c := withKey(created.Key); c != 401 {
			t.Fatalf("deleted api key: %d", c)
		}
	})
}
