package settings

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
)

// Kind is the store kind and ARM collection segment of license servers.
const Kind = "licenseServers"

// DRM systems.
const (
	DRMWidevine  = "Widevine"
	DRMPlayReady = "PlayReady"
	DRMFairPlay  = "FairPlay"
)

// Types.
const (
	TypeWidevine = "WidevineLicenseService"
	TypeAxinom   = "Axinom"
	TypePallyCon = "PallyCon"
	TypeGeneric  = "Generic"
)

// Properties of a license server.
type Properties struct {
	DRM         string            `json:"drm"`
	Type        string            `json:"type"`
	URL         string            `json:"url"`
	Description string            `json:"description,omitempty"`
	Widevine    *WidevineSettings `json:"widevine,omitempty"`
	Axinom      *AxinomSettings   `json:"axinom,omitempty"`
	PallyCon    *PallyConSettings `json:"pallyCon,omitempty"`
	Generic     *GenericSettings  `json:"generic,omitempty"`
}

// WidevineSettings are a Widevine provider's credentials. SigningKey,
// SigningIV and RSASigningKey are secrets.
type WidevineSettings struct {
	Provider string `json:"provider"`
	// SigningKey (32 bytes) and SigningIV (16) in hex.
	SigningKey string `json:"signingKey,omitempty"`
	SigningIV  string `json:"signingIv,omitempty"`
	// SignaturePadding is "pkcs7" (default) or "zero".
	SignaturePadding string `json:"signaturePadding,omitempty"`
	// RSASigningKey is a PEM PKCS#1 or PKCS#8 RSA key, instead of the AES
	// key.
	RSASigningKey string `json:"rsaSigningKey,omitempty"`
}

// AxinomSettings are an Axinom DRM tenant's communication key (secret).
type AxinomSettings struct {
	CommunicationKeyID string `json:"communicationKeyId"`
	CommunicationKey   string `json:"communicationKey,omitempty"` // base64
}

// PallyConSettings are a PallyCon (DoveRunner) site's credentials.
// SiteKey and AccessKey are secrets.
type PallyConSettings struct {
	SiteID    string `json:"siteId"`
	SiteKey   string `json:"siteKey,omitempty"`
	AccessKey string `json:"accessKey,omitempty"`
}

// GenericSettings describe any vendor's authorization with placeholders:
// {token} (the player's token), {kid} (hex), {kidUuid}, {keyBase64},
// {keyHex}, {challengeBase64}, {drm}. Headers are secrets (they usually
// carry an API key).
type GenericSettings struct {
	Headers map[string]string `json:"headers,omitempty"`
	Query   map[string]string `json:"query,omitempty"`
	// Body, when set, replaces the challenge ("{challengeBase64}" inside
	// a JSON body, say); empty forwards the challenge as it came.
	Body        string `json:"body,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// ResponseField, when set, names a JSON field of the vendor's answer
	// holding the base64 license; empty passes the answer through.
	ResponseField string `json:"responseField,omitempty"`
}

func fieldErr(path, format string, args ...any) error {
	return &defs.FieldError{Field: path, Msg: fmt.Sprintf(format, args...)}
}

// Validate checks p as stored (secrets present). path is the JSON path of
// p ("properties").
func (p *Properties) Validate(path string) error {
	switch p.DRM {
	case DRMWidevine, DRMPlayReady, DRMFairPlay:
	default:
		return fieldErr(path+".drm", "must be Widevine, PlayReady or FairPlay")
	}
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fieldErr(path+".url", "must be an absolute http(s) URL without credentials")
	}
	n := 0
	for _, set := range []bool{p.Widevine != nil, p.Axinom != nil, p.PallyCon != nil, p.Generic != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fieldErr(path, "give exactly the settings block of the type (widevine, axinom, pallyCon or generic)")
	}
	switch p.Type {
	case TypeWidevine:
		if p.DRM != DRMWidevine || p.Widevine == nil {
			return fieldErr(path+".type", "WidevineLicenseService serves drm Widevine with a widevine block")
		}
		return p.Widevine.validate(path + ".widevine")
	case TypeAxinom:
		if p.Axinom == nil {
			return fieldErr(path+".axinom", "is required for type Axinom")
		}
		if p.Axinom.CommunicationKeyID == "" {
			return fieldErr(path+".axinom.communicationKeyId", "is required")
		}
		if k, err := base64.StdEncoding.DecodeString(p.Axinom.CommunicationKey); err != nil || len(k) != 32 {
			return fieldErr(path+".axinom.communicationKey", "must be the base64 of the 32-byte communication key")
		}
	case TypePallyCon:
		if p.PallyCon == nil {
			return fieldErr(path+".pallyCon", "is required for type PallyCon")
		}
		if p.PallyCon.SiteID == "" {
			return fieldErr(path+".pallyCon.siteId", "is required")
		}
		if len(p.PallyCon.SiteKey) != 32 {
			return fieldErr(path+".pallyCon.siteKey", "must be the 32-character site key")
		}
		if p.PallyCon.AccessKey == "" {
			return fieldErr(path+".pallyCon.accessKey", "is required")
		}
	case TypeGeneric:
		if p.Generic == nil {
			return fieldErr(path+".generic", "is required for type Generic")
		}
	default:
		return fieldErr(path+".type", "must be WidevineLicenseService, Axinom, PallyCon or Generic")
	}
	return nil
}

func (w *WidevineSettings) validate(path string) error {
	if w.Provider == "" || strings.ContainsAny(w.Provider, " /?#") {
		return fieldErr(path+".provider", "is required (the Widevine provider name)")
	}
	switch w.SignaturePadding {
	case "", "pkcs7", "zero":
	default:
		return fieldErr(path+".signaturePadding", "must be pkcs7 or zero")
	}
	if w.RSASigningKey != "" {
		if _, err := w.RSAKey(); err != nil {
			return fieldErr(path+".rsaSigningKey", "%v", err)
		}
		return nil
	}
	if k, err := hex.DecodeString(w.SigningKey); err != nil || len(k) != 32 {
		return fieldErr(path+".signingKey", "must be 64 hex digits (32 bytes), or give rsaSigningKey")
	}
	if iv, err := hex.DecodeString(w.SigningIV); err != nil || len(iv) != 16 {
		return fieldErr(path+".signingIv", "must be 32 hex digits (16 bytes)")
	}
	return nil
}

// RSAKey parses RSASigningKey.
func (w *WidevineSettings) RSAKey() (*rsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(w.RSASigningKey))
	if b == nil {
		return nil, fmt.Errorf("is not a PEM key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("is not a PKCS#1 or PKCS#8 key")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("is not an RSA key")
	}
	return rk, nil
}

// Redacted returns a copy without secrets, for responses and the
// document column.
func (p Properties) Redacted() Properties {
	if w := p.Widevine; w != nil {
		c := *w
		c.SigningKey, c.SigningIV, c.RSASigningKey = "", "", ""
		p.Widevine = &c
	}
	if a := p.Axinom; a != nil {
		c := *a
		c.CommunicationKey = ""
		p.Axinom = &c
	}
	if pc := p.PallyCon; pc != nil {
		c := *pc
		c.SiteKey, c.AccessKey = "", ""
		p.PallyCon = &c
	}
	if g := p.Generic; g != nil {
		c := *g
		if len(g.Headers) > 0 {
			c.Headers = map[string]string{}
			for k := range g.Headers {
				c.Headers[k] = "" // names stay visible, values are secrets
			}
		}
		p.Generic = &c
	}
	return p
}
