package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/auth/claims"
)

// acceptedAlgs is the algorithm allow-list (RFC 8725 §3.1–3.2). HS* is
// absent on purpose: an HS256 token "signed" with the RSA public key as an
// HMAC secret must never verify.
var acceptedAlgs = []string{string(jose.RS256), string(jose.ES256)}

// Verify checks a compact JWS access token and returns its principal with
// the role assignments it holds now. Errors are *TokenError unless the key
// set or directory fails.
func (j *JWT) Verify(ctx context.Context, token string) (Principal, error) {
	p, err := j.verify(ctx, token)
	var te *TokenError
	if errors.As(err, &te) {
		j.cfg.Log.DebugContext(ctx, "bearer token rejected", "reason", te.Reason, "description", te.Description)
	}
	return p, err
}

func (j *JWT) verify(ctx context.Context, token string) (Principal, error) {
	if len(token) > j.cfg.MaxTokenBytes {
		return Principal{}, invalidToken("token too large", fmt.Sprintf("%d bytes", len(token)), nil)
	}
	rawHeader, rawPayload, err := claims.Split(token, j.cfg.MaxTokenBytes)
	if err != nil {
		return Principal{}, invalidToken("malformed token", "split", err)
	}
	h, err := claims.Parse(rawHeader)
	if err != nil {
		return Principal{}, invalidToken("malformed token", "header", err)
	}
	if err := claims.CheckHeader(h, "alg", "kid", "typ"); err != nil {
		return Principal{}, invalidToken("malformed token", "header", err)
	}
	alg, _, err := h.String("alg")
	if err != nil || !slices.Contains(acceptedAlgs, alg) {
		return Principal{}, invalidToken("signature algorithm not accepted", fmt.Sprintf("alg %.20q", alg), err)
	}
	if typ, ok, err := h.String("typ"); err != nil || ok && !strings.EqualFold(typ, "JWT") {
		return Principal{}, invalidToken("wrong token type", fmt.Sprintf("typ %.20q", typ), err)
	}
	kid, _, err := h.String("kid")
	if err != nil || kid == "" || len(kid) > 128 {
		return Principal{}, invalidToken("malformed token", "missing or oversized kid", err)
	}
	key, err := j.key(ctx, kid)
	if err != nil {
		return Principal{}, err
	}
	if key.Algorithm != alg {
		return Principal{}, invalidToken("signature algorithm not accepted",
			fmt.Sprintf("alg %s but key %.64q is %s", alg, kid, key.Algorithm), nil)
	}
	// The library re-checks the algorithm against the key's one algorithm
	// and verifies; our own parse above is only for policy.
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(key.Algorithm)})
	if err != nil {
		return Principal{}, invalidToken("malformed token", "jose parse", err)
	}
	payload, err := jws.Verify(key.Key)
	if err != nil || !bytes.Equal(payload, rawPayload) {
		return Principal{}, invalidToken("invalid signature", fmt.Sprintf("kid %.64q", kid), err)
	}
	c, err := claims.Parse(payload)
	if err != nil {
		return Principal{}, invalidToken("malformed claims", "claims", err)
	}
	clientID, objectID, err := j.checkClaims(c)
	if err != nil {
		return Principal{}, err
	}
	p, err := j.cfg.Directory.LookupPrincipal(ctx, clientID)
	switch {
	case errors.Is(err, ErrPrincipalNotFound):
		return Principal{}, invalidToken("principal no longer exists", fmt.Sprintf("appid %.64q", clientID), err)
	case err != nil:
		return Principal{}, fmt.Errorf("auth: look up principal: %w", err)
	case p.ObjectID != objectID:
		// Deleted and created again under the same client id: tokens of
		// the old principal must not carry over.
		return Principal{}, invalidToken("principal no longer exists", fmt.Sprintf("appid %.64q: oid changed", clientID), nil)
	}
	return p, nil
}

// checkClaims validates time, issuer, audience and tenant, and returns the
// client and object ids.
func (j *JWT) checkClaims(c claims.Object) (clientID, objectID string, err error) {
	now := j.cfg.Now()
	exp, ok, err := c.NumericDate("exp")
	if err != nil || !ok {
		return "", "", invalidToken("malformed claims", "missing or malformed exp", err)
	}
	if !now.Before(exp.Add(j.cfg.Leeway)) {
		return "", "", invalidToken("token expired", fmt.Sprintf("exp %s", exp.Format("2006-01-02T15:04:05Z")), nil)
	}
	nbf, ok, err := c.NumericDate("nbf")
	if err != nil {
		return "", "", invalidToken("malformed claims", "malformed nbf", err)
	}
	if ok && nbf.After(now.Add(j.cfg.Leeway)) {
		return "", "", invalidToken("token not yet valid", fmt.Sprintf("nbf %s", nbf.Format("2006-01-02T15:04:05Z")), nil)
	}
	iat, ok, err := c.NumericDate("iat")
	if err != nil || ok && iat.After(now.Add(j.cfg.Leeway)) {
		return "", "", invalidToken("token not yet valid", "iat in the future or malformed", err)
	}
	iss, _, err := c.String("iss")
	if err != nil || !slices.Contains(j.cfg.Issuers, iss) {
		return "", "", invalidToken("wrong issuer", fmt.Sprintf("iss %.200q", iss), err)
	}
	aud, _, err := c.Strings("aud")
	if err != nil || !slices.Contains(aud, j.cfg.Audience) {
		return "", "", invalidToken("wrong audience", fmt.Sprintf("aud %.200q", aud), err)
	}
	if j.cfg.TenantID != "" {
		if tid, _, err := c.String("tid"); err != nil || !strings.EqualFold(tid, j.cfg.TenantID) {
			return "", "", invalidToken("wrong tenant", fmt.Sprintf("tid %.64q", tid), err)
		}
	}
	clientID, _, err = c.String("appid")
	if err != nil || clientID == "" {
		return "", "", invalidToken("malformed claims", "missing appid", err)
	}
	if azp, ok, err := c.String("azp"); err != nil || ok && azp != clientID {
		return "", "", invalidToken("malformed claims", "azp differs from appid", err)
	}
	objectID, _, err = c.String("oid")
	if err != nil || objectID == "" {
		return "", "", invalidToken("malformed claims", "missing oid", err)
	}
	return clientID, objectID, nil
}
