package settings

import (
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func wv() *Properties {
	return &Properties{DRM: DRMWidevine, Type: TypeWidevine, URL: "https://license.example/getlicense/p",
		Widevine: &WidevineSettings{Provider: "p", SigningKey: strings.Repeat("ab", 32), SigningIV: strings.Repeat("cd", 16)}}
}

func TestValidate(t *testing.T) {
	if err := wv().Validate("properties"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		mut   func(p *Properties)
	}{
		{"properties.drm", func(p *Properties) { p.DRM = "Marlin" }},
		{"properties.url", func(p *Properties) { p.URL = "ftp://x" }},
		{"properties.url", func(p *Properties) { p.URL = "https://user:pw@x/" }},
		{"properties.type", func(p *Properties) { p.Type = "Other" }},
		{"properties.type", func(p *Properties) { p.DRM = DRMPlayReady }},
		{"properties", func(p *Properties) { p.Axinom = &AxinomSettings{} }},
		{"properties.widevine.provider", func(p *Properties) { p.Widevine.Provider = "" }},
		{"properties.widevine.signingKey", func(p *Properties) { p.Widevine.SigningKey = "00" }},
		{"properties.widevine.signingIv", func(p *Properties) { p.Widevine.SigningIV = "zz" }},
		{"properties.widevine.signaturePadding", func(p *Properties) { p.Widevine.SignaturePadding = "iso" }},
		{"properties.widevine.rsaSigningKey", func(p *Properties) { p.Widevine.RSASigningKey = "not pem" }},
		{"properties.axinom.communicationKey", func(p *Properties) {
			p.Type, p.Widevine, p.Axinom = TypeAxinom, nil, &AxinomSettings{CommunicationKeyID: "id", CommunicationKey: "c2hvcnQ="}
		}},
		{"properties.pallyCon.siteKey", func(p *Properties) {
			p.Type, p.Widevine, p.PallyCon = TypePallyCon, nil, &PallyConSettings{SiteID: "S", SiteKey: "short", AccessKey: "a"}
		}},
		{"properties.generic", func(p *Properties) { p.Type = TypeGeneric }},
	} {
		p := wv()
		tc.mut(p)
		var fe *defs.FieldError
		if err := p.Validate("properties"); !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("want an error on %s, got %v", tc.field, err)
		}
	}
}

func TestRedacted(t *testing.T) {
	p := Properties{DRM: DRMPlayReady, Type: TypeGeneric, URL: "https://x", Generic: &GenericSettings{Headers: map[string]string{"X-Api-Key": "secret"}}}
	r := p.Redacted()
	if r.Generic.Headers["X-Api-Key"] != "" || p.Generic.Headers["X-Api-Key"] != "secret" {
		t.Fatalf("redacted %v, original %v", r.Generic.Headers, p.Generic.Headers)
	}
	w := wv().Redacted()
	if w.Widevine.SigningKey != "" || w.Widevine.SigningIV != "" || w.Widevine.Provider != "p" {
		t.Fatalf("widevine redacted %+v", w.Widevine)
	}
}

func TestScope(t *testing.T) {
	s, err := Scope("/subscriptions/S/resourceGroups/RG/providers/Microsoft.Media/mediaServices/Acct")
	if err != nil || s != "/subscriptions/s/resourcegroups/rg/providers/microsoft.media/mediaservices/acct" {
		t.Fatalf("%q %v", s, err)
	}
	if _, err := Scope("/subscriptions/S/resourceGroups/RG"); err == nil {
		t.Fatal("a resource group path was taken for an account")
	}
}
