package widevine_test

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lockstream/lockstream/internal/license/licensetest"
)

// The public Widevine UAT test signer, published in Google's and
// shaka-packager's (BSD) samples for the UAT environment only.
const (
	uatProvider = "widevine_test"
	uatKeyHex   = "1ae8ccd0e7985cc0b6203a55855a1034afc252980e970ca90e5202689f947ab9"
	uatIVHex    = "d58ce954203b7c9a9a9d467f59839249"
)

// contract is a Widevine license service written in the test from the
// public proxy description (reference §4.4): it checks the envelope, the
// signer, the AES (or RSA-PSS) signature over the message, and answers
// {"status","license"}. It records the messages it accepted.
type contract struct {
	t      *testing.T
	srv    *httptest.Server
	rsaPub *rsa.PublicKey
	mu     sync.Mutex
	hits   int
	msgs   []map[string]any
	// status overrides the answer's status.
	status string
	// paths are the request paths of accepted messages.
	paths []string
}

func newContract(t *testing.T) *contract {
	c := &contract{t: t}
	c.srv = httptest.NewTLSServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *contract) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits++
	var env struct{ Request, Signature, Signer string }
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &env) != nil {
		http.Error(w, "bad envelope", http.StatusBadRequest)
		return
	}
	msg, err1 := base64.StdEncoding.DecodeString(env.Request)
	sig, err2 := base64.StdEncoding.DecodeString(env.Signature)
	if err1 != nil || err2 != nil || env.Signer != uatProvider {
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "SIGNATURE_FAILED"})
		return
	}
	d := sha1.Sum(msg)
	ok := false
	if c.rsaPub != nil {
		ok = rsa.VerifyPSS(c.rsaPub, crypto.SHA1, d[:], sig, nil) == nil
	} else {
		key, _ := hex.DecodeString(uatKeyHex)
		iv, _ := hex.DecodeString(uatIVHex)
		want := make([]byte, 32)
		copy(want, d[:])
		for i := 20; i < 32; i++ {
			want[i] = 12 // PKCS#7 padding of the 20-byte digest
		}
		blk, _ := aes.NewCipher(key)
		cipher.NewCBCEncrypter(blk, iv).CryptBlocks(want, want)
		ok = bytes.Equal(want, sig)
	}
	if !ok {
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "SIGNATURE_FAILED"})
		return
	}
	var m map[string]any
	if err := json.Unmarshal(msg, &m); err != nil {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	c.msgs = append(c.msgs, m)
	c.paths = append(c.paths, r.URL.Path)
	if c.status != "" {
		_ = json.NewEncoder(w).Encode(map[string]string{"status": c.status})
		return
	}
	payload, _ := m["payload"].(string)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "OK",
		"license": base64.StdEncoding.EncodeToString([]byte("LICENSE-FOR:" + payload))})
}

func (c *contract) last() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msgs) == 0 {
		c.t.Fatal("the service got no accepted message")
	}
	return c.msgs[len(c.msgs)-1]
}

func (c *contract) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}

func widevineConfig(template string) map[string]any {
	return map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyWidevineConfiguration", "widevineTemplate": template}
}

func licenseServer(url string) map[string]any {
	return map[string]any{"properties": map[string]any{"drm": "Widevine", "type": "WidevineLicenseService", "url": url,
		"widevine": map[string]any{"provider": uatProvider, "signingKey": uatKeyHex, "signingIv": uatIVHex}}}
}

const amsSample = `{"allowed_track_types":"SD_HD","content_key_specs":[{"track_type":"SD","security_level":1,"required_output_protection":{"hdcp":"HDCP_NONE"}}],` +
	`"policy_overrides":{"can_play":true,"can_persist":true,"can_renew":false,"rental_duration_seconds":2592000,"playback_duration_seconds":10800,"license_duration_seconds":604800}}`

const hdTemplate = `{"content_key_specs":[{"track_type":"SD","security_level":1},{"track_type":"HD","security_level":3,"required_output_protection":{"hdcp":"HDCP_V2"}},` +
	`{"track_type":"AUDIO","security_level":1}],"policy_overrides":{"can_play":true,"can_persist":false,"can_renew":true,"renewal_delay_seconds":300,"license_duration_seconds":3600}}`

