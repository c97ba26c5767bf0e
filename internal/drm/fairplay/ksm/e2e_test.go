package ksm_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/drm/fairplay"
	"github.com/lockstream/lockstream/internal/drm/fairplay/ksm"
	"github.com/lockstream/lockstream/internal/drm/fairplay/ksm/ksmtest"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

const (
	e2eIssuer   = "https://sts.example.test/"
	e2eAudience = "urn:lockstream:fairplay-test"
	apiVersion  = "?api-version=2023-01-01"
)

// e2e is a whole node whose FairPlay key server runs the test binary as
// its derivation helper (stand-in derivation), reached through the real
// key-delivery endpoint with a token-restricted policy.
type e2e struct {
	t      *testing.T
	node   *nodetest.Node
	token  string
	msid   string
	hmac   []byte
	creds  *ksmtest.Credentials
	client *http.Client
}

func startE2E(t *testing.T) *e2e {
	t.Helper()
	// The node starts the helper as a child, which inherits this.
	t.Setenv(helperEnv, "1")
	n := nodetest.Start(t, slog.LevelDebug, func(c *conf.Conf) { c.KeyDelivery.FairPlayHelper = os.Args[0] })
	e := &e2e{t: t, node: n, token: n.Token(t), hmac: make([]byte, 32), client: &http.Client{Timeout: time.Minute}}
	_, _ = rand.Read(e.hmac)
	var a struct {
		Properties struct {
			MediaServiceID string `json:"mediaServiceId"`
		} `json:"properties"`
	}
	e.mgmt(http.MethodGet, n.Account, nil, &a)
	e.msid = a.Properties.MediaServiceID
	var err error
	if e.creds, err = ksmtest.NewCredentials(1024, "secret"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *e2e) mgmt(method, path string, body, out any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.node.API+path+apiVersion, rd)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *e2e) fairPlayConfig(typ string, rental int64) map[string]any {
	return map[string]any{
		"@odata.type":           "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration",
		"ask":                   base64.StdEncoding.EncodeToString(e.creds.ASk[:]),
		"fairPlayPfx":           e.creds.PFXBase64(),
		"fairPlayPfxPassword":   e.creds.Password,
		"rentalAndLeaseKeyType": typ,
		"rentalDuration":        rental,
	}
}

func (e *e2e) restriction(group string) map[string]any {
	return map[string]any{
		"@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
		"issuer":      e2eIssuer, "audience": e2eAudience,
		"primaryVerificationKey": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey",
			"keyValue": base64.StdEncoding.EncodeToString(e.hmac)},
		"alternateVerificationKeys": []any{},
		"requiredClaims":            []any{map[string]any{"claimType": "groups", "claimValue": group}},
		"restrictionTokenType":      "Jwt",
	}
}

func (e *e2e) jwt(groups ...string) string {
	e.t.Helper()
	now := time.Now()
	c, _ := json.Marshal(map[string]any{"iss": e2eIssuer, "aud": e2eAudience, "nbf": now.Add(-time.Minute).Unix(),
		"exp": now.Add(time.Hour).Unix(), "groups": groups})
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: e.hmac}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		e.t.Fatal(err)
	}
	jws, err := sig.Sign(c)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, _ := jws.CompactSerialize()
	return tok
}

// locator publishes an asset under a cbcs streaming policy and returns
// its cbcs key.
func (e *e2e) locator(name, streamingPolicy, ckp string) (keys.KID, keys.Key) {
	e.t.Helper()
	acct := e.node.Account
	e.mgmt(http.MethodPut, acct+"/assets/"+name, map[string]any{"properties": map[string]any{}}, nil)
	e.mgmt(http.MethodPut, acct+"/streamingLocators/"+name, map[string]any{"properties": map[string]any{
		"assetName": name, "streamingPolicyName": streamingPolicy, "defaultContentKeyPolicyName": ckp}}, nil)
	var out struct {
		ContentKeys []struct{ ID, Value, Type string } `json:"contentKeys"`
	}
	e.mgmt(http.MethodPost, acct+"/streamingLocators/"+name+"/listContentKeys", nil, &out)
	for _, k := range out.ContentKeys {
		if k.Type == "CommonEncryptionCbcs" {
			kid, err := keys.ParseKID(k.ID)
			if err != nil {
				e.t.Fatal(err)
			}
			key, err := keys.ParseKeyBase64(k.Value)
			if err != nil {
				e.t.Fatal(err)
			}
			return kid, key
		}
	}
	e.t.Fatalf("locator %s has no cbcs key: %+v", name, out.ContentKeys)
	return keys.KID{}, keys.Key{}
}

