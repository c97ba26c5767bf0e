package keyprovider

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/defs"
)

// Kind is the store kind and ARM collection segment of key providers.
const Kind = "keyProviders"

// Authentication types.
const (
	AuthBearer    = "Bearer"
	AuthAPIKey    = "ApiKey"
	AuthMutualTLS = "MutualTls"
)

// DRM system names of Properties.DRMSystems.
const (
	DRMWidevine  = "Widevine"
	DRMPlayReady = "PlayReady"
	DRMFairPlay  = "FairPlay"
	DRMClearKey  = "ClearKey"
)

// Limits of the settings.
const (
	DefaultTimeout = conf.Duration(10 * time.Second)
	MaxTimeout     = conf.Duration(60 * time.Second)
	MaxRetries     = 5
	maxPolicies    = 100
)

// Properties of a key provider.
type Properties struct {
	// URL is the SPEKE v2 endpoint (the whole URL requests are POSTed to).
	URL string `json:"url"`
	// SpekeVersion is "2.0" (CPIX 2.3, default) or "2.1" (CPIX 2.4).
	SpekeVersion string `json:"spekeVersion,omitempty"`
	// StreamingPolicyNames are the streaming policies whose new locators
	// take their keys from this provider. A policy is named by one
	// provider at most.
	StreamingPolicyNames []string `json:"streamingPolicyNames"`
	// DRMSystems are the systems whose signalling is requested for each
	// key (default Widevine and PlayReady; FairPlay for cbcs keys only).
	DRMSystems     []string        `json:"drmSystems,omitempty"`
	Authentication *Authentication `json:"authentication,omitempty"`
	// RecipientCertificate (PEM) makes requests ask for keys encrypted to
	// it; RecipientPrivateKey (PEM, secret) decrypts them.
	RecipientCertificate string `json:"recipientCertificate,omitempty"`
	RecipientPrivateKey  string `json:"recipientPrivateKey,omitempty"`
	// Timeout bounds each attempt (default 10s, at most 60s).
	Timeout conf.Duration `json:"timeout,omitempty"`
	// Retries are further attempts after a network error, a timeout or a
	// 5xx answer (0-5, default 0).
	Retries     int    `json:"retries,omitempty"`
	Description string `json:"description,omitempty"`
}

// Authentication is how requests authenticate to the provider. Token,
// HeaderValue and ClientKey are secrets.
type Authentication struct {
	Type string `json:"type"`
	// Token is the bearer token (Bearer).
	Token string `json:"token,omitempty"`
	// HeaderName and HeaderValue are the API-key header (ApiKey).
	HeaderName  string `json:"headerName,omitempty"`
	HeaderValue string `json:"headerValue,omitempty"`
	// ClientCertificate (PEM chain) and ClientKey (PEM) for MutualTls.
	ClientCertificate string `json:"clientCertificate,omitempty"`
	ClientKey         string `json:"clientKey,omitempty"`
}

func fieldErr(path, format string, args ...any) error {
	return &defs.FieldError{Field: path, Msg: fmt.Sprintf(format, args...)}
}

// Validate checks p as stored (secrets present). path is the JSON path of
// p ("properties").
func (p *Properties) Validate(path string) error {
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fieldErr(path+".url", "must be an absolute http(s) URL without credentials or fragment")
	}
	switch p.SpekeVersion {
	case "", "2.0", "2.1":
	default:
		return fieldErr(path+".spekeVersion", "must be 2.0 or 2.1")
	}
	if len(p.StreamingPolicyNames) > maxPolicies {
		return fieldErr(path+".streamingPolicyNames", "names at most %d policies", maxPolicies)
	}
	seen := map[string]bool{}
	for i, n := range p.StreamingPolicyNames {
		if n == "" || len(n) > 260 || seen[strings.ToLower(n)] {
			return fieldErr(fmt.Sprintf("%s.streamingPolicyNames[%d]", path, i), "must be a distinct streaming policy name")
		}
		seen[strings.ToLower(n)] = true
	}
	seen = map[string]bool{}
	for i, d := range p.DRMSystems {
		switch d {
		case DRMWidevine, DRMPlayReady, DRMFairPlay, DRMClearKey:
		default:
			return fieldErr(fmt.Sprintf("%s.drmSystems[%d]", path, i), "must be Widevine, PlayReady, FairPlay or ClearKey")
		}
		if seen[d] {
			return fieldErr(fmt.Sprintf("%s.drmSystems[%d]", path, i), "names %s twice", d)
		}
		seen[d] = true
	}
	if p.Timeout < 0 || p.Timeout > MaxTimeout {
		return fieldErr(path+".timeout", "must be between 0 and %s", MaxTimeout)
	}
	if p.Retries < 0 || p.Retries > MaxRetries {
		return fieldErr(path+".retries", "must be between 0 and %d", MaxRetries)
	}
	if (p.RecipientCertificate == "") != (p.RecipientPrivateKey == "") {
		return fieldErr(path+".recipientCertificate", "recipientCertificate and recipientPrivateKey go together")
	}
	if p.RecipientCertificate != "" {
		if _, _, err := p.Recipient(); err != nil {
			return fieldErr(path+".recipientPrivateKey", "%v", err)
		}
	}
	if a := p.Authentication; a != nil {
		return a.validate(path + ".authentication")
	}
	return nil
}

