package playready_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/keys"
)

const ns = `xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader"`

func testKeys(t *testing.T) (kid1 keys.KID, key1 keys.Key, kid2 keys.KID, key2 keys.Key) {
	t.Helper()
	kid1 = mustKID(t, knownAnswers[0].kid)
	kid2 = mustKID(t, knownAnswers[1].kid)
	var err error
	if key1, err = playready.KeyFromSeed(seed(t), kid1); err != nil {
		t.Fatal(err)
	}
	if key2, err = playready.KeyFromSeed(seed(t), kid2); err != nil {
		t.Fatal(err)
	}
	return
}

// TestMarshalGolden pins the exact canonical text of each version.
func TestMarshalGolden(t *testing.T) {
	kid1, key1, kid2, key2 := testKeys(t)
	const (
		v1 = "tUWcM2372UuZTOq9nUHJWw=="
		c1 = "Dnd2+tOluB4="
		v2 = "3kqpi7lunUS0T6W+769DsA=="
		c2 = "Me48z71nuqY="
	)
	tests := []struct {
		name string
		h    playready.Header
		want string
	}{
		{
			name: "4.0 with everything it allows",
			h: playready.Header{
				Version: playready.Version40, Algorithm: playready.AESCTR,
				Keys:             []playready.HeaderKey{{KID: kid1, Key: &key1}},
				LAURL:            "https://lic.example.com/PlayReady/?a=1&b=2",
				LUIURL:           "https://example.com/help",
				DSID:             "AH+03juKbUGbHl1V/QIwRA==",
				CustomAttributes: "<IIS_DRM_VERSION>8.1.2304.31</IIS_DRM_VERSION>",
			},
			want: `<WRMHEADER ` + ns + ` version="4.0.0.0"><DATA>` +
				`<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>` +
				`<KID>` + v1 + `</KID><CHECKSUM>` + c1 + `</CHECKSUM>` +
				`<LA_URL>https://lic.example.com/PlayReady/?a=1&amp;b=2</LA_URL>` +
				`<LUI_URL>https://example.com/help</LUI_URL>` +
				`<DS_ID>AH+03juKbUGbHl1V/QIwRA==</DS_ID>` +
				`<CUSTOMATTRIBUTES><IIS_DRM_VERSION>8.1.2304.31</IIS_DRM_VERSION></CUSTOMATTRIBUTES>` +
				`</DATA></WRMHEADER>`,
		},
		{
			name: "4.1 with decryptor setup",
			h: playready.Header{
				Version: playready.Version41, Algorithm: playready.AESCTR,
				Keys:           []playready.HeaderKey{{KID: kid2, Key: &key2}},
				LAURL:          "https://lic.example.com/pr",
				DecryptorSetup: playready.DecryptorSetupOnDemand,
			},
			want: `<WRMHEADER ` + ns + ` version="4.1.0.0"><DATA>` +
				`<PROTECTINFO><KID ALGID="AESCTR" CHECKSUM="` + c2 + `" VALUE="` + v2 + `"></KID></PROTECTINFO>` +
				`<LA_URL>https://lic.example.com/pr</LA_URL><DECRYPTORSETUP>ONDEMAND</DECRYPTORSETUP>` +
				`</DATA></WRMHEADER>`,
		},
		{
			name: "4.1 without key: no checksum",
			h: playready.Header{
				Version: playready.Version41, Algorithm: playready.AESCTR,
				Keys: []playready.HeaderKey{{KID: kid2}},
			},
			want: `<WRMHEADER ` + ns + ` version="4.1.0.0"><DATA>` +
				`<PROTECTINFO><KID ALGID="AESCTR" VALUE="` + v2 + `"></KID></PROTECTINFO>` +
				`</DATA></WRMHEADER>`,
		},
		{
			name: "4.2 two keys",
			h: playready.Header{
				Version: playready.Version42, Algorithm: playready.AESCTR,
				Keys:  []playready.HeaderKey{{KID: kid1, Key: &key1}, {KID: kid2, Key: &key2}},
				LAURL: "https://lic.example.com/pr",
			},
			want: `<WRMHEADER ` + ns + ` version="4.2.0.0"><DATA><PROTECTINFO><KIDS>` +
				`<KID ALGID="AESCTR" CHECKSUM="` + c1 + `" VALUE="` + v1 + `"></KID>` +
				`<KID ALGID="AESCTR" CHECKSUM="` + c2 + `" VALUE="` + v2 + `"></KID>` +
				`</KIDS></PROTECTINFO><LA_URL>https://lic.example.com/pr</LA_URL></DATA></WRMHEADER>`,
		},
		{
			name: "4.3 cbcs: AESCBC, no checksum even with a key",
			h: playready.Header{
				Version: playready.Version43, Algorithm: playready.AESCBC,
				Keys: []playready.HeaderKey{{KID: kid1, Key: &key1}, {KID: kid2}},
			},
			want: `<WRMHEADER ` + ns + ` version="4.3.0.0"><DATA><PROTECTINFO><KIDS>` +
				`<KID ALGID="AESCBC" VALUE="` + v1 + `"></KID><KID ALGID="AESCBC" VALUE="` + v2 + `"></KID>` +
				`</KIDS></PROTECTINFO></DATA></WRMHEADER>`,
		},
		{
			name: "4.3 unspecified algorithm",
			h: playready.Header{
				Version: playready.Version43, Algorithm: playready.Unspecified,
				Keys: []playready.HeaderKey{{KID: kid1}},
			},
			want: `<WRMHEADER ` + ns + ` version="4.3.0.0"><DATA><PROTECTINFO><KIDS>` +
				`<KID VALUE="` + v1 + `"></KID></KIDS></PROTECTINFO></DATA></WRMHEADER>`,
		},
		{
			name: "checksum given without key",
			h: playready.Header{
				Version: playready.Version40, Algorithm: playready.AESCTR,
				Keys: []playready.HeaderKey{{KID: kid1, Checksum: playready.Checksum(kid1, key1)}},
			},
			want: `<WRMHEADER ` + ns + ` version="4.0.0.0"><DATA>` +
				`<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>` +
				`<KID>` + v1 + `</KID><CHECKSUM>` + c1 + `</CHECKSUM></DATA></WRMHEADER>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("\n got %s\nwant %s", got, tt.want)
			}
			if strings.Contains(got, "/>") || strings.Contains(got, "<?xml") || strings.ContainsAny(got, "\n\t") {
				t.Error("not canonical")
			}
			if strings.Contains(got, key1.Base64()) || strings.Contains(got, key2.Base64()) {
				t.Error("header leaks a content key")
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	kid1, key1, kid2, key2 := testKeys(t)
	one := []playready.HeaderKey{{KID: kid1, Key: &key1}}
	two := []playready.HeaderKey{{KID: kid1, Key: &key1}, {KID: kid2, Key: &key2}}
	ctr := func(v playready.Version, k []playready.HeaderKey) playready.Header {
		return playready.Header{Version: v, Algorithm: playready.AESCTR, Keys: k}
	}
	with := func(h playready.Header, f func(*playready.Header)) playready.Header { f(&h); return h }
	tests := []struct {
		name string
		h    playready.Header
	}{
		{"no version", playready.Header{Algorithm: playready.AESCTR, Keys: one}},
		{"unknown version", ctr("4.4.0.0", one)},
		{"4.0 two keys", ctr(playready.Version40, two)},
		{"4.1 two keys", ctr(playready.Version41, two)},
		{"4.2 no keys", ctr(playready.Version42, nil)},
		{"4.3 no keys", playready.Header{Version: playready.Version43, Algorithm: playready.AESCBC}},
		{"4.0 without key or checksum", ctr(playready.Version40, []playready.HeaderKey{{KID: kid1}})},
		{"AESCBC before 4.3", playready.Header{Version: playready.Version42, Algorithm: playready.AESCBC, Keys: one}},
		{"unspecified before 4.3", playready.Header{Version: playready.Version42, Keys: one}},
		{"cocktail", playready.Header{Version: playready.Version42, Algorithm: "COCKTAIL", Keys: one}},
		{"duplicate kid", ctr(playready.Version42, []playready.HeaderKey{{KID: kid1}, {KID: kid1}})},
		{"checksum with AESCBC", playready.Header{Version: playready.Version43, Algorithm: playready.AESCBC,
			Keys: []playready.HeaderKey{{KID: kid1, Checksum: make([]byte, 8)}}}},
		{"checksum wrong length", ctr(playready.Version42, []playready.HeaderKey{{KID: kid1, Checksum: make([]byte, 7)}})},
		{"checksum disagrees with key", ctr(playready.Version42, []playready.HeaderKey{{KID: kid1, Key: &key1, Checksum: make([]byte, 8)}})},
		{"relative LA_URL", with(ctr(playready.Version42, one), func(h *playready.Header) { h.LAURL = "/pr" })},
		{"LA_URL with space", with(ctr(playready.Version42, one), func(h *playready.Header) { h.LAURL = "https://x/a b" })},
		{"LA_URL with newline", with(ctr(playready.Version42, one), func(h *playready.Header) { h.LAURL = "https://x/\n" })},
		{"LUI_URL no host", with(ctr(playready.Version42, one), func(h *playready.Header) { h.LUIURL = "https:///x" })},
		{"DS_ID not base64", with(ctr(playready.Version42, one), func(h *playready.Header) { h.DSID = "not base64!" })},
		{"DS_ID wrong size", with(ctr(playready.Version42, one), func(h *playready.Header) { h.DSID = "AAAA" })},
		{"decryptor setup in 4.0", with(ctr(playready.Version40, one), func(h *playready.Header) { h.DecryptorSetup = "ONDEMAND" })},
		{"bad decryptor setup", with(ctr(playready.Version42, one), func(h *playready.Header) { h.DecryptorSetup = "ALWAYS" })},
		{"bad custom attributes", with(ctr(playready.Version42, one), func(h *playready.Header) { h.CustomAttributes = "<a>" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := tt.h.Marshal()
			if !errors.Is(err, playready.ErrInvalidHeader) {
				t.Fatalf("err = %v, want ErrInvalidHeader (output %s)", err, x)
			}
			if _, err := tt.h.Object(); !errors.Is(err, playready.ErrInvalidHeader) {
				t.Errorf("Object err = %v", err)
			}
		})
	}
}

func TestCustomAttributes(t *testing.T) {
	kid1, key1, _, _ := testKeys(t)
	tests := []struct {
		name    string
		in      string
		want    string // canonical content of CUSTOMATTRIBUTES
		wantErr bool
	}{
		{name: "simple", in: "<a>1</a>", want: "<a>1</a>"},
		{name: "several top-level elements and text", in: "x<a>1</a><b></b>y", want: "x<a>1</a><b></b>y"},
		{name: "self-closing expanded", in: "<a/><b x='1'/>", want: `<a></a><b x="1"></b>`},
		{name: "attributes sorted, namespaces first", in: `<a z="1" b="2" xmlns:p="urn:p" p:c="3" xmlns="urn:d"></a>`,
			want: `<a xmlns="urn:d" xmlns:p="urn:p" b="2" p:c="3" z="1"></a>`},
		{name: "comments dropped", in: "<a><!-- note -->1</a>", want: "<a>1</a>"},
		{name: "cdata escaped", in: "<a><![CDATA[x<y&z>]]></a>", want: "<a>x&lt;y&amp;z&gt;</a>"},
		{name: "entities", in: `<a t="&quot;&#9;&#10;&#13;">&lt;&amp;&gt;&apos;&#13;</a>`, want: `<a t="&quot;&#x9;&#xA;&#xD;">&lt;&amp;&gt;'&#xD;</a>`},
		{name: "whitespace kept", in: "<a>\n  <b>1</b>\n</a>", want: "<a>\n  <b>1</b>\n</a>"},
		{name: "non-BMP character", in: "<a>😀</a>", want: "<a>😀</a>"},
		{name: "prefixed element", in: "<p:a xmlns:p='urn:p'><p:b></p:b></p:a>", want: `<p:a xmlns:p="urn:p"><p:b></p:b></p:a>`},
		{name: "unclosed", in: "<a>", wantErr: true},
		{name: "stray end tag", in: "</a>", wantErr: true},
		{name: "mismatched", in: "<a></b>", wantErr: true},
		{name: "end tag escaping CUSTOMATTRIBUTES", in: "</CUSTOMATTRIBUTES><LA_URL>https://evil</LA_URL><CUSTOMATTRIBUTES>", wantErr: true},
		{name: "prolog", in: `<?xml version="1.0"?><a></a>`, wantErr: true},
		{name: "processing instruction", in: `<a><?pi x?></a>`, wantErr: true},
		{name: "doctype", in: `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, wantErr: true},
		{name: "unknown entity", in: `<a>&x;</a>`, wantErr: true},
		{name: "bare ampersand", in: `<a>&</a>`, wantErr: true},
		{name: "duplicate attribute", in: `<a x="1" x="2"></a>`, wantErr: true},
		{name: "unquoted attribute", in: `<a x=1></a>`, wantErr: true},
		{name: "invalid utf-8", in: "<a>\xff</a>", wantErr: true},
		{name: "too deep", in: strings.Repeat("<a>", 33) + strings.Repeat("</a>", 33), wantErr: true},
		{name: "too large", in: "<a>" + strings.Repeat("x", playready.MaxCustomAttributesSize) + "</a>", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := playready.Header{Version: playready.Version42, Algorithm: playready.AESCTR,
				Keys: []playready.HeaderKey{{KID: kid1, Key: &key1}}, CustomAttributes: tt.in}
			x, err := h.Marshal()
			if tt.wantErr {
				if !errors.Is(err, playready.ErrInvalidHeader) {
					t.Fatalf("err = %v, want ErrInvalidHeader; got %s", err, x)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := "<CUSTOMATTRIBUTES>" + tt.want + "</CUSTOMATTRIBUTES>"; !strings.Contains(x, want) {
				t.Fatalf("got %s\nwant it to contain %s", x, want)
			}
			// Canonicalisation is idempotent: parsing gives the canonical
			// form, and marshalling that again changes nothing.
			p, err := playready.ParseHeader(x)
			if err != nil {
				t.Fatal(err)
			}
			if p.CustomAttributes != tt.want {
				t.Errorf("parsed custom attributes %q, want %q", p.CustomAttributes, tt.want)
			}
			x2, err := p.Marshal()
			if err != nil || x2 != x {
				t.Errorf("re-marshal: %v\n got %s\nwant %s", err, x2, x)
			}
		})
	}
}

func TestChooseVersion(t *testing.T) {
	tests := []struct {
		scheme  string
		n       int
		want    playready.Version
		wantAlg playready.Algorithm
		wantErr bool
	}{
		{"cenc", 1, playready.Version40, playready.AESCTR, false},
		{"cenc", 2, playready.Version42, playready.AESCTR, false},
		{"cenc", 5, playready.Version42, playready.AESCTR, false},
		{"cbcs", 1, playready.Version43, playready.AESCBC, false},
		{"cbcs", 3, playready.Version43, playready.AESCBC, false},
		{"cenc", 0, "", "", true},
		{"cens", 1, "", "", true},
		{"cbc1", 1, "", "", true},
		{"CENC", 1, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.scheme+"/"+string(rune('0'+tt.n)), func(t *testing.T) {
			v, alg, err := playready.ChooseVersion(tt.scheme, tt.n)
			if (err != nil) != tt.wantErr || v != tt.want || alg != tt.wantAlg {
				t.Errorf("got %q %q %v, want %q %q err %v", v, alg, err, tt.want, tt.wantAlg, tt.wantErr)
			}
		})
	}
}

func TestNewHeader(t *testing.T) {
	kid1, key1, kid2, key2 := testKeys(t)
	tests := []struct {
		name   string
		scheme string
		keys   []playready.HeaderKey
		want   string
	}{
		{"cenc one key", "cenc", []playready.HeaderKey{{KID: kid1, Key: &key1}}, `version="4.0.0.0"`},
		{"cenc two keys", "cenc", []playready.HeaderKey{{KID: kid1, Key: &key1}, {KID: kid2, Key: &key2}}, `version="4.2.0.0"`},
		{"cbcs", "cbcs", []playready.HeaderKey{{KID: kid1, Key: &key1}}, `ALGID="AESCBC"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := playready.NewHeader(tt.scheme, tt.keys)
			if err != nil {
				t.Fatal(err)
			}
			x, err := h.Marshal()
			if err != nil || !strings.Contains(x, tt.want) {
				t.Errorf("got %s, %v; want %s", x, err, tt.want)
			}
		})
	}
	if _, err := playready.NewHeader("cens", []playready.HeaderKey{{KID: kid1}}); !errors.Is(err, playready.ErrUnsupportedScheme) {
		t.Errorf("cens: err = %v", err)
	}
}
