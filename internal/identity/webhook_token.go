package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// EventGridAppID is the application id event deliveries present (appid,
// azp, oid, sub): Azure Event Grid's well-known first-party application,
// which webhook receivers written for Azure already check for.
const EventGridAppID = "4962773b-9cdb-44cf-a8bf-237846a00ab7"

// EventGridWebhookRole is the app role an Azure AD-protected webhook
// expects Event Grid to hold.
const EventGridWebhookRole = "AzureEventGridSecureWebhookSubscriber"

// WebhookToken mints an access token for an Azure AD-protected event
// subscription webhook: audience is the subscription's
// azureActiveDirectoryApplicationIdOrUri, the issuer Lockstream's own
// (Issuer(baseURL)), signed with the current key, so receivers verify it
// against Lockstream's JWKS as they would verify Azure AD's.
func (s *Service) WebhookToken(ctx context.Context, baseURL, audience string) (string, time.Time, error) {
	if audience == "" {
		return "", time.Time{}, errors.New("identity: webhook token: empty audience")
	}
	// Never mint a token for Lockstream's own management API: a
	// subscription naming it would hand its webhook a management token.
	if strings.EqualFold(strings.TrimRight(strings.TrimSuffix(audience, "/.default"), "/"), strings.TrimRight(s.cfg.Audience, "/")) {
		return "", time.Time{}, errors.New("identity: webhook token: the audience is Lockstream's management API")
	}
	k, err := s.keys.Signer(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	priv, err := k.Private()
	if err != nil {
		return "", time.Time{}, err
	}
	jti := make([]byte, 16)
	if err := s.readRand(jti); err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	exp := now.Add(s.cfg.TokenLifetime)
	c := accessClaims{
		Aud: audience, Iss: s.Issuer(baseURL),
		Iat: now.Unix(), Nbf: now.Unix(), Exp: exp.Unix(),
		AppID: EventGridAppID, AppIDAcr: "2", Azp: EventGridAppID, AzpAcr: "2", IDTyp: "app",
		Oid: EventGridAppID, Sub: EventGridAppID, Tid: s.cfg.TenantID,
		Roles: []string{EventGridWebhookRole}, Ver: "2.0", JTI: base64.RawURLEncoding.EncodeToString(jti),
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", time.Time{}, err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Alg()), Key: jose.JSONWebKey{Key: priv, KeyID: k.KID()}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("identity: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("identity: sign webhook token: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("identity: serialize webhook token: %w", err)
	}
	return tok, exp, nil
}
