package vendor_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/license/licensetest"
)

// receiver is a vendor's license endpoint written in the test from the
// vendor's public description: check decides whether the authorization
// Lockstream built is valid and answers the license bytes.
type receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hits  int
	check func(r *http.Request, body []byte) (int, []byte)
}

func newReceiver(t *testing.T, check func(r *http.Request, body []byte) (int, []byte)) *receiver {
	rc := &receiver{check: check}
	rc.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.hits++
		rc.mu.Unlock()
		st, out := rc.check(r, b)
		w.WriteHeader(st)
		_, _ = w.Write(out)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.hits
}

func waitFor(t *testing.T, n *licensetest.Node, path string, body []byte, hdr []string, want int) []byte {
	t.Helper()
	var (
		resp *http.Response
		b    []byte
	)
	for range 200 {
		resp, b = n.Post(path, body, hdr...)
		if resp.StatusCode == want {
			return b
		}
		time.Sleep(50 * time.Millisecond) // settings are cached for a few seconds
	}
	t.Fatalf("answer never became %d: last %d %s", want, resp.StatusCode, b)
	return nil
}

const wvTemplate = `{"content_key_specs":[{"track_type":"SD","security_level":3,"required_output_protection":{"hdcp":"HDCP_V2"}}],` +
	`"policy_overrides":{"can_play":true,"can_persist":true,"license_duration_seconds":86400,"playback_duration_seconds":7200}}`

func TestAxinom(t *testing.T) {
	comKey := make([]byte, 32)
	_, _ = rand.Read(comKey)
	const comKeyID = "12196546-a312-4a4e-ab65-c19bccce1adf"
	n := licensetest.Start(t)
	n.Policy("ax", licensetest.Option("wv", map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyWidevineConfiguration", "widevineTemplate": wvTemplate},
		n.Restriction("gold")))
	kid, key := n.Locator("ax", "Predefined_MultiDrmCencStreaming", "ax", "CommonEncryptionCenc")
	challenge := []byte("\x08\x01widevine-challenge")
	var got map[string]any
	// The Axinom license service, from its public entitlement message
	// description: X-AxDRM-Message is an HS256 JWT under the
	// communication key; the key inline is AES-256-CBC-wrapped.
	rc := newReceiver(t, func(r *http.Request, body []byte) (int, []byte) {
		jws, err := jose.ParseSigned(r.Header.Get("X-AxDRM-Message"), []jose.SignatureAlgorithm{jose.HS256})
		if err != nil {
			return 401, []byte("no message")
		}
		payload, err := jws.Verify(comKey)
		if err != nil {
			return 401, []byte("bad signature")
		}
		_ = json.Unmarshal(payload, &got)
		if !bytes.Equal(body, challenge) {
			return 400, []byte("challenge changed")
		}
		return 200, []byte("AXINOM-LICENSE")
	})
	hdr := []string{"Authorization", "Bearer " + n.JWT("gold")}
	before := rc.count()
	resp, _ := n.Post("Widevine/?kid="+kid.String(), challenge, "Authorization", "Bearer "+n.JWT("silver"))
	if resp.StatusCode != 403 || rc.count() != before {
		t.Fatalf("unentitled: %d, vendor hits %d", resp.StatusCode, rc.count()-before)
	}
	n.Mgmt(http.MethodPut, "/licenseServers/axinom", map[string]any{"properties": map[string]any{"drm": "Widevine", "type": "Axinom", "url": rc.srv.URL,
		"axinom": map[string]any{"communicationKeyId": comKeyID, "communicationKey": base64.StdEncoding.EncodeToString(comKey)}}}, nil, 201)
	if b := waitFor(t, n, "Widevine/?kid="+kid.String(), challenge, hdr, 200); string(b) != "AXINOM-LICENSE" {
		t.Fatalf("license %q", b)
	}
	if got["com_key_id"] != comKeyID {
		t.Fatalf("claims %v", got)
	}
	msg := got["message"].(map[string]any)
	inline := msg["content_keys_source"].(map[string]any)["inline"].([]any)[0].(map[string]any)
	enc, _ := base64.StdEncoding.DecodeString(inline["encrypted_key"].(string))
	blk, _ := aes.NewCipher(comKey)
	plain := make([]byte, 16)
	cipher.NewCBCDecrypter(blk, comKey[:16]).CryptBlocks(plain, enc)
	if inline["id"] != kid.String() || !bytes.Equal(plain, key[:]) {
		t.Fatalf("inline key %v does not unwrap to the locator's key", inline)
	}
	pol := msg["content_key_usage_policies"].([]any)[0].(map[string]any)
	wv := pol["widevine"].(map[string]any)
	lic := msg["license"].(map[string]any)
	if msg["type"] != "entitlement_message" || msg["version"] != 2.0 || pol["name"] != inline["usage_policy"] ||
		wv["device_security_level"] != "HW_SECURE_CRYPTO" || wv["hdcp"] != "2.0" ||
		lic["allow_persistence"] != true || lic["duration"] != 86400.0 || lic["widevine"].(map[string]any)["playback_duration"] != 7200.0 ||
		lic["expiration_datetime"] == nil {
		t.Fatalf("entitlement message %v", msg)
	}
	n.NoLeak(key[:], comKey)
	// Wrong communication key: the vendor refuses, the player gets 400.
	other := make([]byte, 32)
	n.Mgmt(http.MethodPut, "/licenseServers/axinom", map[string]any{"properties": map[string]any{"drm": "Widevine", "type": "Axinom", "url": rc.srv.URL,
		"axinom": map[string]any{"communicationKeyId": comKeyID, "communicationKey": base64.StdEncoding.EncodeToString(other)}}}, nil, 200)
	if b := waitFor(t, n, "Widevine/?kid="+kid.String(), challenge, hdr, 400); licensetest.ErrorCode(b) != "LicenseVendorRefused" {
		t.Fatalf("refused: %s", b)
	}
}

