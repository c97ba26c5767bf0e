package conf

import (
	"encoding/base64"
	"net/url"
	"strings"
	"time"
)

// validateSTS checks the sts section.
func (c *Conf) validateSTS() error {
	s := &c.STS
	if s.Issuer != "" {
		u, err := url.Parse(s.Issuer)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return &FieldError{Field: "sts.issuer", Value: s.Issuer, Msg: "must be an absolute http(s) URL without query"}
		}
	}
	if s.Audience == "" || strings.ContainsAny(s.Audience, " \t\r\n") {
		return &FieldError{Field: "sts.audience", Value: s.Audience, Msg: "must be non-empty without white space"}
	}
	if d := s.TokenLifetime.Std(); d < time.Minute || d > 24*time.Hour {
		return &FieldError{Field: "sts.tokenLifetime", Msg: "must be between 1m and 24h"}
	}
	switch s.KeyType {
	case "RS256", "ES256":
		if s.HMACKey != "" {
			return &FieldError{Field: "sts.hmacKey", Msg: "only used with keyType HS256"}
		}
	case "HS256":
		if k, err := c.STSHMACKey(); err != nil || len(k) < 32 {
			return &FieldError{Field: "sts.hmacKey", Msg: "HS256 needs base64 of at least 32 bytes"}
		}
	default:
		return &FieldError{Field: "sts.keyType", Value: s.KeyType, Msg: "want RS256, ES256 or HS256"}
	}
	// The successor is published an hour ahead, and the key must outlive
	// it.
	if s.KeyRotation.Std() < 2*time.Hour {
		return &FieldError{Field: "sts.keyRotation", Msg: "must be at least 2h"}
	}
	return nil
}

// STSHMACKey decodes sts.hmacKey (standard or URL-safe base64, padded or
// not).
func (c *Conf) STSHMACKey() ([]byte, error) {
	v := strings.TrimRight(strings.TrimSpace(c.STS.HMACKey.Reveal()), "=")
	if strings.ContainsAny(v, "-_") {
		return base64.RawURLEncoding.DecodeString(v)
	}
	return base64.RawStdEncoding.DecodeString(v)
}
