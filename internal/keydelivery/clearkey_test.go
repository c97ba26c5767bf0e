package keydelivery_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/drm/clearkey"
	"github.com/lockstream/lockstream/internal/keys"
)

// drmNode is a node with two cenc locators under different policies:
// "premium" (Clear Key and Widevine options, groups=premium) and "gold"
// (Clear Key only, groups=gold), and an envelope locator under an open
// policy.
type drmNode struct {
	*node
	premKID, goldKID, envKID keys.KID
	premKey, goldKey         keys.Key
}

func startDRMNode(t *testing.T) *drmNode {
	n := &drmNode{node: startNode(t)}
	n.policy("premium-drm",
		option("clearkey", clearKeyConfig(), n.tokenRestriction("premium")),
		option("widevine", widevineConfig(), n.tokenRestriction("premium")))
	n.policy("gold-drm", option("clearkey", clearKeyConfig(), n.tokenRestriction("gold")))
	n.policy("open", option("open", clearKeyConfig(), openRestriction()))
	n.premKID, n.premKey = n.locator("cenc-premium", "Predefined_MultiDrmCencStreaming", "premium-drm")
	n.goldKID, n.goldKey = n.locator("cenc-gold", "Predefined_MultiDrmCencStreaming", "gold-drm")
	n.envKID, _ = n.locator("aes-open", "Predefined_ClearKey", "open")
	return n
}

type jwkSet struct {
	Keys []struct {
		Kty, Kid, K string
	}
	Type string
}

func TestClearKeyLicense(t *testing.T) {
	n := startDRMNode(t)
	premium := n.jwt(map[string]any{"groups": []string{"premium"}})
	license := func(kids ...keys.KID) []byte { return clearkey.Request(kids, clearkey.Temporary) }

	t.Run("only the entitled key", func(t *testing.T) {
		resp, b := n.kd(http.MethodPost, n.msid, "ClearKey/", license(n.premKID, n.goldKID), "Authorization", "Bearer "+premium)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got %d %s", resp.StatusCode, b)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v", resp.Header)
		}
		var set jwkSet
		if err := json.Unmarshal(b, &set); err != nil {
			t.Fatal(err)
		}
		if len(set.Keys) != 1 || set.Type != clearkey.Temporary {
			t.Fatalf("license %s; want exactly the premium key", b)
		}
		k := set.Keys[0]
		if k.Kty != "oct" || k.Kid != n.premKID.Base64URL() || k.K != base64.RawURLEncoding.EncodeToString(n.premKey[:]) {
			t.Fatalf("license %s; want kid %s and the premium key", b, n.premKID.Base64URL())
		}
		if strings.Contains(string(b), "=") {
			t.Errorf("padded base64url in %s", b)
		}
		if strings.Contains(string(b), base64.RawURLEncoding.EncodeToString(n.goldKey[:])) {
			t.Fatal("the gold key was released to a premium token")
		}
	})

	t.Run("variants", func(t *testing.T) {
		gold := n.jwt(map[string]any{"groups": "gold", "sub": "g"})
		expired := n.jwt(map[string]any{"groups": "premium", "nbf": time.Now().Add(-2 * time.Hour).Unix(), "exp": time.Now().Add(-time.Hour).Unix()})
		unknown, _ := keys.ParseKID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
		for _, tc := range []struct {
			name, path, token string
			body              []byte
			status            int
			code              string
			want              keys.KID
		}{
			{name: "gold token", path: "ClearKey/", token: gold, body: license(n.premKID, n.goldKID), status: 200, want: n.goldKID},
			{name: "lower case, no slash", path: "clearkey", token: premium, body: license(n.premKID), status: 200, want: n.premKID},
			{name: "unknown kid omitted", path: "ClearKey/", token: premium, body: license(unknown, n.premKID), status: 200, want: n.premKID},
			{name: "not entitled", path: "ClearKey/", token: premium, body: license(n.goldKID), status: 403, code: "Forbidden"},
			{name: "no token", path: "ClearKey/", body: license(n.premKID, n.goldKID), status: 401, code: "TokenRequired"},
			{name: "expired", path: "ClearKey/", token: expired, body: license(n.premKID, n.goldKID), status: 401, code: "InvalidToken"},
			{name: "forbidden outranks unknown", path: "ClearKey/", token: premium, body: license(unknown, n.goldKID), status: 403, code: "Forbidden"},
			{name: "unknown kids", path: "ClearKey/", token: premium, body: license(unknown), status: 404, code: "KeyNotFound"},
			// An envelope key is served by the AES endpoint only.
			{name: "envelope key", path: "ClearKey/", token: premium, body: license(n.envKID), status: 404, code: "KeyNotFound"},
			{name: "malformed", path: "ClearKey/", token: premium, body: []byte(`{"kids":["AQEBAQEBAQEBAQEBAQEBAQ=="],"type":"temporary"}`), status: 400, code: "BadRequest"},
			{name: "empty", path: "ClearKey/", token: premium, body: []byte(`{}`), status: 400, code: "BadRequest"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				hdr := []string{"Content-Type", "application/json"}
				if tc.token != "" {
					hdr = append(hdr, "Authorization", "Bearer "+tc.token)
				}
				resp, b := n.kd(http.MethodPost, n.msid, tc.path, tc.body, hdr...)
				if tc.status != 200 {
					wantError(t, resp, b, tc.status, tc.code)
					return
				}
				var set jwkSet
				if err := json.Unmarshal(b, &set); err != nil || resp.StatusCode != 200 || len(set.Keys) != 1 || set.Keys[0].Kid != tc.want.Base64URL() {
					t.Fatalf("got %d %s; want a license for %s", resp.StatusCode, b, tc.want)
				}
			})
		}
		resp, b := n.kd(http.MethodGet, n.msid, "ClearKey/", nil, "Authorization", "Bearer "+premium)
		wantError(t, resp, b, http.StatusMethodNotAllowed, "MethodNotAllowed")
	})
}