func (a *Authentication) validate(path string) error {
	switch a.Type {
	case AuthBearer:
		if a.Token == "" || strings.ContainsAny(a.Token, "\r\n") {
			return fieldErr(path+".token", "is required (one line)")
		}
	case AuthAPIKey:
		if a.HeaderName == "" || strings.ContainsAny(a.HeaderName, " :\r\n") {
			return fieldErr(path+".headerName", "must be an HTTP header name")
		}
		if a.HeaderValue == "" || strings.ContainsAny(a.HeaderValue, "\r\n") {
			return fieldErr(path+".headerValue", "is required (one line)")
		}
	case AuthMutualTLS:
		if _, err := a.Certificate(); err != nil {
			return fieldErr(path+".clientKey", "%v", err)
		}
	default:
		return fieldErr(path+".type", "must be Bearer, ApiKey or MutualTls")
	}
	return nil
}

// Certificate returns the mutual-TLS client certificate.
func (a *Authentication) Certificate() (tls.Certificate, error) {
	c, err := tls.X509KeyPair([]byte(a.ClientCertificate), []byte(a.ClientKey))
	if err != nil {
		return c, fmt.Errorf("clientCertificate and clientKey must be a matching PEM certificate and key")
	}
	return c, nil
}

// Recipient returns the recipient certificate (DER) and its private key.
func (p *Properties) Recipient() ([]byte, *rsa.PrivateKey, error) {
	cb, _ := pem.Decode([]byte(p.RecipientCertificate))
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, nil, fmt.Errorf("recipientCertificate is not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("recipientCertificate: %v", err)
	}
	kb, _ := pem.Decode([]byte(p.RecipientPrivateKey))
	if kb == nil {
		return nil, nil, fmt.Errorf("recipientPrivateKey is not a PEM key")
	}
	var priv *rsa.PrivateKey
	if k, err := x509.ParsePKCS1PrivateKey(kb.Bytes); err == nil {
		priv = k
	} else if k, err := x509.ParsePKCS8PrivateKey(kb.Bytes); err == nil {
		priv, _ = k.(*rsa.PrivateKey)
	}
	if priv == nil {
		return nil, nil, fmt.Errorf("recipientPrivateKey is not a PKCS#1 or PKCS#8 RSA key")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&priv.PublicKey) {
		return nil, nil, fmt.Errorf("recipientPrivateKey does not match recipientCertificate")
	}
	if priv.N.BitLen() < 2048 {
		return nil, nil, fmt.Errorf("the recipient key must be RSA of at least 2048 bits")
	}
	return cb.Bytes, priv, nil
}

// Redacted returns a copy without secrets, for responses and the
// document column.
func (p Properties) Redacted() Properties {
	p.RecipientPrivateKey = ""
	if a := p.Authentication; a != nil {
		c := *a
		c.Token, c.HeaderValue, c.ClientKey = "", "", ""
		p.Authentication = &c
	}
	return p
}

// Serves reports whether p names the streaming policy (names compare
// case-insensitively, as ARM names do).
func (p *Properties) Serves(policy string) bool {
	for _, n := range p.StreamingPolicyNames {
		if strings.EqualFold(n, policy) {
			return true
		}
	}
	return false
}
