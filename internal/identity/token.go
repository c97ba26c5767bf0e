package identity

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// tokenResponse is the v2 endpoint's success body (what MSAL parses).
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
}

// tokenResponseV1 is the v1 endpoint's body: AAD v1 sends numbers as
// strings and names the resource.
type tokenResponseV1 struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    string `json:"expires_in"`
	ExtExpiresIn string `json:"ext_expires_in"`
	ExpiresOn    string `json:"expires_on"`
	NotBefore    string `json:"not_before"`
	Resource     string `json:"resource"`
	AccessToken  string `json:"access_token"`
}

// accessClaims are the claims of an access token, modelled on Entra ID's
// app-only tokens.
type accessClaims struct {
	Aud      string   `json:"aud"`
	Iss      string   `json:"iss"`
	Iat      int64    `json:"iat"`
	Nbf      int64    `json:"nbf"`
	Exp      int64    `json:"exp"`
	AppID    string   `json:"appid"`
	AppIDAcr string   `json:"appidacr"` // "1" secret, "2" certificate
	Azp      string   `json:"azp"`
	AzpAcr   string   `json:"azpacr"`
	IDTyp    string   `json:"idtyp"`
	Oid      string   `json:"oid"`
	Sub      string   `json:"sub"`
	Tid      string   `json:"tid"`
	Roles    []string `json:"roles,omitempty"`
	Ver      string   `json:"ver"`
	JTI      string   `json:"jti"`
}

// issued is a signed access token.
type issued struct {
	token string
	kid   string
	exp   time.Time
}

// issueToken signs an access token for pr with the current key.
func (s *Service) issueToken(rq *request, pr *principalRecord, roles []RoleAssignment, acr string) (issued, error) {
	ctx := rq.r.Context()
	k, err := s.keys.Signer(ctx)
	if err != nil {
		return issued{}, err
	}
	priv, err := k.Private()
	if err != nil {
		return issued{}, err
	}
	jti := make([]byte, 16)
	if err := s.readRand(jti); err != nil {
		return issued{}, err
	}
	var names []string
	for _, ra := range roles {
		if !slices.Contains(names, string(ra.Role)) {
			names = append(names, string(ra.Role))
		}
	}
	slices.Sort(names)
	now := rq.now
	exp := now.Add(s.cfg.TokenLifetime)
	c := accessClaims{
		Aud: s.cfg.Audience, Iss: s.Issuer(rq.base),
		Iat: now.Unix(), Nbf: now.Unix(), Exp: exp.Unix(),
		AppID: pr.p.ClientID, AppIDAcr: acr, Azp: pr.p.ClientID, AzpAcr: acr, IDTyp: "app",
		Oid: pr.p.ObjectID, Sub: pr.p.ObjectID, Tid: s.cfg.TenantID,
		Roles: names, Ver: "2.0", JTI: base64.RawURLEncoding.EncodeToString(jti),
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return issued{}, err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Alg()), Key: jose.JSONWebKey{Key: priv, KeyID: k.KID()}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return issued{}, fmt.Errorf("identity: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return issued{}, fmt.Errorf("identity: sign token: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return issued{}, fmt.Errorf("identity: serialize token: %w", err)
	}
	return issued{token: tok, kid: k.KID(), exp: exp}, nil
}

// writeToken sends a successful token response.
func (s *Service) writeToken(rq *request, t issued, v1 bool) {
	life := int64(s.cfg.TokenLifetime / time.Second)
	if v1 {
		rq.writeJSON(200, tokenResponseV1{
			TokenType: "Bearer", ExpiresIn: strconv.FormatInt(life, 10), ExtExpiresIn: strconv.FormatInt(life, 10),
			ExpiresOn: strconv.FormatInt(t.exp.Unix(), 10), NotBefore: strconv.FormatInt(rq.now.Unix(), 10),
			Resource: s.cfg.Audience, AccessToken: t.token,
		})
		return
	}
	rq.writeJSON(200, tokenResponse{TokenType: "Bearer", ExpiresIn: life, ExtExpiresIn: life, AccessToken: t.token})
}
