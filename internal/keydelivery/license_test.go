package keydelivery_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/keys"
)

func TestLicenseEndpoints(t *testing.T) {
	n := startDRMNode(t)
	premium := n.jwt(map[string]any{"groups": []string{"premium"}})
	basic := n.jwt(map[string]any{"groups": "basic"})
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	challenge := []byte{0x08, 0x04} // a Widevine service certificate request

	t.Run("Widevine", func(t *testing.T) {
		resp, b := n.kd(http.MethodPost, n.msid, "Widevine/?kid="+n.premKID.String(), challenge, bearer(premium)...)
		wantError(t, resp, b, http.StatusNotImplemented, "LicenseServerNotConfigured")
		if !strings.Contains(string(b), "Widevine") {
			t.Errorf("501 message %s does not name the DRM", b)
		}
		for _, tc := range []struct {
			name, path string
			hdr        []string
			status     int
			code       string
		}{
			{"no token", "Widevine/?kid=" + n.premKID.String(), nil, 401, "TokenRequired"},
			{"bad token", "Widevine/?kid=" + n.premKID.String(), bearer("x.y.z"), 401, "InvalidToken"},
			{"not entitled", "Widevine/?kid=" + n.premKID.String(), bearer(basic), 403, "Forbidden"},
			// The gold policy has no Widevine option.
			{"no Widevine option", "Widevine/?kid=" + n.goldKID.String(), bearer(premium), 403, "Forbidden"},
			{"unknown kid", "Widevine/?kid=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", bearer(premium), 404, "KeyNotFound"},
			{"envelope key", "Widevine/?kid=" + n.envKID.String(), bearer(premium), 404, "KeyNotFound"},
			{"no kid", "Widevine/", bearer(premium), 400, "BadRequest"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, b := n.kd(http.MethodPost, n.msid, tc.path, challenge, tc.hdr...)
				wantError(t, resp, b, tc.status, tc.code)
			})
		}
		resp, b = n.kd(http.MethodGet, n.msid, "Widevine/?kid="+n.premKID.String(), nil, bearer(premium)...)
		wantError(t, resp, b, http.StatusMethodNotAllowed, "MethodNotAllowed")
	})

	t.Run("PlayReady", func(t *testing.T) {
		// The key id comes from the WRMHEADER inside the SOAP challenge.
		soapFor := func(kid keys.KID, key keys.Key) []byte {
			h, err := playready.NewHeader("cenc", []playready.HeaderKey{{KID: kid, Key: &key}})
			if err != nil {
				t.Fatal(err)
			}
			wrm, err := h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			return []byte(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
				`<AcquireLicense xmlns="http://schemas.microsoft.com/DRM/2007/03/protocols"><challenge><Challenge xmlns="http://schemas.microsoft.com/DRM/2007/03/protocols/messages">` +
				`<LA xmlns="http://schemas.microsoft.com/DRM/2007/03/protocols" Id="SignedData" xml:space="preserve"><Version>1</Version><ContentHeader>` + wrm +
				`</ContentHeader></LA></Challenge></challenge></AcquireLicense></soap:Body></soap:Envelope>`)
		}
		soap := soapFor(n.premKID, n.premKey)
		xml := []string{"Content-Type", "text/xml; charset=utf-8"}
		// The premium policy has no PlayReady option: a valid token is
		// still not entitled.
		resp, b := n.kd(http.MethodPost, n.msid, "PlayReady/", soap, append(xml, bearer(premium)...)...)
		wantError(t, resp, b, http.StatusForbidden, "Forbidden")
		resp, b = n.kd(http.MethodPost, n.msid, "PlayReady/", []byte("<soap/>"), append(xml, bearer(premium)...)...)
		wantError(t, resp, b, http.StatusBadRequest, "BadRequest")

		n.policy("playready", option("playready", playReadyConfig(), n.tokenRestriction("premium")))
		prKID, prKey := n.locator("cenc-playready", "Predefined_MultiDrmCencStreaming", "playready")
		resp, b = n.kd(http.MethodPost, n.msid, "PlayReady/", soapFor(prKID, prKey), append(xml, bearer(premium)...)...)
		wantError(t, resp, b, http.StatusNotImplemented, "LicenseServerNotConfigured")
		resp, b = n.kd(http.MethodPost, n.msid, "PlayReady/", soapFor(prKID, prKey), xml...)
		wantError(t, resp, b, http.StatusUnauthorized, "TokenRequired")
		resp, b = n.kd(http.MethodPost, n.msid, "PlayReady/?kid="+prKID.String(), nil, bearer(basic)...)
		wantError(t, resp, b, http.StatusForbidden, "Forbidden")
	})

	t.Run("FairPlay", func(t *testing.T) {
		// FairPlay decrypts cbcs only; these keys are cenc.
		resp, b := n.kd(http.MethodPost, n.msid, "FairPlay/?kid="+n.premKID.String(), []byte("spc=AAAA"),
			append(bearer(premium), "Content-Type", "application/x-www-form-urlencoded")...)
		wantError(t, resp, b, http.StatusNotFound, "KeyNotFound")
	})
}

func playReadyConfig() map[string]any {
	return map[string]any{
		"@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration",
		"licenses": []any{map[string]any{
			"allowTestDevices":   false,
			"licenseType":        "NonPersistent",
			"contentKeyLocation": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"},
			"contentType":        "Unspecified",
			"playRight": map[string]any{
				"digitalVideoOnlyContentRestriction":                 false,
				"imageConstraintForAnalogComponentVideoRestriction":  true,
				"imageConstraintForAnalogComputerMonitorRestriction": false,
				"allowPassingVideoContentToUnknownOutput":            "NotAllowed",
			},
		}},
	}
}
