package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/policy"
)

// zitadelServer finds the zitadel example OpenID provider, built by
// scripts/test from the pinned tools module into .bin/.
func zitadelServer(t *testing.T) string {
	t.Helper()
	p := os.Getenv("LOCKSTREAM_ZITADEL_SERVER")
	if p == "" {
		_, file, _, _ := runtime.Caller(0)
		p = filepath.Join(filepath.Dir(file), "..", "..", ".bin", "zitadel-oidc-server")
	}
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("zitadel example OP not built (%v); run: (cd tools && go build -o ../.bin/zitadel-oidc-server github.com/zitadel/oidc/v3/example/server)", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// TestExternalOIDCProvider verifies ID tokens of a real, separately built
// OpenID provider (zitadel's example OP, RS256, keys with kid) through
// the restriction's openIdConnectDiscoveryDocument: discovery, JWKS fetch,
// issuer/audience checks, and refusal of a forged token.
func TestExternalOIDCProvider(t *testing.T) {
	bin := zitadelServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	// The OP names itself by "localhost", so every URL must too.
	issuer := fmt.Sprintf("http://localhost:%d/", port)
	for i := 0; ; i++ {
		resp, err := http.Get(issuer + ".well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatalf("OP did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	idToken := zitadelIDToken(t, issuer)

	kid := keys.KID{1, 2, 3}
	restriction := func(aud string) *defs.ContentKeyPolicyProperties {
		return &defs.ContentKeyPolicyProperties{Options: []defs.ContentKeyPolicyOption{{
			Name:          "oidc",
			Configuration: &defs.ContentKeyPolicyClearKeyConfiguration{},
			Restriction: &defs.ContentKeyPolicyTokenRestriction{
				Issuer: issuer, Audience: aud, RestrictionTokenType: "Jwt",
				OpenIDConnectDiscoveryDocument: issuer + ".well-known/openid-configuration",
			},
		}}}
	}
	ev, err := policy.NewEvaluator(policy.Config{AllowInsecureDiscovery: true,
		// The provider runs on loopback for the test.
		Outbound: netguard.New(netguard.Options{AllowPrivate: true, AllowHTTP: true})})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(idToken, ".")
	sig := []byte(parts[2])
	sig[0] ^= 1 // still base64url, no longer the OP's signature
	forged := parts[0] + "." + parts[1] + "." + string(sig)
	for _, tc := range []struct {
		name  string
		aud   string
		token string
		want  error
	}{
		{"valid ID token", "web", idToken, nil},
		{"forged signature", "web", forged, policy.ErrUnauthenticated},
		{"other audience", "api", idToken, policy.ErrUnauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ev.Evaluate(context.Background(), policy.Request{Policy: restriction(tc.aud), Kind: policy.KindClearKey, KID: kid, Token: tc.token, Now: time.Now()})
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// zitadelIDToken runs the OP's authorization-code flow with its built-in
// test user and returns the ID token.
func zitadelIDToken(t *testing.T, issuer string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	redirect := "http://localhost:9999/auth/callback"
	next := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if loc == "" {
			t.Fatalf("%s: %d without redirect", resp.Request.URL, resp.StatusCode)
		}
		u, err := resp.Request.URL.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		return u.String()
	}
	login := next(noFollow.Get(issuer + "auth?" + url.Values{"client_id": {"web"}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"openid"}, "state": {"x"}, "nonce": {"n"}}.Encode()))
	lu, _ := url.Parse(login)
	id := lu.Query().Get("authRequestID")
	callback := next(noFollow.PostForm(issuer+"login/username", url.Values{"id": {id}, "username": {"test-user@localhost"}, "password": {"verysecure"}}))
	final := next(noFollow.Get(callback))
	fu, _ := url.Parse(final)
	code := fu.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", final)
	}
	req, _ := http.NewRequest(http.MethodPost, issuer+"oauth/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("web", "secret")
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.IDToken == "" {
		t.Fatalf("token endpoint: %d %v", resp.StatusCode, err)
	}
	return out.IDToken
}
