package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/sts"
)

// TestUserLifecycle manages a user with the CLI, then gets playback tokens
// for it from a running node's token service (with the user's secret, and
// on its behalf with the bootstrap Owner's management token) and verifies
// them through the service's discovery document.
func TestUserLifecycle(t *testing.T) {
	dir := t.TempDir()
	var created struct {
		User   sts.User
		Secret string
	}
	if err := json.Unmarshal(cli(t, dir, 0, "user", "create", "alice@example.com", "--display-name", "Alice", "--group", "premium"), &created); err != nil || created.Secret == "" || created.User.ID == "" {
		t.Fatalf("user create: %+v %v", created, err)
	}
	cli(t, dir, 0, "user", "group", "add", "alice@example.com", "beta")
	// Command-line mistakes exit 2, service refusals 1.
	cli(t, dir, 2, "user", "frobnicate")
	cli(t, dir, 2, "user", "delete")
	cli(t, dir, 1, "user", "delete", "nobody")
	cli(t, dir, 0, "user", "claim", "set", "alice@example.com", "tier", "gold")
	cli(t, dir, 0, "user", "claim", "set", "alice@example.com", "level", "3")
	cli(t, dir, 0, "user", "claim", "set", "alice@example.com", "code", "7", "--string")
	cli(t, dir, 1, "user", "claim", "set", "alice@example.com", "sub", "x")
	cli(t, dir, 0, "user", "create", "bob", "--no-secret")
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("carol's chosen secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := cli(t, dir, 0, "user", "create", "carol", "--secret-file", secretFile)
	if strings.Contains(string(out), "chosen") {
		t.Fatalf("chosen secret echoed: %s", out)
	}
	var list []sts.User
	if err := json.Unmarshal(cli(t, dir, 0, "user", "list"), &list); err != nil || len(list) != 3 {
		t.Fatalf("user list: %+v %v", list, err)
	}
	if a := list[0]; a.Name != "alice@example.com" || !slices.Equal(a.Groups, []string{"beta", "premium"}) ||
		string(a.Claims["tier"]) != `"gold"` || string(a.Claims["level"]) != `3` || string(a.Claims["code"]) != `"7"` {
		t.Fatalf("listed user %+v", a)
	}
	cli(t, dir, 0, "user", "group", "remove", "alice@example.com", "beta")
	cli(t, dir, 1, "user", "group", "remove", "alice@example.com", "beta")
	cli(t, dir, 0, "user", "claim", "remove", "alice@example.com", "level")
	cli(t, dir, 2, "user", "group", "add", "alice@example.com")
	cli(t, dir, 2, "user")
	cli(t, dir, 1, "user", "get", "nobody")

	c := conf.Default()
	c.DataDir, c.API.Listen, c.Origin.Listen, c.Blob.Listen = dir, "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	c.Bootstrap.ClientID, c.Bootstrap.ClientSecret = "owner-app", "owner-secret-0123456789"
	node := &core.Core{Conf: c, Log: slog.New(slog.DiscardHandler)}
	if err := node.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer node.Close(context.Background())
	base := "http://" + node.Addr("api")
	issuer := base + "/sts"

	post := func(form url.Values, bearer string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, issuer+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.AccessToken
	}
	getJSON := func(u string, v any) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(tok string) map[string]any {
		var d struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		getJSON(issuer+"/.well-known/openid-configuration", &d)
		if d.Issuer != issuer {
			t.Fatalf("discovery issuer %q, want %q", d.Issuer, issuer)
		}
		var set jose.JSONWebKeySet
		getJSON(d.JWKSURI, &set)
		jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		keys := set.Key(jws.Signatures[0].Header.KeyID)
		if len(keys) != 1 {
			t.Fatalf("kid %q not in the JWKS", jws.Signatures[0].Header.KeyID)
		}
		payload, err := jws.Verify(keys[0].Key)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		if claims["iss"] != issuer || claims["aud"] != c.STS.Audience || int64(claims["exp"].(float64)) <= time.Now().Unix() {
			t.Fatalf("claims %v", claims)
		}
		return claims
	}

	code, tok := post(url.Values{"grant_type": {"password"}, "username": {"alice@example.com"}, "password": {created.Secret}, "maxuses": {"2"}}, "")
	if code != 200 {
		t.Fatalf("password grant: %d", code)
	}
	claims := verify(tok)
	if claims["sub"] != created.User.ID || !slices.Equal(claims["groups"].([]any), []any{"premium"}) ||
		claims["tier"] != "gold" || claims["code"] != "7" || claims[sts.MaxUsesClaim] != "2" {
		t.Fatalf("claims %v", claims)
	}
	if _, ok := claims["level"]; ok {
		t.Fatal("removed claim issued")
	}
	if code, tok := post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"carol"}, "client_secret": {"carol's chosen secret"}}, ""); code != 200 || tok == "" {
		t.Fatalf("chosen secret: %d", code)
	}
	if code, tok := post(url.Values{"grant_type": {"password"}, "username": {"alice@example.com"}, "password": {"wrong"}}, ""); code != 401 || tok != "" {
		t.Fatalf("wrong secret: %d %q", code, tok)
	}
	if code, _ := post(url.Values{"grant_type": {sts.GrantOnBehalfOf}, "user": {"bob"}}, ""); code != 401 {
		t.Fatalf("on behalf without a bearer: %d", code)
	}

	// On behalf of bob (who has no secret), as the Owner.
	resp, err := http.PostForm(base+"/"+c.Identity.TenantID+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {c.Bootstrap.ClientID}, "client_secret": {c.Bootstrap.ClientSecret.Reveal()}, "scope": {c.Identity.Audience + "/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	var mgmt struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&mgmt)
	resp.Body.Close()
	if mgmt.AccessToken == "" {
		t.Fatal("no management token")
	}
	code, tok = post(url.Values{"grant_type": {sts.GrantOnBehalfOf}, "user": {"bob"}}, mgmt.AccessToken)
	if code != 200 {
		t.Fatalf("on behalf of bob: %d", code)
	}
	if bob := verify(tok); bob["sub"] == created.User.ID || bob["sub"] == "" {
		t.Fatalf("bob's claims %v", bob)
	}
	if code, _ := post(url.Values{"grant_type": {sts.GrantOnBehalfOf}, "user": {"bob"}}, "forged."+mgmt.AccessToken); code != 401 {
		t.Fatalf("forged management token: %d", code)
	}

	// A deleted user gets nothing more.
	cli(t, dir, 0, "user", "delete", "alice@example.com")
	if code, _ := post(url.Values{"grant_type": {"password"}, "username": {"alice@example.com"}, "password": {created.Secret}}, ""); code != 401 {
		t.Fatalf("deleted user: %d", code)
	}
}