func TestPallyCon(t *testing.T) {
	const siteID, siteKey, accessKey = "TEST", "lU5D8s3PWoLls3PWFWkClULlFWk5D8oC", "LT2FVJDp2Xr018zf4Di6lzvNOv3DKP20"
	n := licensetest.Start(t)
	ask := make([]byte, 16)
	n.Policy("pc", licensetest.Option("fp", map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration",
		"ask": base64.StdEncoding.EncodeToString(ask), "fairPlayPfx": base64.StdEncoding.EncodeToString([]byte{0x30, 0x82, 0, 0}), "fairPlayPfxPassword": "",
		"rentalAndLeaseKeyType": "DualExpiry", "rentalDuration": 0,
		"offlineRentalConfiguration": map[string]any{"playbackDurationSeconds": 3600, "storageDurationSeconds": 86400}}, n.Restriction("gold")))
	n.Mgmt(http.MethodPut, "/streamingPolicies/cbcs", map[string]any{"properties": map[string]any{"commonEncryptionCbcs": map[string]any{
		"enabledProtocols": map[string]any{"download": false, "dash": false, "hls": true, "smoothStreaming": false},
		"clearTracks":      []any{}, "contentKeys": map[string]any{"defaultKey": map[string]any{}, "keyToTrackMappings": []any{}},
		"drm": map[string]any{"fairPlay": map[string]any{"allowPersistentLicense": true}}}}}, nil, 201)
	kid, key := n.Locator("pc", "cbcs", "pc", "CommonEncryptionCbcs")
	var token map[string]any
	var pol map[string]any
	// DoveRunner's license server, from the public token guide: base64
	// JSON token; hash = base64(SHA-256(access key ‖ drm_type ‖ site_id ‖
	// user_id ‖ cid ‖ policy ‖ timestamp)); policy AES-256-CBC under the
	// site key with the fixed IV.
	rc := newReceiver(t, func(r *http.Request, body []byte) (int, []byte) {
		raw, err := base64.StdEncoding.DecodeString(r.Header.Get("pallycon-customdata-v2"))
		if err != nil || json.Unmarshal(raw, &token) != nil {
			return 400, []byte(`{"error":"token"}`)
		}
		s := func(k string) string { v, _ := token[k].(string); return v }
		sum := sha256.Sum256([]byte(accessKey + s("drm_type") + s("site_id") + s("user_id") + s("cid") + s("policy") + s("timestamp")))
		if s("hash") != base64.StdEncoding.EncodeToString(sum[:]) || s("site_id") != siteID {
			return 403, []byte(`{"error":"hash"}`)
		}
		enc, _ := base64.StdEncoding.DecodeString(s("policy"))
		blk, _ := aes.NewCipher([]byte(siteKey))
		if len(enc)%16 != 0 || len(enc) == 0 {
			return 400, nil
		}
		cipher.NewCBCDecrypter(blk, []byte("0123456789abcdef")).CryptBlocks(enc, enc)
		enc = enc[:len(enc)-int(enc[len(enc)-1])]
		if err := json.Unmarshal(enc, &pol); err != nil {
			return 400, nil
		}
		if !strings.HasPrefix(string(body), "spc=") {
			return 400, nil
		}
		return 200, []byte("CKC-BASE64")
	})
	hdr := []string{"Authorization", "Bearer " + n.JWT("gold"), "Content-Type", "application/x-www-form-urlencoded"}
	resp, _ := n.Post("FairPlay/?kid="+kid.String(), []byte("spc=AAAA"), "Authorization", "Bearer "+n.JWT("bronze"))
	if resp.StatusCode != 403 || rc.count() != 0 {
		t.Fatalf("unentitled: %d, vendor hits %d", resp.StatusCode, rc.count())
	}
	n.Mgmt(http.MethodPut, "/licenseServers/pallycon", map[string]any{"properties": map[string]any{"drm": "FairPlay", "type": "PallyCon", "url": rc.srv.URL,
		"pallyCon": map[string]any{"siteId": siteID, "siteKey": siteKey, "accessKey": accessKey}}}, nil, 201)
	if b := waitFor(t, n, "FairPlay/?kid="+kid.String(), []byte("spc=AAAA"), hdr, 200); string(b) != "CKC-BASE64" {
		t.Fatalf("license %q", b)
	}
	pb := pol["playback_policy"].(map[string]any)
	hls := pol["external_key"].(map[string]any)["hls_aes"].([]any)[0].(map[string]any)
	if token["drm_type"] != "FairPlay" || token["cid"] != hex.EncodeToString(kid[:]) || pol["policy_version"] != 2.0 ||
		pb["persistent"] != true || pb["rental_duration"] != 86400.0 || pb["playback_duration"] != 3600.0 || hls["key"] != hex.EncodeToString(key[:]) {
		t.Fatalf("token %v policy %v", token, pol)
	}
	n.NoLeak(key[:], []byte(siteKey), []byte(accessKey))
	// A GET of the setting shows neither key.
	_, b := n.Mgmt(http.MethodGet, "/licenseServers/pallycon", nil, nil, 200)
	if strings.Contains(string(b), siteKey) || strings.Contains(string(b), accessKey) {
		t.Fatalf("secrets in GET: %s", b)
	}
}