func TestWidevineProxy(t *testing.T) {
	svc := newContract(t)
	n := licensetest.Start(t)
	n.Policy("wv",
		licensetest.Option("default", widevineConfig("{}"), n.Restriction("default")),
		licensetest.Option("offline", widevineConfig(amsSample), n.Restriction("offline")),
		licensetest.Option("hd", widevineConfig(hdTemplate), n.Restriction("hd")))
	kid, key := n.Locator("wv", "Predefined_MultiDrmCencStreaming", "wv", "CommonEncryptionCenc")
	path := "Widevine/?kid=" + kid.String()
	challenge := []byte("\x08\x01\x12\x10opaque-cdm-challenge")
	bearer := func(g string) []string { return []string{"Authorization", "Bearer " + n.JWT(g)} }

	// Without a license server: 501, and the service is never asked.
	resp, b := n.Post(path, challenge, bearer("default")...)
	if resp.StatusCode != http.StatusNotImplemented || licensetest.ErrorCode(b) != "LicenseServerNotConfigured" {
		t.Fatalf("no license server: %d %s", resp.StatusCode, b)
	}

	n.Mgmt(http.MethodPut, "/licenseServers/widevine", licenseServer(svc.srv.URL+"/cenc/getlicense/"+uatProvider), nil, 201)
	// The account's settings are cached like policies: wait for the new
	// server to be seen.
	waitSettings(t, n, path, challenge, bearer("default"), 200)
	t.Run("secrets are write-only", func(t *testing.T) {
		_, b := n.Mgmt(http.MethodGet, "/licenseServers/widevine", nil, nil, 200)
		if bytes.Contains(b, []byte(uatKeyHex)) || bytes.Contains(b, []byte(uatIVHex)) || !bytes.Contains(b, []byte(uatProvider)) {
			t.Fatalf("GET license server: %s", b)
		}
		// A PATCH without the secrets keeps them: once the new URL is in
		// use, requests to it are still signed with the UAT key.
		n.Mgmt(http.MethodPatch, "/licenseServers/widevine", map[string]any{"properties": map[string]any{"description": "UAT",
			"url": svc.srv.URL + "/patched"}}, nil, 0)
		patched := false
		for range 200 {
			resp, b := n.Post(path, challenge, bearer("default")...)
			svc.mu.Lock()
			last := svc.paths[len(svc.paths)-1]
			svc.mu.Unlock()
			if resp.StatusCode == 200 && last == "/patched" {
				patched = true
				break
			}
			if resp.StatusCode != 200 {
				t.Fatalf("after PATCH: %d %s", resp.StatusCode, b)
			}
			sleepBriefly()
		}
		if !patched {
			t.Fatal("the patched URL was never used")
		}
		st, b := n.Mgmt(http.MethodPut, "/licenseServers/bad", map[string]any{"properties": map[string]any{"drm": "Widevine", "type": "WidevineLicenseService",
			"url": "https://x.example", "widevine": map[string]any{"provider": "p", "signingKey": "00"}}}, nil, 400)
		if st != 400 || !strings.Contains(string(b), "signingKey") {
			t.Fatalf("bad signing key: %d %s", st, b)
		}
	})

	keyB64 := base64.StdEncoding.EncodeToString(key[:])
	kidB64 := base64.StdEncoding.EncodeToString(kid[:])
	for _, tc := range []struct {
		group string
		check func(t *testing.T, m map[string]any)
	}{
		{"default", func(t *testing.T, m map[string]any) {
			specs := m["content_key_specs"].([]any)
			s := specs[0].(map[string]any)
			if len(specs) != 1 || s["key_id"] != kidB64 || s["key"] != keyB64 || s["track_type"] != nil || m["policy_overrides"] != nil {
				t.Fatalf("{} template: %v", m)
			}
		}},
		{"offline", func(t *testing.T, m map[string]any) {
			specs := m["content_key_specs"].([]any)
			s := specs[0].(map[string]any)
			po := m["policy_overrides"].(map[string]any)
			if m["allowed_track_types"] != "SD_HD" || len(specs) != 1 || s["track_type"] != "SD" || s["security_level"] != 1.0 ||
				s["key"] != keyB64 || s["required_output_protection"].(map[string]any)["hdcp"] != "HDCP_NONE" ||
				po["can_persist"] != true || po["rental_duration_seconds"] != 2592000.0 || po["playback_duration_seconds"] != 10800.0 {
				t.Fatalf("AMS sample template: %v", m)
			}
		}},
		{"hd", func(t *testing.T, m map[string]any) {
			specs := m["content_key_specs"].([]any)
			po := m["policy_overrides"].(map[string]any)
			hd := specs[1].(map[string]any)
			if len(specs) != 3 || hd["track_type"] != "HD" || hd["security_level"] != 3.0 || hd["key_id"] != kidB64 ||
				hd["required_output_protection"].(map[string]any)["hdcp"] != "HDCP_V2" || specs[2].(map[string]any)["track_type"] != "AUDIO" ||
				po["can_renew"] != true || po["renewal_delay_seconds"] != 300.0 || po["can_persist"] != false {
				t.Fatalf("HD template: %v", m)
			}
		}},
	} {
		t.Run("template "+tc.group, func(t *testing.T) {
			resp, b := n.Post(path, challenge, bearer(tc.group)...)
			if resp.StatusCode != 200 || string(b) != "LICENSE-FOR:"+base64.StdEncoding.EncodeToString(challenge) {
				t.Fatalf("%d %q", resp.StatusCode, b)
			}
			m := svc.last()
			if m["provider"] != uatProvider || m["payload"] != base64.StdEncoding.EncodeToString(challenge) {
				t.Fatalf("message %v", m)
			}
			tc.check(t, m)
		})
	}
	t.Run("service certificate request passes through", func(t *testing.T) {
		resp, b := n.Post(path, []byte{0x08, 0x04}, bearer("default")...)
		if resp.StatusCode != 200 || string(b) != "LICENSE-FOR:CAQ=" {
			t.Fatalf("%d %q", resp.StatusCode, b)
		}
		if m := svc.last(); m["content_key_specs"] != nil {
			t.Fatalf("service certificate request carried keys: %v", m)
		}
	})
	t.Run("unentitled token never reaches the service", func(t *testing.T) {
		before := svc.count()
		resp, b := n.Post(path, challenge, bearer("nobody")...)
		if resp.StatusCode != 403 || svc.count() != before {
			t.Fatalf("%d %s; service hits %d → %d", resp.StatusCode, b, before, svc.count())
		}
		resp, _ = n.Post(path, challenge)
		if resp.StatusCode != 401 || svc.count() != before {
			t.Fatalf("no token: %d, service hits %d → %d", resp.StatusCode, before, svc.count())
		}
	})
	for _, tc := range []struct {
		name, status string
		want         int
		code         string
	}{
		{"status SIGNATURE_FAILED", "SIGNATURE_FAILED", 502, "WidevineServiceRefused"},
		{"status INVALID_WIDEVINE_CHALLENGE", "INVALID_WIDEVINE_CHALLENGE", 400, "WidevineServiceRefused"},
		{"status INTERNAL_ERROR", "INTERNAL_ERROR", 502, "WidevineServiceRefused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc.mu.Lock()
			svc.status = tc.status
			svc.mu.Unlock()
			defer func() { svc.mu.Lock(); svc.status = ""; svc.mu.Unlock() }()
			resp, b := n.Post(path, challenge, bearer("default")...)
			if resp.StatusCode != tc.want || licensetest.ErrorCode(b) != tc.code || !strings.Contains(string(b), tc.status) {
				t.Fatalf("%d %s", resp.StatusCode, b)
			}
		})
	}
	t.Run("invalid signature", func(t *testing.T) {
		bad := licenseServer(svc.srv.URL)
		bad["properties"].(map[string]any)["widevine"].(map[string]any)["signingKey"] = strings.Repeat("00", 32)
		n.Mgmt(http.MethodPut, "/licenseServers/widevine", bad, nil, 200)
		defer n.Mgmt(http.MethodPut, "/licenseServers/widevine", licenseServer(svc.srv.URL), nil, 200)
		waitSettings(t, n, path, challenge, bearer("default"), 502)
	})
	t.Run("RSA signer", func(t *testing.T) {
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		svc.mu.Lock()
		svc.rsaPub = &k.PublicKey
		svc.mu.Unlock()
		defer func() { svc.mu.Lock(); svc.rsaPub = nil; svc.mu.Unlock() }()
		rs := licenseServer(svc.srv.URL)
		w := rs["properties"].(map[string]any)["widevine"].(map[string]any)
		delete(w, "signingKey")
		delete(w, "signingIv")
		w["rsaSigningKey"] = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		n.Mgmt(http.MethodPut, "/licenseServers/widevine", rs, nil, 200)
		waitSettings(t, n, path, challenge, bearer("default"), 200)
	})
	uatKey, _ := hex.DecodeString(uatKeyHex)
	n.NoLeak(key[:], uatKey)
	t.Run("service down", func(t *testing.T) {
		down := httptest.NewTLSServer(http.NotFoundHandler())
		url := down.URL
		down.Close()
		n.Mgmt(http.MethodPut, "/licenseServers/widevine", licenseServer(url), nil, 200)
		resp := waitSettings(t, n, path, challenge, bearer("default"), 503)
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After")
		}
	})
}

// waitSettings repeats the request until the node answers want: settings
// are cached for a few seconds, as content key policies are. It fails
// after a bounded number of tries, never on time.
func waitSettings(t *testing.T, n *licensetest.Node, path string, body []byte, hdr []string, want int) *http.Response {
	t.Helper()
	var resp *http.Response
	var b []byte
	for range 200 {
		resp, b = n.Post(path, body, hdr...)
		if resp.StatusCode == want {
			return resp
		}
		sleepBriefly()
	}
	t.Fatalf("answer never became %d: last %d %s", want, resp.StatusCode, b)
	return nil
}