func (e *e2e) post(path string, body []byte, hdr ...string) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.node.API+"/keydelivery/"+e.msid+"/"+path, bytes.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func ckcFromBody(t *testing.T, b []byte) []byte {
	t.Helper()
	s, ok := strings.CutPrefix(string(b), "<ckc>")
	if !ok || !strings.HasSuffix(s, "</ckc>") {
		t.Fatalf("answer %.80q is not <ckc>…</ckc>", b)
	}
	out, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(s, "</ckc>"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestKeyDeliveryFairPlay(t *testing.T) {
	e := startE2E(t)
	// One content key, two options chosen by the token's groups: offline
	// viewers get a persistable key limited to a day, streaming viewers a
	// key for the session only.
	e.mgmt(http.MethodPut, e.node.Account+"/contentKeyPolicies/fairplay", map[string]any{"properties": map[string]any{"options": []any{
		map[string]any{"name": "offline", "configuration": e.fairPlayConfig("PersistentLimited", 86400), "restriction": e.restriction("offline")},
		map[string]any{"name": "stream", "configuration": e.fairPlayConfig("Undefined", 0), "restriction": e.restriction("stream")},
	}}}, nil)
	for name, allow := range map[string]bool{"cbcs-offline": true, "cbcs-online": false} {
		e.mgmt(http.MethodPut, e.node.Account+"/streamingPolicies/"+name, map[string]any{"properties": map[string]any{
			"commonEncryptionCbcs": map[string]any{
				"enabledProtocols": map[string]any{"download": false, "dash": false, "hls": true, "smoothStreaming": false},
				"clearTracks":      []any{}, "contentKeys": map[string]any{"defaultKey": map[string]any{}, "keyToTrackMappings": []any{}},
				"drm": map[string]any{"fairPlay": map[string]any{"allowPersistentLicense": allow}},
			}}}, nil)
	}
	kid, key := e.locator("fp-offline", "cbcs-offline", "fairplay")
	nokid, nokey := e.locator("fp-online", "cbcs-online", "fairplay")
	path := "FairPlay/?kid=" + kid.String()
	form := []string{"Content-Type", "application/x-www-form-urlencoded"}
	bearer := func(tok string) []string { return append([]string{"Authorization", "Bearer " + tok}, form...) }
	spc := func(kid keys.KID) ([]byte, *ksmtest.Session) {
		b, s, err := e.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(fairplay.SKDURI("kd.example.com", kid)), PlaybackState: true})
		if err != nil {
			t.Fatal(err)
		}
		return []byte("spc=" + base64.StdEncoding.EncodeToString(b)), s
	}
	open := func(b []byte, s *ksmtest.Session) *ksmtest.CKC {
		t.Helper()
		c, err := s.OpenCKC(ckcFromBody(t, b))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("offline option", func(t *testing.T) {
		body, s := spc(kid)
		st, b := e.post(path, body, bearer(e.jwt("offline"))...)
		if st != http.StatusOK {
			t.Fatalf("%d %s", st, b)
		}
		c := open(b, s)
		if c.ContentKey != key {
			t.Fatal("the CKC does not hold the locator's content key")
		}
		if c.KeyDuration == nil || *c.KeyDuration != [3]uint32{ksm.NoLease, 86400, ksm.KeyTypePersistenceAndDuration} {
			t.Fatalf("key duration %v", c.KeyDuration)
		}
	})
	t.Run("streaming option", func(t *testing.T) {
		body, s := spc(kid)
		st, b := e.post(path, body, bearer(e.jwt("stream"))...)
		if st != http.StatusOK {
			t.Fatalf("%d %s", st, b)
		}
		if c := open(b, s); c.ContentKey != key || c.KeyDuration != nil || c.Offline != nil {
			t.Fatalf("streaming CKC: duration %v offline %v", c.KeyDuration, c.Offline)
		}
	})
	t.Run("streaming policy forbids persistence", func(t *testing.T) {
		body, s := spc(nokid)
		st, b := e.post("FairPlay/?kid="+nokid.String(), body, bearer(e.jwt("offline"))...)
		if st != http.StatusOK {
			t.Fatalf("%d %s", st, b)
		}
		c := open(b, s)
		if c.ContentKey != nokey || c.KeyDuration == nil || *c.KeyDuration != [3]uint32{ksm.NoLease, 86400, ksm.KeyTypeRental} {
			t.Fatalf("allowPersistentLicense false gave key duration %v", c.KeyDuration)
		}
	})
	t.Run("json and raw forms", func(t *testing.T) {
		raw, s, _ := e.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(kid.String())})
		st, b := e.post(path, raw, "Authorization", "Bearer "+e.jwt("stream"), "Content-Type", "application/octet-stream")
		if st != http.StatusOK || open(b, s).ContentKey != key {
			t.Fatalf("raw: %d %s", st, b)
		}
		raw, s, _ = e.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(kid.String())})
		j, _ := json.Marshal(map[string]string{"spc": base64.StdEncoding.EncodeToString(raw)})
		st, b = e.post(path, j, "Authorization", "Bearer "+e.jwt("stream"), "Content-Type", "application/json")
		var v struct{ CKC string }
		_ = json.Unmarshal(b, &v)
		ckc, _ := base64.StdEncoding.DecodeString(v.CKC)
		if c, err := s.OpenCKC(ckc); st != http.StatusOK || err != nil || c.ContentKey != key {
			t.Fatalf("json: %d %s %v", st, b, err)
		}
	})
	t.Run("certificate", func(t *testing.T) {
		resp, err := e.client.Get(e.node.API + "/keydelivery/" + e.msid + "/FairPlay/certificate?kid=" + kid.String())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(b, e.creds.Cert.Raw) {
			t.Fatalf("certificate: %d, %d bytes", resp.StatusCode, len(b))
		}
	})

	replayBody, _ := spc(kid)
	if st, b := e.post(path, replayBody, bearer(e.jwt("stream"))...); st != 200 {
		t.Fatalf("%d %s", st, b)
	}
	tampered, _ := spc(kid)
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(string(tampered), "spc="))
	raw[290] ^= 1 // last block of [SK..R1]: fails the integrity check
	otherKID, _ := keys.ParseKID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
	wrongHash, _, _ := e.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(kid.String()), CertHash: make([]byte, 20)})
	otherAsset, _ := spc(nokid)
	for _, tc := range []struct {
		name   string
		body   []byte
		hdr    []string
		status int
		code   string
	}{
		{"no token", replayBody, form, 401, "TokenRequired"},
		{"unentitled token", replayBody, bearer(e.jwt("nobody")), 403, "Forbidden"},
		{"replayed SPC", replayBody, bearer(e.jwt("stream")), 409, ksm.CodeReplay},
		{"tampered SPC", []byte("spc=" + base64.StdEncoding.EncodeToString(raw)), bearer(e.jwt("stream")), 400, ksm.CodeInvalidSPC},
		{"wrong certificate hash", []byte("spc=" + base64.StdEncoding.EncodeToString(wrongHash)), bearer(e.jwt("stream")), 400, ksm.CodeInvalidSPC},
		{"asset id of another key", otherAsset, bearer(e.jwt("stream")), 403, "Forbidden"},
		{"garbage", []byte("spc=AAAA"), bearer(e.jwt("stream")), 400, ksm.CodeInvalidSPC},
		{"oversized", append([]byte("spc="), bytes.Repeat([]byte("A"), 128<<10)...), bearer(e.jwt("stream")), 413, "RequestTooLarge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := e.post(path, tc.body, tc.hdr...)
			var v struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(b, &v); err != nil || st != tc.status || v.Error.Code != tc.code || v.Error.Message == "" {
				t.Fatalf("got %d %s, want %d %s", st, b, tc.status, tc.code)
			}
		})
	}
	t.Run("unknown kid", func(t *testing.T) {
		body, _ := spc(otherKID)
		st, b := e.post("FairPlay/?kid="+otherKID.String(), body, bearer(e.jwt("stream"))...)
		if st != http.StatusNotFound {
			t.Fatalf("%d %s", st, b)
		}
	})
	if logs := e.node.Logs.String(); strings.Contains(logs, base64.StdEncoding.EncodeToString(key[:])) {
		t.Error("the node log holds the content key")
	}
}
