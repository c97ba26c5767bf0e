package vendor

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/license"
	"github.com/lockstream/lockstream/internal/policy"
)

// Axinom forwards to an Axinom DRM license service with an entitlement
// message.
type Axinom struct {
	Client HTTPClient
	// MessageTTL bounds the message's validity; default 5 minutes.
	MessageTTL time.Duration
}

// AxinomMessage is the license service message (the JWT's claims).
type AxinomMessage struct {
	Version        int               `json:"version"`
	ComKeyID       string            `json:"com_key_id"`
	BeginDate      string            `json:"begin_date,omitempty"`
	ExpirationDate string            `json:"expiration_date,omitempty"`
	Message        AxinomEntitlement `json:"message"`
}

// AxinomEntitlement is the entitlement message v2.
type AxinomEntitlement struct {
	Type              string           `json:"type"`
	Version           int              `json:"version"`
	License           map[string]any   `json:"license"`
	ContentKeysSource map[string]any   `json:"content_keys_source"`
	UsagePolicies     []map[string]any `json:"content_key_usage_policies"`
}

// License builds the message and forwards the challenge.
func (a *Axinom) License(ctx context.Context, req license.Request) (license.Response, error) {
	s := req.Server.Axinom
	comKey, err := base64.StdEncoding.DecodeString(s.CommunicationKey)
	if err != nil {
		return license.Response{}, fmt.Errorf("axinom communication key: %w", err)
	}
	defer clear(comKey)
	msg, err := AxinomEntitlementFor(req, s.CommunicationKeyID, comKey, a.ttl())
	if err != nil {
		return license.Response{}, err
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: comKey}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return license.Response{}, fmt.Errorf("axinom signer: %w", err)
	}
	jws, err := sig.Sign(msg)
	if err != nil {
		return license.Response{}, fmt.Errorf("sign axinom message: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return license.Response{}, err
	}
	h := passHeaders(req)
	h.Set("X-AxDRM-Message", tok)
	return forward(ctx, a.Client, req.Server.URL, nil, h, req.Challenge)
}

func (a *Axinom) ttl() time.Duration {
	if a.MessageTTL > 0 {
		return a.MessageTTL
	}
	return 5 * time.Minute
}

// AxinomEntitlementFor builds the JSON claims of the license service
// message for req.
func AxinomEntitlementFor(req license.Request, comKeyID string, comKey []byte, ttl time.Duration) ([]byte, error) {
	now := req.Now.UTC()
	exp := now.Add(ttl)
	var inline []map[string]any
	policies := map[string]map[string]any{}
	var names []string
	lic := map[string]any{}
	for _, k := range req.Keys {
		u, err := UsageOf(k.Option.Configuration)
		if err != nil {
			return nil, err
		}
		name := "lockstream-" + k.Option.Name
		if _, ok := policies[name]; !ok {
			policies[name] = axinomPolicy(name, u)
			names = append(names, name)
		}
		enc, err := WrapAxinomKey(comKey, k.Key[:])
		if err != nil {
			return nil, err
		}
		inline = append(inline, map[string]any{"id": k.KID.String(), "encrypted_key": base64.StdEncoding.EncodeToString(enc), "usage_policy": name})
		lic["allow_persistence"] = u.Persistent
		if u.LicenseDuration > 0 {
			lic["duration"] = u.LicenseDuration
		}
		if u.PlaybackDuration > 0 {
			switch req.Kind {
			case policy.KindFairPlay:
				lic["fairplay"] = map[string]any{"playback_duration": u.PlaybackDuration}
			case policy.KindPlayReady:
				lic["playready"] = map[string]any{"playback_duration": u.PlaybackDuration}
			case policy.KindWidevine:
				lic["widevine"] = map[string]any{"playback_duration": u.PlaybackDuration, "allow_renewal": u.CanRenew}
			}
		}
		if u.RentalDuration > 0 && u.LicenseDuration == 0 {
			lic["duration"] = u.RentalDuration
		}
	}
	// The license never outlives the player's token.
	if t := req.Keys[0].Decision.TokenExpires; !t.IsZero() {
		lic["expiration_datetime"] = t.UTC().Format(time.RFC3339)
	}
	up := make([]map[string]any, 0, len(names))
	for _, n := range names {
		up = append(up, policies[n])
	}
	m := AxinomMessage{Version: 1, ComKeyID: comKeyID, BeginDate: now.Add(-time.Minute).Format(time.RFC3339), ExpirationDate: exp.Format(time.RFC3339),
		Message: AxinomEntitlement{Type: "entitlement_message", Version: 2, License: lic,
			ContentKeysSource: map[string]any{"inline": inline}, UsagePolicies: up}}
	return jsonMarshal(m)
}

// axinomPolicy is a content key usage policy from the template.
func axinomPolicy(name string, u Usage) map[string]any {
	p := map[string]any{"name": name}
	wv := map[string]any{}
	if l := u.WidevineSecurityLevel; l > 0 && l <= 5 {
		wv["device_security_level"] = []string{"", "SW_SECURE_CRYPTO", "SW_SECURE_DECODE", "HW_SECURE_CRYPTO", "HW_SECURE_DECODE", "HW_SECURE_ALL"}[l]
	}
	switch u.WidevineHDCP {
	case "HDCP_V1":
		wv["hdcp"] = "1.0"
	case "HDCP_V2":
		wv["hdcp"] = "2.0"
	}
	if len(wv) > 0 {
		p["widevine"] = wv
	}
	if u.PlayReadySecurityLevel > 0 {
		p["playready"] = map[string]any{"min_device_security_level": u.PlayReadySecurityLevel}
	}
	return p
}

// WrapAxinomKey encrypts a content key for the inline key source:
// AES-256-CBC under the communication key, without padding (the key is
// one block), the IV being the first 16 bytes of the communication key,
// as Axinom's entitlement message documentation describes.
func WrapAxinomKey(comKey, key []byte) ([]byte, error) {
	if len(comKey) != 32 {
		return nil, fmt.Errorf("axinom communication key of %d bytes, want 32", len(comKey))
	}
	blk, err := aes.NewCipher(comKey)
	if err != nil {
		return nil, fmt.Errorf("axinom key cipher: %w", err)
	}
	out := make([]byte, len(key))
	cipher.NewCBCEncrypter(blk, comKey[:16]).CryptBlocks(out, key)
	return out, nil
}
