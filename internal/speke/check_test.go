package speke_test

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/fairplay"
	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keys"
)

// checkPSSH parses a whole pssh box and checks system id, key id and
// scheme with internal/drm's parsers.
func checkPSSH(t *testing.T, sys drm.SystemID, box []byte, kid keys.KID, scheme, laURL string) {
	t.Helper()
	p, err := drm.ParsePSSH(box)
	if err != nil {
		t.Fatalf("pssh does not parse: %v", err)
	}
	switch sys {
	case drm.Widevine:
		if p.SystemID != drm.Widevine {
			t.Fatalf("widevine pssh has system %s", p.SystemID)
		}
		d, err := widevine.UnmarshalPsshData(p.Data)
		if err != nil {
			t.Fatalf("widevine pssh data: %v", err)
		}
		if !slices.Equal(d.KeyIDs, []keys.KID{kid}) {
			t.Fatalf("widevine pssh kids %v, want %s", d.KeyIDs, kid)
		}
		if want := map[string]string{"cenc": "", "cbcs": "cbcs"}[scheme]; d.ProtectionScheme != want {
			t.Fatalf("widevine protection scheme %q, want %q", d.ProtectionScheme, want)
		}
	case drm.PlayReady:
		if p.SystemID != drm.PlayReady {
			t.Fatalf("playready pssh has system %s", p.SystemID)
		}
		checkPRO(t, p.Data, kid, laURL)
	case drm.ClearKeyDASH:
		if p.SystemID != drm.Common || !slices.Equal(p.KIDs, []keys.KID{kid}) {
			t.Fatalf("clear key pssh: system %s kids %v", p.SystemID, p.KIDs)
		}
	default:
		t.Fatalf("no pssh expected for %s", sys)
	}
}

func checkPRO(t *testing.T, pro []byte, kid keys.KID, laURL string) {
	t.Helper()
	x, err := playready.HeaderFromObject(pro)
	if err != nil {
		t.Fatalf("playready object: %v", err)
	}
	h, err := playready.ParseHeader(x)
	if err != nil {
		t.Fatalf("playready header: %v", err)
	}
	if len(h.Keys) != 1 || h.Keys[0].KID != kid || h.LAURL != laURL {
		t.Fatalf("playready header keys %v laurl %q, want %s %q", h.Keys, h.LAURL, kid, laURL)
	}
}

// cpData parses ContentProtectionData (XML children of a DASH
// ContentProtection) into element local name → text.
func cpData(t *testing.T, b []byte) map[string]string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader([]byte("<r>" + string(b) + "</r>")))
	out := map[string]string{}
	var cur string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("ContentProtectionData is not XML: %v\n%s", err, b)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			cur = x.Name.Space + " " + x.Name.Local
		case xml.CharData:
			if cur != "" {
				out[cur] += string(x)
			}
		case xml.EndElement:
			cur = ""
		}
	}
	return out
}

// hlsTag parses one "#TAG:attribute-list" line (RFC 8216 §4.2) and
// returns the attributes; quoted strings lose their quotes.
func hlsTag(t *testing.T, line, tag string) map[string]string {
	t.Helper()
	rest, ok := strings.CutPrefix(line, tag+":")
	if !ok || strings.ContainsAny(line, "\r\n") {
		t.Fatalf("HLS line %q is not one %s tag", line, tag)
	}
	attrs := map[string]string{}
	for rest != "" {
		name, after, ok := strings.Cut(rest, "=")
		if !ok || name == "" || strings.ToUpper(name) != name {
			t.Fatalf("bad attribute name in %q", line)
		}
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				t.Fatalf("unterminated quoted string in %q", line)
			}
			val, rest = after[1:end+1], after[end+2:]
		} else {
			val, rest, _ = strings.Cut(after, ",")
			rest = "," + rest
			if rest == "," {
				rest = ""
			}
		}
		if _, dup := attrs[name]; dup {
			t.Fatalf("attribute %s twice in %q", name, line)
		}
		attrs[name] = val
		if rest != "" {
			if rest[0] != ',' {
				t.Fatalf("junk after attribute %s in %q", name, line)
			}
			rest = rest[1:]
		}
	}
	return attrs
}

// checkHLS checks one EXT-X-KEY / EXT-X-SESSION-KEY line for the system.
func checkHLS(t *testing.T, sys drm.SystemID, line, tag string, kid keys.KID, scheme string, urls urlSet) {
	t.Helper()
	a := hlsTag(t, line, tag)
	method := map[string]string{"cenc": "SAMPLE-AES-CTR", "cbcs": "SAMPLE-AES"}[scheme]
	if a["METHOD"] != method {
		t.Fatalf("METHOD %q, want %q: %s", a["METHOD"], method, line)
	}
	if a["KEYFORMATVERSIONS"] != "1" {
		t.Fatalf("KEYFORMATVERSIONS %q", a["KEYFORMATVERSIONS"])
	}
	switch sys {
	case drm.Widevine:
		p, err := widevine.ParseDataURI(a["URI"])
		if err != nil {
			t.Fatalf("widevine URI: %v", err)
		}
		box, _ := p.Marshal()
		checkPSSH(t, sys, box, kid, scheme, "")
		if a["KEYFORMAT"] != widevine.KeyFormat || a["KEYID"] != "0x"+strings.ReplaceAll(kid.String(), "-", "") {
			t.Fatalf("widevine KEYFORMAT/KEYID: %s", line)
		}
	case drm.PlayReady:
		b64, ok := strings.CutPrefix(a["URI"], "data:text/plain;charset=UTF-16;base64,")
		pro, err := base64.StdEncoding.DecodeString(b64)
		if !ok || err != nil {
			t.Fatalf("playready URI %q", a["URI"])
		}
		checkPRO(t, pro, kid, urls.playReady)
		if a["KEYFORMAT"] != "com.microsoft.playready" {
			t.Fatalf("playready KEYFORMAT: %s", line)
		}
	case drm.FairPlay:
		_, got, err := fairplay.ParseSKDURI(a["URI"])
		if err != nil || got != kid || a["KEYFORMAT"] != fairplay.KeyFormat {
			t.Fatalf("fairplay URI/KEYFORMAT %s (%v)", line, err)
		}
		if "https://"+strings.TrimPrefix(a["URI"], "skd://") != urls.fairPlay(kid) && "http://"+strings.TrimPrefix(a["URI"], "skd://") != urls.fairPlay(kid) {
			t.Fatalf("fairplay URI %q does not name Lockstream's key server %q", a["URI"], urls.fairPlay(kid))
		}
	case drm.ClearKeyDASH:
		if a["URI"] != urls.clearKey+"?kid="+kid.String() || a["KEYFORMAT"] != "org.w3.clearkey" {
			t.Fatalf("clear key line %s", line)
		}
	}
}

// urlSet is Lockstream's key-delivery URLs for the test account.
type urlSet struct {
	clearKey, playReady string
	widevine, fairPlay  func(keys.KID) string
}