// TestGenericPlayReady: an operator-run PlayReady server behind a generic
// template, the token carried in the SOAP challenge's CustomData.
func TestGenericPlayReady(t *testing.T) {
	n := licensetest.Start(t)
	n.Policy("pr", licensetest.Option("pr", map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration",
		"licenses": []any{map[string]any{"allowTestDevices": false, "licenseType": "Persistent", "securityLevel": "SL2000",
			"contentKeyLocation": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"},
			"contentType":        "Unspecified", "playRight": map[string]any{"allowPassingVideoContentToUnknownOutput": "NotAllowed",
				"digitalVideoOnlyContentRestriction": false, "imageConstraintForAnalogComponentVideoRestriction": false, "imageConstraintForAnalogComputerMonitorRestriction": false}}}},
		n.Restriction("gold")))
	kid, key := n.Locator("pr", "Predefined_MultiDrmCencStreaming", "pr", "CommonEncryptionCenc")
	// PlayReady is signalled but no server issues its licenses: creation
	// and listPaths say so.
	_, _, hdr := n.MgmtHeader(http.MethodPost, "/streamingLocators/pr/listPaths", nil, nil, 200)
	if !strings.Contains(hdr.Get("x-lockstream-warning"), "PlayReady licenses have no server") {
		t.Fatalf("listPaths without a PlayReady server: no warning (%v)", hdr)
	}
	n.Mgmt(http.MethodPut, "/assets/pr2", map[string]any{"properties": map[string]any{}}, nil, 0)
	_, _, hdr = n.MgmtHeader(http.MethodPut, "/streamingLocators/pr2", map[string]any{"properties": map[string]any{
		"assetName": "pr2", "streamingPolicyName": "Predefined_MultiDrmCencStreaming", "defaultContentKeyPolicyName": "pr"}}, nil, 201)
	if hdr.Get("x-lockstream-warning") == "" {
		t.Fatal("locator creation without a PlayReady server: no warning")
	}
	h, err := playready.NewHeader("cenc", []playready.HeaderKey{{KID: kid, Key: &key}})
	if err != nil {
		t.Fatal(err)
	}
	wrm, _ := h.Marshal()
	soap := func(tok string) []byte {
		return []byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><AcquireLicense><challenge><Challenge><LA><ContentHeader>` +
			wrm + `</ContentHeader><CustomData>` + tok + `</CustomData></LA></Challenge></challenge></AcquireLicense></soap:Body></soap:Envelope>`)
	}
	rc := newReceiver(t, func(r *http.Request, body []byte) (int, []byte) {
		if r.Header.Get("X-Api-Key") != "operator-secret" || r.URL.Query().Get("kid") != kid.String() ||
			r.Header.Get("SOAPAction") == "" || !bytes.Contains(body, []byte("<WRMHEADER")) {
			return 401, nil
		}
		return 200, []byte("<soap:Envelope>LICENSE</soap:Envelope>")
	})
	bad := soap("Bearer=" + n.JWT("silver"))
	xml := []string{"Content-Type", "text/xml; charset=utf-8", "SOAPAction", `"http://schemas.microsoft.com/DRM/2007/03/protocols/AcquireLicense"`}
	if resp, _ := n.Post("PlayReady/", bad, xml...); resp.StatusCode != 403 || rc.count() != 0 {
		t.Fatalf("unentitled CustomData token: %d, hits %d", resp.StatusCode, rc.count())
	}
	if resp, b := n.Post("PlayReady/", soap(""), xml...); resp.StatusCode != 401 {
		t.Fatalf("no token: %d %s", resp.StatusCode, b)
	}
	n.Mgmt(http.MethodPut, "/licenseServers/playready", map[string]any{"properties": map[string]any{"drm": "PlayReady", "type": "Generic", "url": rc.srv.URL,
		"generic": map[string]any{"headers": map[string]string{"X-Api-Key": "operator-secret"}, "query": map[string]string{"kid": "{kidUuid}"}}}}, nil, 201)
	if b := waitFor(t, n, "PlayReady/", soap("Bearer="+n.JWT("gold")), xml, 200); !bytes.Contains(b, []byte("LICENSE")) {
		t.Fatalf("license %q", b)
	}
	_, _, hdr = n.MgmtHeader(http.MethodPost, "/streamingLocators/pr/listPaths", nil, nil, 200)
	if w := hdr.Get("x-lockstream-warning"); w != "" {
		t.Fatalf("listPaths with a PlayReady server still warns: %s", w)
	}
	_, b := n.Mgmt(http.MethodGet, "/licenseServers/playready", nil, nil, 200)
	if strings.Contains(string(b), "operator-secret") {
		t.Fatalf("header secret in GET: %s", b)
	}
}
