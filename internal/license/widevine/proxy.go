package widevine

import (
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/license"
	"github.com/lockstream/lockstream/internal/license/settings"
)

// Padding of the AES signature's 20-byte digest; public implementations
// differ (reference §4.4).
const (
	PaddingPKCS7 = "pkcs7" // shaka-packager
	PaddingZero  = "zero"  // Google's Python proxy sample
)

// Credentials are an operator's Widevine provider settings.
type Credentials struct {
	Provider string
	// LicenseURL is the service's license endpoint, e.g.
	// https://license.uat.widevine.com/cenc/getlicense/<provider>.
	LicenseURL string
	// AESKey (32 bytes) and AESIV (16) sign requests, unless RSAKey is
	// set.
	AESKey, AESIV []byte
	Padding       string
	RSAKey        *rsa.PrivateKey
}

// Sign returns the envelope signature of message.
func (c *Credentials) Sign(message []byte) ([]byte, error) {
	d := sha1.Sum(message)
	if c.RSAKey != nil {
		sig, err := rsa.SignPSS(rand.Reader, c.RSAKey, crypto.SHA1, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		if err != nil {
			return nil, fmt.Errorf("sign with RSA: %w", err)
		}
		return sig, nil
	}
	if len(c.AESKey) != 32 || len(c.AESIV) != 16 {
		return nil, fmt.Errorf("widevine signing key must be 32 bytes and IV 16 (have %d and %d)", len(c.AESKey), len(c.AESIV))
	}
	buf := make([]byte, 32)
	copy(buf, d[:])
	if c.Padding != PaddingZero {
		for i := len(d); i < 32; i++ {
			buf[i] = byte(32 - len(d))
		}
	}
	blk, err := aes.NewCipher(c.AESKey)
	if err != nil {
		return nil, fmt.Errorf("signing cipher: %w", err)
	}
	cipher.NewCBCEncrypter(blk, c.AESIV).CryptBlocks(buf, buf)
	return buf, nil
}

// Envelope is the signed request to the service.
type Envelope struct {
	Request   string `json:"request"`
	Signature string `json:"signature"`
	Signer    string `json:"signer"`
}

// Message is the license message inside the envelope.
type Message struct {
	Payload                       string          `json:"payload"`
	Provider                      string          `json:"provider"`
	ContentID                     string          `json:"content_id,omitempty"`
	AllowedTrackTypes             string          `json:"allowed_track_types,omitempty"`
	ContentKeySpecs               []KeySpec       `json:"content_key_specs,omitempty"`
	PolicyOverrides               json.RawMessage `json:"policy_overrides,omitempty"`
	UsePolicyOverridesExclusively bool            `json:"use_policy_overrides_exclusively,omitempty"`
	SessionInit                   json.RawMessage `json:"session_init,omitempty"`
}

// KeySpec is one content_key_specs entry.
type KeySpec struct {
	TrackType                string          `json:"track_type,omitempty"`
	KeyID                    string          `json:"key_id"`
	Key                      string          `json:"key"`
	SecurityLevel            int             `json:"security_level,omitempty"`
	RequiredOutputProtection json.RawMessage `json:"required_output_protection,omitempty"`
}

// template is the AMS widevineTemplate.
type template struct {
	AllowedTrackTypes string `json:"allowed_track_types"`
	ContentKeySpecs   []struct {
		TrackType                string          `json:"track_type"`
		SecurityLevel            int             `json:"security_level"`
		RequiredOutputProtection json.RawMessage `json:"required_output_protection"`
	} `json:"content_key_specs"`
	PolicyOverrides json.RawMessage `json:"policy_overrides"`
	SessionInit     json.RawMessage `json:"session_init"`
}

// serviceCertificateRequest is the challenge a CDM sends for the service
// certificate (SignedMessage type SERVICE_CERTIFICATE_REQUEST).
var serviceCertificateRequest = []byte{0x08, 0x04}

// BuildMessage translates a license request and the AMS template of the
// option that granted its keys into the license message.
func BuildMessage(provider string, req license.Request) (*Message, error) {
	m := &Message{Payload: base64.StdEncoding.EncodeToString(req.Challenge), Provider: provider}
	if bytes.Equal(req.Challenge, serviceCertificateRequest) {
		return m, nil // no keys: the service answers its certificate
	}
	var t template
	if cfg, ok := req.Keys[0].Option.Configuration.(*defs.ContentKeyPolicyWidevineConfiguration); ok && strings.TrimSpace(cfg.WidevineTemplate) != "" {
		if err := json.Unmarshal([]byte(cfg.WidevineTemplate), &t); err != nil {
			return nil, fmt.Errorf("decode widevine template: %w", err)
		}
	}
	m.AllowedTrackTypes = t.AllowedTrackTypes
	m.PolicyOverrides = t.PolicyOverrides
	m.SessionInit = t.SessionInit
	for _, k := range req.Keys {
		kid := base64.StdEncoding.EncodeToString(k.KID[:])
		key := base64.StdEncoding.EncodeToString(k.Key[:])
		if len(t.ContentKeySpecs) == 0 {
			m.ContentKeySpecs = append(m.ContentKeySpecs, KeySpec{KeyID: kid, Key: key})
			continue
		}
		// Each track type of the template gets the key: Lockstream
		// locators protect every track with the granted key(s).
		for _, s := range t.ContentKeySpecs {
			m.ContentKeySpecs = append(m.ContentKeySpecs, KeySpec{TrackType: s.TrackType, KeyID: kid, Key: key,
				SecurityLevel: s.SecurityLevel, RequiredOutputProtection: s.RequiredOutputProtection})
		}
	}
	return m, nil
}

// HTTPClient is the outbound guard's client (netguard.Guard.Client).
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Proxy forwards Widevine challenges with the account's license server
// settings (license.Request.Server).
type Proxy struct {
	// Client makes the outbound calls (the outbound guard's client).
	Client HTTPClient
}

// CredentialsFrom reads the Widevine block of a license server.
func CredentialsFrom(p *settings.Properties) (*Credentials, error) {
	if p == nil || p.Widevine == nil {
		return nil, fmt.Errorf("license server has no widevine settings")
	}
	w := p.Widevine
	c := &Credentials{Provider: w.Provider, LicenseURL: p.URL, Padding: w.SignaturePadding}
	if w.RSASigningKey != "" {
		k, err := w.RSAKey()
		if err != nil {
			return nil, fmt.Errorf("widevine rsaSigningKey %w", err)
		}
		c.RSAKey = k
		return c, nil
	}
	var err error
	if c.AESKey, err = hex.DecodeString(w.SigningKey); err != nil {
		return nil, fmt.Errorf("widevine signingKey: %w", err)
	}
	if c.AESIV, err = hex.DecodeString(w.SigningIV); err != nil {
		return nil, fmt.Errorf("widevine signingIv: %w", err)
	}
	return c, nil
}

// maxResponse bounds the service's answer (licenses are a few KiB).
const maxResponse = 1 << 20

// Error codes of the proxy's refusals.
const (
	CodeServiceRefused = "WidevineServiceRefused"
)

// License forwards the challenge and answers the license bytes.
func (p *Proxy) License(ctx context.Context, req license.Request) (license.Response, error) {
	if req.Server == nil {
		return license.Response{}, license.NotConfigured("Widevine")
	}
	cr, err := CredentialsFrom(req.Server)
	if err != nil {
		return license.Response{}, err
	}
	if len(req.Challenge) == 0 {
		return license.Response{}, license.Errorf(http.StatusBadRequest, license.CodeBadRequest, "The body holds no Widevine challenge.", "empty challenge", nil)
	}
	m, err := BuildMessage(cr.Provider, req)
	if err != nil {
		return license.Response{}, err
	}
	msg, err := json.Marshal(m)
	if err != nil {
		return license.Response{}, fmt.Errorf("encode widevine message: %w", err)
	}
	sig, err := cr.Sign(msg)
	if err != nil {
		return license.Response{}, err
	}
	env, _ := json.Marshal(Envelope{Request: base64.StdEncoding.EncodeToString(msg), Signature: base64.StdEncoding.EncodeToString(sig), Signer: cr.Provider})
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, cr.LicenseURL, bytes.NewReader(env))
	if err != nil {
		return license.Response{}, fmt.Errorf("widevine request: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(hr)
	if err != nil {
		return license.Response{}, license.Errorf(http.StatusServiceUnavailable, license.CodeUnavailable,
			"The Widevine license service cannot be reached.", "post to license service", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil || len(body) > maxResponse {
		return license.Response{}, license.Errorf(http.StatusBadGateway, license.CodeUpstream, "The Widevine license service's answer could not be read.", "read answer", err)
	}
	if resp.StatusCode != http.StatusOK {
		return license.Response{}, license.Errorf(http.StatusBadGateway, license.CodeUpstream,
			fmt.Sprintf("The Widevine license service answered HTTP %d.", resp.StatusCode), "service status", nil)
	}
	var out struct {
		Status        string `json:"status"`
		StatusMessage string `json:"status_message"`
		License       string `json:"license"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return license.Response{}, license.Errorf(http.StatusBadGateway, license.CodeUpstream, "The Widevine license service's answer is not JSON.", "decode answer", err)
	}
	if out.Status != "OK" {
		return license.Response{}, statusError(out.Status)
	}
	lic, err := base64.StdEncoding.DecodeString(out.License)
	if err != nil || len(lic) == 0 {
		return license.Response{}, license.Errorf(http.StatusBadGateway, license.CodeUpstream, "The Widevine license service returned no license.", "license field", err)
	}
	return license.Response{Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: lic}, nil
}

// statusError maps the service's status: a refused challenge is the
// player's problem (400), a refused signature or unknown provider the
// operator's (502 naming the cause), the rest the service's (502).
func statusError(status string) error {
	s := strings.ToUpper(status)
	err := errors.New("widevine status " + status)
	switch {
	case s == "":
		return license.Errorf(http.StatusBadGateway, license.CodeUpstream, "The Widevine license service answered without a status.", "no status", err)
	case strings.Contains(s, "SIGNATURE") || strings.Contains(s, "PROVIDER") || strings.Contains(s, "SIGNER"):
		return license.Errorf(http.StatusBadGateway, CodeServiceRefused,
			"The Widevine license service refused Lockstream's credentials ("+status+"); the operator must check the provider settings.", "credentials refused", err)
	case strings.Contains(s, "CHALLENGE") || strings.Contains(s, "INVALID_LICENSE_REQUEST") || strings.Contains(s, "DEVICE") || strings.Contains(s, "REVOKED"):
		return license.Errorf(http.StatusBadRequest, CodeServiceRefused, "The Widevine license service refused the challenge ("+status+").", "challenge refused", err)
	}
	return license.Errorf(http.StatusBadGateway, CodeServiceRefused, "The Widevine license service refused the request ("+status+").", "service refused", err)
}
