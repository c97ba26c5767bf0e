package core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/sts"
)

// seedProtectedDemo creates the token-protected half of the demo: the
// content key policy demoTokenPolicy, which releases keys only for a JWT
// from the node's own STS whose groups claim holds demoViewersGroup, and
// the STS user demoViewer in that group. The locator is created with the
// others by seedDemo.
//
// The policy trusts the STS the way an operator's policy would: by its
// OpenID Connect discovery document for RS256/ES256 (key delivery reads
// the own STS's document in-process, see selfTransport, so this works on
// plain HTTP and with a self-signed certificate alike), or by the
// configured symmetric key for HS256.
func (c *Core) seedProtectedDemo(ctx context.Context, do demoDo, acct string, st *demoState) error {
	restriction := map[string]any{
		"@odata.type":          "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
		"issuer":               c.sts.Issuer(),
		"audience":             c.sts.Audience(),
		"restrictionTokenType": "Jwt",
		"requiredClaims":       []any{map[string]any{"claimType": "groups", "claimValue": demoViewersGroup}},
	}
	if c.Conf.STS.KeyType == sts.AlgHS256 {
		k, err := c.Conf.STSHMACKey()
		if err != nil {
			return fmt.Errorf("config sts.hmacKey: %w", err)
		}
		restriction["primaryVerificationKey"] = map[string]any{
			"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey",
			"keyValue":    base64.StdEncoding.EncodeToString(k),
		}
	} else {
		restriction["openIdConnectDiscoveryDocument"] = c.sts.Issuer() + "/.well-known/openid-configuration"
	}
	// PUT every start: the issuer follows the node's current public URL.
	if _, err := do(http.MethodPut, acct+"/contentKeyPolicies/"+demoTokenPolicy, map[string]any{"properties": map[string]any{
		"description": "Demo: PROTECTED — AES-128 / Clear Key keys only for a playback token from this node's STS with groups=" + demoViewersGroup,
		"options": []any{map[string]any{
			"name":          "token-clearkey",
			"configuration": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
			"restriction":   restriction,
		}},
	}}, 200, 201); err != nil {
		return err
	}
	secret, err := c.ensureDemoViewer(ctx)
	if err != nil {
		return err
	}
	st.viewerSecret, st.protected = secret, true
	return nil
}

// ensureDemoViewer creates the demo's STS user with a generated password,
// which it returns to be printed once. A user that already exists (a
// restart, or another node sharing the store) keeps its password, and ""
// is returned; one without a password gets a new one.
func (c *Core) ensureDemoViewer(ctx context.Context) (string, error) {
	_, secret, err := c.sts.CreateUser(ctx, sts.UserOptions{Name: demoViewer, DisplayName: "Lockstream demo viewer",
		GenerateSecret: true, Groups: []string{demoViewersGroup}})
	if err == nil {
		return secret, nil
	}
	if !errors.Is(err, store.ErrConflict) {
		return "", fmt.Errorf("demo viewer: %w", err)
	}
	u, err := c.sts.AddGroup(ctx, demoViewer, demoViewersGroup)
	if err != nil {
		return "", fmt.Errorf("demo viewer: %w", err)
	}
	if u.HasSecret {
		return "", nil
	}
	if secret, err = c.sts.SetSecret(ctx, demoViewer, ""); err != nil {
		return "", fmt.Errorf("demo viewer: %w", err)
	}
	return secret, nil
}
