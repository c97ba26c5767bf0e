package keydelivery_test

import (
	"net/http"
	"testing"
)

func TestCORSAndAllowList(t *testing.T) {
	n := startNode(t)
	kid := "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

	t.Run("preflight", func(t *testing.T) {
		for _, path := range []string{"?kid=" + kid, "ClearKey/", "Widevine/?kid=" + kid} {
			resp, _ := n.kd(http.MethodOptions, n.msid, path, nil,
				"Origin", "https://player.example", "Access-Control-Request-Method", "POST",
				"Access-Control-Request-Headers", "authorization,content-type")
			h := resp.Header
			if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
				h.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" || h.Get("Access-Control-Allow-Methods") == "" {
				t.Fatalf("preflight of %s: %d %v", path, resp.StatusCode, h)
			}
		}
	})

	// keyDelivery.accessControl is checked before key ids and tokens: an
	// address outside the list learns nothing, one inside gets the usual
	// answers.
	t.Run("allow-list", func(t *testing.T) {
		base := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/"
		for _, tc := range []struct {
			name, allow string
			status      int
			code        string
		}{
			{"elsewhere", "10.1.2.0/24", http.StatusForbidden, "Forbidden"},
			{"loopback", "127.0.0.0/8", http.StatusNotFound, "KeyNotFound"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				acct := base + "kd" + tc.name
				n.mgmt(http.MethodPut, acct, map[string]any{"location": "local", "properties": map[string]any{
					"keyDelivery": map[string]any{"accessControl": map[string]any{"defaultAction": "Deny", "ipAllowList": []string{tc.allow}}}}}, nil)
				resp, b := n.kd(http.MethodGet, n.mediaServiceID(acct), "?kid="+kid, nil)
				wantError(t, resp, b, tc.status, tc.code)
			})
		}
	})
}
