package keyprovider

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

func recipientPEM(t *testing.T, bits int) (string, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "r"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func TestValidate(t *testing.T) {
	cert, key := recipientPEM(t, 2048)
	_, otherKey := recipientPEM(t, 2048)
	base := func() Properties {
		return Properties{URL: "https://k.example/speke/v2/x", StreamingPolicyNames: []string{"p"},
			Authentication: &Authentication{Type: AuthBearer, Token: "tok"}}
	}
	ok := base()
	ok.RecipientCertificate, ok.RecipientPrivateKey = cert, key
	if err := ok.Validate("properties"); err != nil {
		t.Fatal(err)
	}
	for field, mutate := range map[string]func(*Properties){
		"properties.url":                     func(p *Properties) { p.URL = "https://user:pw@k.example/" },
		"properties.spekeVersion":            func(p *Properties) { p.SpekeVersion = "1.0" },
		"properties.streamingPolicyNames[1]": func(p *Properties) { p.StreamingPolicyNames = []string{"p", "P"} },
		"properties.drmSystems[0]":           func(p *Properties) { p.DRMSystems = []string{"Marlin"} },
		"properties.timeout":                 func(p *Properties) { p.Timeout = MaxTimeout + 1 },
		"properties.retries":                 func(p *Properties) { p.Retries = MaxRetries + 1 },
		"properties.recipientCertificate":    func(p *Properties) { p.RecipientCertificate = cert },
		"properties.recipientPrivateKey":     func(p *Properties) { p.RecipientCertificate, p.RecipientPrivateKey = cert, otherKey },
		"properties.authentication.type":     func(p *Properties) { p.Authentication = &Authentication{Type: "Basic"} },
		"properties.authentication.token":    func(p *Properties) { p.Authentication.Token = "a\r\nX-Injected: 1" },
		"properties.authentication.headerName": func(p *Properties) {
			p.Authentication = &Authentication{Type: AuthAPIKey, HeaderName: "X: y", HeaderValue: "v"}
		},
		"properties.authentication.clientKey": func(p *Properties) {
			p.Authentication = &Authentication{Type: AuthMutualTLS, ClientCertificate: cert, ClientKey: otherKey}
		},
		"properties.authentication.headerValue": func(p *Properties) { p.Authentication = &Authentication{Type: AuthAPIKey, HeaderName: "X-Api-Key"} },
	} {
		p := base()
		mutate(&p)
		var fe *defs.FieldError
		if err := p.Validate("properties"); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
	// A client certificate and its own key pass.
	p := base()
	p.Authentication = &Authentication{Type: AuthMutualTLS, ClientCertificate: cert, ClientKey: key}
	if err := p.Validate("properties"); err != nil {
		t.Error(err)
	}
}

func TestRedacted(t *testing.T) {
	cert, key := recipientPEM(t, 2048)
	p := Properties{URL: "https://k.example/", RecipientCertificate: cert, RecipientPrivateKey: key,
		Authentication: &Authentication{Type: AuthMutualTLS, Token: "t0ken", HeaderValue: "hv", ClientCertificate: cert, ClientKey: key}}
	b, _ := json.Marshal(p.Redacted())
	for _, s := range []string{"PRIVATE KEY", "t0ken", `"hv"`} {
		if strings.Contains(string(b), s) {
			t.Errorf("redacted properties hold %s: %s", s, b)
		}
	}
	if !strings.Contains(string(b), "BEGIN CERTIFICATE") || p.Authentication.ClientKey == "" {
		t.Error("redaction dropped public data or changed the original")
	}
}
