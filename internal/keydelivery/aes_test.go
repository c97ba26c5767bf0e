package keydelivery_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/policy"
)

func TestAESKey(t *testing.T) {
	n := startNode(t)
	n.policy("open", option("open", clearKeyConfig(), openRestriction()))
	n.policy("premium", option("premium-token", clearKeyConfig(), n.tokenRestriction("premium")))
	n.policy("premium-drm", option("premium-token", clearKeyConfig(), n.tokenRestriction("premium")))
	openKID, openKey := n.locator("aes-open", "Predefined_ClearKey", "open")
	kid, key := n.locator("aes-premium", "Predefined_ClearKey", "premium")
	cencKID, _ := n.locator("cenc-premium", "Predefined_MultiDrmCencStreaming", "premium-drm")

	wantKey := func(t *testing.T, resp *http.Response, body []byte, want []byte) {
		t.Helper()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
			t.Fatalf("got %d (%d bytes); want 200 with the key", resp.StatusCode, len(body))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("Content-Type %q", ct)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
	}

	t.Run("open policy", func(t *testing.T) {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			resp, b := n.kd(m, n.msid, "?kid="+openKID.String(), nil)
			wantKey(t, resp, b, openKey[:])
		}
		// Upper-case key ids and an upper-case mediaServiceId name the same.
		resp, b := n.kd(http.MethodGet, strings.ToUpper(n.msid), "?kid="+strings.ToUpper(openKID.String()), nil)
		wantKey(t, resp, b, openKey[:])
	})

	premium := map[string]any{"groups": []string{"premium", "sports"}}
	t.Run("token transports", func(t *testing.T) {
		tok := n.jwt(premium)
		resp, b := n.kd(http.MethodGet, n.msid, "?kid="+kid.String(), nil, "Authorization", "Bearer "+tok)
		wantKey(t, resp, b, key[:])
		resp, b = n.kd(http.MethodGet, n.msid, "?kid="+kid.String()+"&token="+url.QueryEscape(tok), nil)
		wantKey(t, resp, b, key[:])
		resp, b = n.kd(http.MethodGet, n.msid, "?kid="+kid.String()+"&Bearer="+url.QueryEscape(tok), nil)
		wantKey(t, resp, b, key[:])
		resp, b = n.kd(http.MethodPost, n.msid, "?kid="+kid.String(), []byte("Bearer="+url.QueryEscape(tok)),
			"Content-Type", "application/x-www-form-urlencoded")
		wantKey(t, resp, b, key[:])
		// Two different tokens in one request: neither is chosen.
		resp, b = n.kd(http.MethodGet, n.msid, "?kid="+kid.String()+"&token="+url.QueryEscape(n.jwt(map[string]any{"groups": "premium", "sub": "other"})), nil, "Authorization", "Bearer "+tok)
		wantError(t, resp, b, http.StatusUnauthorized, "InvalidToken")
	})

	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			claims map[string]any
			status int
			code   string
		}{
			{"expired", map[string]any{"groups": "premium", "nbf": time.Now().Add(-2 * time.Hour).Unix(), "exp": time.Now().Add(-time.Hour).Unix()}, 401, "InvalidToken"},
			{"wrong audience", map[string]any{"groups": "premium", "aud": "urn:someone:else"}, 401, "InvalidToken"},
			{"wrong issuer", map[string]any{"groups": "premium", "iss": "https://evil.example/"}, 401, "InvalidToken"},
			{"claim missing", map[string]any{}, 403, "Forbidden"},
			{"claim other value", map[string]any{"groups": []string{"basic"}}, 403, "Forbidden"},
			{"bound to another key", map[string]any{"groups": "premium", "urn:microsoft:azure:mediaservices:contentkeyidentifier": openKID.String()}, 403, "Forbidden"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, b := n.kd(http.MethodGet, n.msid, "?kid="+kid.String(), nil, "Authorization", "Bearer "+n.jwt(tc.claims))
				wantError(t, resp, b, tc.status, tc.code)
				if tc.status == 401 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
					t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
				}
			})
		}
		t.Run("missing", func(t *testing.T) {
			resp, b := n.kd(http.MethodGet, n.msid, "?kid="+kid.String(), nil)
			wantError(t, resp, b, http.StatusUnauthorized, "TokenRequired")
			if h := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") || strings.Contains(h, "error=") {
				t.Errorf("WWW-Authenticate %q for a request without a token (RFC 6750 §3.1: no error code)", h)
			}
		})
		t.Run("garbage", func(t *testing.T) {
			resp, b := n.kd(http.MethodGet, n.msid, "?kid="+kid.String(), nil, "Authorization", "Bearer not.a.jwt")
			wantError(t, resp, b, http.StatusUnauthorized, "InvalidToken")
		})
	})

	t.Run("max uses", func(t *testing.T) {
		tok := n.jwt(map[string]any{"groups": "premium", policy.MaxUsesClaim: 2, "exp": time.Now().Add(30 * time.Minute).Unix()})
		for i, want := range []int{200, 200, 401, 401} {
			resp, b := n.kd(http.MethodGet, n.msid, "?kid="+kid.String()+"&token="+url.QueryEscape(tok), nil)
			if want == 200 {
				wantKey(t, resp, b, key[:])
				continue
			}
			wantError(t, resp, b, want, "InvalidToken")
			if i == 2 && !strings.Contains(string(b), "use limit") {
				t.Errorf("used-up answer %s does not say why", b)
			}
		}
	})

	t.Run("not found and bad requests", func(t *testing.T) {
		tok := n.jwt(premium)
		for _, tc := range []struct {
			name, method, msid, path string
			status                   int
			code                     string
		}{
			{"unknown kid", "GET", n.msid, "?kid=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", 404, "KeyNotFound"},
			// Decision: a cenc key is not an AES key. The AES endpoint
			// knows envelope keys only, so it answers as for any key id it
			// does not serve, before looking at the token.
			{"cenc key as AES", "GET", n.msid, "?kid=" + cencKID.String(), 404, "KeyNotFound"},
			{"unknown account", "GET", "6a2f3c4d-0000-4000-8000-000000000001", "?kid=" + kid.String(), 404, "AccountNotFound"},
			{"account not a guid", "GET", "demo", "?kid=" + kid.String(), 404, "AccountNotFound"},
			{"no kid", "GET", n.msid, "", 400, "BadRequest"},
			{"malformed kid", "GET", n.msid, "?kid=nb:kid:UUID:xyz", 400, "BadRequest"},
			{"kid twice", "GET", n.msid, "?kid=" + kid.String() + "&kid=" + kid.String(), 400, "BadRequest"},
			{"wrong method", "PUT", n.msid, "?kid=" + kid.String(), 405, "MethodNotAllowed"},
			{"unknown endpoint", "GET", n.msid, "Nagra/?kid=" + kid.String(), 404, "NotFound"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, b := n.kd(tc.method, tc.msid, tc.path, nil, "Authorization", "Bearer "+tok)
				wantError(t, resp, b, tc.status, tc.code)
				if tc.status == 405 && !strings.Contains(resp.Header.Get("Allow"), "GET") {
					t.Errorf("Allow %q", resp.Header.Get("Allow"))
				}
			})
		}
		big := bytes.Repeat([]byte("a"), 128<<10)
		resp, b := n.kd(http.MethodPost, n.msid, "?kid="+kid.String(), big, "Authorization", "Bearer "+tok, "Content-Type", "application/x-www-form-urlencoded")
		wantError(t, resp, b, http.StatusRequestEntityTooLarge, "RequestTooLarge")
	})

	// Content keys are cached per key id; deleting the locator publishes
	// an invalidation, so its key stops at once, not after the cache TTL.
	t.Run("deleted locator stops its key", func(t *testing.T) {
		resp, b := n.kd(http.MethodGet, n.msid, "?kid="+openKID.String(), nil)
		wantKey(t, resp, b, openKey[:]) // cached now
		n.mgmt(http.MethodDelete, n.acct+"/streamingLocators/aes-open", nil, nil)
		resp, b = n.kd(http.MethodGet, n.msid, "?kid="+openKID.String(), nil)
		wantError(t, resp, b, http.StatusNotFound, "KeyNotFound")
	})
}
