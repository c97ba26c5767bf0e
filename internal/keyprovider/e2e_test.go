package keyprovider_test

import (
	"bytes"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keyprovider"
	"github.com/lockstream/lockstream/internal/keys"
)

// TestVendorKeysStreamDASH: a locator on A under a policy its key
// provider names gets its key from B; A's DASH manifest and init segment
// carry B's PSSH boxes and ContentProtection data (not A's own), and the
// segments decrypt with the key B holds for (contentId, kid), fetched
// from B independently of A.
func TestVendorKeysStreamDASH(t *testing.T) {
	p := startPair(t)
	p.policy("vendor-cenc")
	p.provider("vendor-b", "vendor-cenc", p.V.URL("ok"), nil)
	// Secrets are write-only.
	_, body := p.A.Mgmt(http.MethodGet, "/keyProviders/vendor-b", nil, nil, 200)
	if bytes.Contains(body, []byte(p.V.APIKey)) || !bytes.Contains(body, []byte(`"headerName":"X-Api-Key"`)) {
		t.Fatalf("key provider answer: %s", body)
	}
	// One provider per streaming policy.
	_, b409 := p.A.Mgmt(http.MethodPut, "/keyProviders/dup", map[string]any{"properties": map[string]any{
		"url": p.V.URL("ok"), "streamingPolicyNames": []string{"VENDOR-CENC"}}}, nil, http.StatusConflict)
	if code, msg := armError(t, b409); code != "Conflict" || !strings.Contains(msg, "vendor-b") {
		t.Errorf("second provider for a policy: %s %s", code, msg)
	}
	// A PATCH that omits the secrets keeps them.
	p.A.Mgmt(http.MethodPatch, "/keyProviders/vendor-b", map[string]any{"properties": map[string]any{"description": "node B"}}, nil, 200)
	// The vendor chooses the keys: a caller's are refused.
	_, b := p.A.Mgmt(http.MethodPut, "/streamingLocators/own", map[string]any{"properties": map[string]any{
		"assetName": "ladder", "streamingPolicyName": "vendor-cenc", "contentKeys": []any{map[string]any{"id": "9d1c3f5e-1b2a-4c3d-8e9f-0a1b2c3d4e5f"}}}}, nil, 400)
	if code, msg := armError(t, b); code != "InvalidParameter" || !strings.Contains(msg, "vendor-b") {
		t.Errorf("caller keys: %s %s", code, msg)
	}
	// A locator refused for its own input costs the vendor nothing.
	p.V.mu.Lock()
	seen := len(p.V.requests)
	p.V.mu.Unlock()
	_, b = p.A.Mgmt(http.MethodPut, "/streamingLocators/nockp", map[string]any{"properties": map[string]any{
		"assetName": "ladder", "streamingPolicyName": "vendor-cenc", "defaultContentKeyPolicyName": "missing"}}, nil, 400)
	if code, msg := armError(t, b); code != "InvalidParameter" || !strings.Contains(msg, "'missing' does not exist") {
		t.Errorf("missing content key policy: %s %s", code, msg)
	}
	p.V.mu.Lock()
	if len(p.V.requests) != seen {
		t.Error("the vendor was asked for keys of a locator refused for its input")
	}
	p.V.mu.Unlock()
	p.A.Mgmt(http.MethodPut, "/streamingLocators/vl", map[string]any{"properties": map[string]any{
		"assetName": "ladder", "streamingPolicyName": "vendor-cenc"}}, nil, 201)
	p.A.Mgmt(http.MethodPut, "/streamingLocators/clear", map[string]any{"properties": map[string]any{
		"assetName": "ladder", "streamingPolicyName": "Predefined_ClearStreamingOnly"}}, nil, 201)
	// The locator's GET is AMS's shape: nothing of the provider leaks.
	_, lb := p.A.Mgmt(http.MethodGet, "/streamingLocators/vl", nil, nil, 200)
	if bytes.Contains(lb, []byte("vendor-b")) || bytes.Contains(lb, []byte("pssh")) {
		t.Errorf("locator answer carries provider data: %s", lb)
	}

	id := p.locatorID(t, "vl")
	aKeys := p.locatorKeys(t, "vl")
	if len(aKeys) != 1 {
		t.Fatalf("A holds %d keys for the locator", len(aKeys))
	}
	var kid keys.KID
	var aKey keys.Key
	for k, v := range aKeys {
		kid, aKey = k, v
	}
	// The request named the locator's id as contentId and A's kid.
	req, _ := p.V.lastExchange(t)
	rd, err := cpix.Parse(req)
	if err != nil || rd.ContentID != id || len(rd.ContentKeys) != 1 || rd.ContentKeys[0].KID != kid || rd.ContentKeys[0].CommonEncryptionScheme != "cenc" {
		t.Fatalf("vendor request: %v %+v", err, rd)
	}
	// What B holds for (contentId, kid), asked directly.
	bd := p.V.speke(t, id, kid, "cenc")
	bKey := *bd.ContentKeys[0].Value
	if bKey != aKey {
		t.Fatal("A's stored key is not B's key")
	}
	bSys := map[drm.SystemID]cpix.DRMSystem{}
	for _, s := range bd.DRMSystems {
		bSys[s.SystemID] = s
	}

	mp := p.dashPath(t, "vl")
	manifest := p.originGet(t, mp)
	for _, id := range []drm.SystemID{drm.Widevine, drm.PlayReady} {
		if !bytes.Contains(manifest, bSys[id].ContentProtectionData.Value) {
			t.Errorf("the MPD lacks B's %s ContentProtectionData %s", id.Name(), bSys[id].ContentProtectionData.Value)
		}
	}
	// Nothing of A's own signalling: no key-delivery URL of A's account,
	// no Clear Key entry.
	if bytes.Contains(manifest, []byte(p.A.MSID)) || bytes.Contains(manifest, []byte(drm.ClearKeyDASH.String())) {
		t.Errorf("the MPD carries A's own signalling:\n%s", manifest)
	}
	if !bytes.Contains(manifest, []byte(p.V.B.MSID)) {
		t.Errorf("the MPD does not point at B's license URLs:\n%s", manifest)
	}
	m, err := mpd.ReadFromString(string(manifest))
	if err != nil {
		t.Fatal(err)
	}
	initURL, segURL, as := firstVideo(t, mp, m)
	var defaultKID string
	for _, cp := range as.ContentProtections {
		if cp.DefaultKID != "" {
			defaultKID = string(cp.DefaultKID)
		}
	}
	if !strings.EqualFold(defaultKID, kid.String()) {
		t.Errorf("cenc:default_KID %q, want %s", defaultKID, kid)
	}

	initB := p.originGet(t, initURL)
	ini, err := mp4.DecodeFile(bytes.NewReader(initB))
	if err != nil || ini.Init == nil {
		t.Fatalf("init: %v", err)
	}
	var got [][]byte
	for _, b := range ini.Init.Moov.Psshs {
		got = append(got, psshBytes(t, b))
	}
	want := [][]byte{bSys[drm.Widevine].PSSH.Value, bSys[drm.PlayReady].PSSH.Value}
	if len(got) != len(want) {
		t.Fatalf("init has %d pssh boxes, want B's %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("pssh %d is not B's", i)
		}
	}
	di, err := mp4.DecryptInit(ini.Init)
	if err != nil {
		t.Fatalf("DecryptInit: %v", err)
	}
	seg := p.originGet(t, segURL)
	ef, err := mp4.DecodeFile(bytes.NewReader(seg))
	if err != nil || len(ef.Segments) != 1 {
		t.Fatalf("segment: %v", err)
	}
	clearSeg := p.originGet(t, strings.Replace(strings.Replace(segURL, "/"+id+"/", "/"+p.locatorID(t, "clear")+"/", 1), ",encryption=cenc", "", 1))
	cf, err := mp4.DecodeFile(bytes.NewReader(clearSeg))
	if err != nil || len(cf.Segments) != 1 {
		t.Fatalf("clear segment: %v", err)
	}
	enc := ef.Segments[0].Fragments[0].Mdat.Data
	plain := cf.Segments[0].Fragments[0].Mdat.Data
	if len(enc) != len(plain) || bytes.Equal(enc, plain) {
		t.Fatal("the segment is not encrypted")
	}
	if err := mp4.DecryptSegment(ef.Segments[0], di, bKey[:]); err != nil {
		t.Fatalf("DecryptSegment with B's key: %v", err)
	}
	if !bytes.Equal(ef.Segments[0].Fragments[0].Mdat.Data, plain) {
		t.Fatal("segment decrypted with B's key differs from the clear one")
	}
	// HLS (CMAF) carries B's key tags.
	hlsPath := strings.Replace(strings.Replace(mp, "format=mpd-time-cmaf", "format=m3u8-cmaf", 1), ".mpd", ".m3u8", 1)
	master := p.originGet(t, hlsPath)
	for _, id := range []drm.SystemID{drm.Widevine, drm.PlayReady} {
		k, err := keyprovider.ParseKeyTag(string(bSys[id].HLSMedia.Value), false)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(master, []byte(`URI="`+k.URI+`"`)) {
			t.Errorf("the HLS master lacks B's %s key URI", id.Name())
		}
	}
	if bytes.Contains(master, []byte(p.A.MSID)) {
		t.Errorf("the HLS master carries A's own signalling:\n%s", master)
	}
	p.A.NoLeak(bKey[:], []byte(p.V.APIKey))
}

// TestVendorEncryptedCPIX: with a recipient certificate, A asks for keys
// encrypted to it; B answers EncryptedValues only, and A stores the
// decrypted key (B's key for the locator's contentId, here the asset's
// alternateId).
func TestVendorEncryptedCPIX(t *testing.T) {
	p := startPair(t)
	p.A.Mgmt(http.MethodPut, "/assets/alt", map[string]any{"properties": map[string]any{"alternateId": "movie-42"}}, nil, 0)
	p.policy("vendor-enc")
	cert, key := recipient(t)
	p.provider("vendor-b-enc", "vendor-enc", p.V.URL("ok"), map[string]any{"recipientCertificate": cert, "recipientPrivateKey": key, "retries": 1, "timeout": "20s"})
	_, body := p.A.Mgmt(http.MethodGet, "/keyProviders/vendor-b-enc", nil, nil, 200)
	if bytes.Contains(body, []byte("PRIVATE KEY")) {
		t.Fatal("the recipient private key is readable")
	}
	p.A.Mgmt(http.MethodPut, "/streamingLocators/enc", map[string]any{"properties": map[string]any{
		"assetName": "alt", "streamingPolicyName": "vendor-enc"}}, nil, 201)
	req, answer := p.V.lastExchange(t)
	rd, err := cpix.Parse(req)
	if err != nil || len(rd.DeliveryData) != 1 || rd.ContentID != "movie-42" {
		t.Fatalf("request: %v %+v", err, rd)
	}
	ad, err := cpix.Parse(answer)
	if err != nil || len(ad.DeliveryData) != 1 || ad.ContentKeys[0].Encrypted == nil || ad.ContentKeys[0].Value != nil {
		t.Fatalf("B's answer is not encrypted: %v", err)
	}
	var kid keys.KID
	var aKey keys.Key
	for k, v := range p.locatorKeys(t, "enc") {
		kid, aKey = k, v
	}
	if bKey := *p.V.speke(t, "movie-42", kid, "cenc").ContentKeys[0].Value; bKey != aKey {
		t.Fatal("A's stored key is not B's key")
	}
}

// TestVendorMutualTLS: a provider reached by client certificate.
func TestVendorMutualTLS(t *testing.T) {
	p := startPair(t)
	p.policy("vendor-mtls")
	cert, key := p.V.clientCert(t)
	p.A.Mgmt(http.MethodPut, "/keyProviders/vendor-mtls", map[string]any{"properties": map[string]any{
		"url": p.V.URL("mtls"), "streamingPolicyNames": []string{"vendor-mtls"},
		"authentication": map[string]any{"type": "MutualTls", "clientCertificate": cert, "clientKey": key}}}, nil, 201)
	p.A.Mgmt(http.MethodPut, "/streamingLocators/m", map[string]any{"properties": map[string]any{
		"assetName": "ladder", "streamingPolicyName": "vendor-mtls"}}, nil, 201)
	if len(p.locatorKeys(t, "m")) != 1 {
		t.Fatal("no key")
	}
}

// TestVendorFailures: an unreachable vendor, a malformed answer, a key
// under the wrong kid, a refused API key, a front that wants a client
// certificate: each is a clean ARM error naming the provider, and
// nothing is written (no locator; the kid asked for is not a content key
// of A's account, so a Lockstream locator may take it with any value).
func TestVendorFailures(t *testing.T) {
	p := startPair(t)
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "https://" + l.Addr().String() + "/speke/v2/x"
	l.Close()
	cases := []struct {
		name, url, header string
		status            int
		code, msg         string
	}{
		{"down", dead, p.V.APIKey, http.StatusBadGateway, "KeyProviderError", "is unreachable"},
		{"malformed", p.V.URL("malformed"), p.V.APIKey, http.StatusBadGateway, "KeyProviderError", "malformed CPIX"},
		{"wrongkid", p.V.URL("wrongkid"), p.V.APIKey, http.StatusBadGateway, "KeyProviderError", "which was not asked for"},
		{"badkey", p.V.URL("ok"), "not-the-key", http.StatusBadGateway, "KeyProviderError", "answered HTTP 401"},
		{"nocert", p.V.URL("mtls"), p.V.APIKey, http.StatusBadGateway, "KeyProviderError", "answered HTTP 401"},
		{"redirect", p.V.URL("redirect"), p.V.APIKey, http.StatusBadGateway, "KeyProviderError", "answered HTTP 307"},
		{"timeout", p.V.URL("hang"), p.V.APIKey, http.StatusGatewayTimeout, "KeyProviderTimeout", "did not answer in time"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pol := "pol-" + tc.name
			p.policy(pol)
			p.A.Mgmt(http.MethodPut, "/keyProviders/prov-"+tc.name, map[string]any{"properties": map[string]any{
				"url": tc.url, "streamingPolicyNames": []string{pol}, "timeout": "1s",
				"authentication": map[string]any{"type": "ApiKey", "headerName": "X-Api-Key", "headerValue": tc.header}}}, nil, 0)
			p.V.mu.Lock()
			before := len(p.V.requests)
			p.V.mu.Unlock()
			st, b := p.A.Mgmt(http.MethodPut, "/streamingLocators/loc-"+tc.name, map[string]any{"properties": map[string]any{
				"assetName": "ladder", "streamingPolicyName": pol}}, nil, tc.status)
			code, msg := armError(t, b)
			if st != tc.status || code != tc.code || !strings.Contains(msg, "'prov-"+tc.name+"'") || !strings.Contains(msg, tc.msg) {
				t.Fatalf("%d %s %q", st, code, msg)
			}
			p.A.Mgmt(http.MethodGet, "/streamingLocators/loc-"+tc.name, nil, nil, http.StatusNotFound)
			p.V.mu.Lock()
			reqs := p.V.requests[before:]
			p.V.mu.Unlock()
			if len(reqs) == 0 {
				return // the vendor was never reached
			}
			rd, err := cpix.Parse(reqs[len(reqs)-1])
			if err != nil {
				t.Fatal(err)
			}
			probe := "probe-" + tc.name
			p.A.Mgmt(http.MethodPut, "/streamingLocators/"+probe, map[string]any{"properties": map[string]any{
				"assetName": "ladder", "streamingPolicyName": "Predefined_ClearKey", "defaultContentKeyPolicyName": "demo-open-clearkey",
				"contentKeys": []any{map[string]any{"id": rd.ContentKeys[0].KID.String(), "value": base64.StdEncoding.EncodeToString(make([]byte, 16))}}}}, nil, 201)
		})
	}
}

// TestVendorMultiKeyCbcs: a cbcs policy with a key per track type
// (keyToTrackMappings) asks B for both keys in one request, with FairPlay
// signalling; A stores B's two keys and its MPEG-TS playlist carries B's
// FairPlay key tag (with the encryptor's IV, which only A knows).
func TestVendorMultiKeyCbcs(t *testing.T) {
	p := startPair(t)
	p.A.Mgmt(http.MethodPut, "/streamingPolicies/vendor-cbcs", map[string]any{"properties": map[string]any{
		"defaultContentKeyPolicyName": "demo-open-clearkey",
		"commonEncryptionCbcs": map[string]any{"enabledProtocols": map[string]any{"download": false, "dash": true, "hls": true, "smoothStreaming": false},
			"contentKeys": map[string]any{"defaultKey": map[string]any{"label": "video"}, "keyToTrackMappings": []any{
				map[string]any{"label": "audio", "tracks": []any{map[string]any{"trackSelections": []any{map[string]any{"property": "FourCC", "operation": "Equal", "value": "mp4a"}}}}},
			}},
			"drm": map[string]any{"fairPlay": map[string]any{"allowPersistentLicense": false}, "widevine": map[string]any{}}},
	}}, nil, 0)
	p.provider("vendor-b", "vendor-cbcs", p.V.URL("ok"), map[string]any{"drmSystems": []string{"Widevine", "FairPlay"}})
	p.A.Mgmt(http.MethodPut, "/streamingLocators/mk", map[string]any{"properties": map[string]any{
		"assetName": "ladder", "streamingPolicyName": "vendor-cbcs"}}, nil, 201)
	id := p.locatorID(t, "mk")
	req, answer := p.V.lastExchange(t)
	rd, err := cpix.Parse(req)
	if err != nil || len(rd.ContentKeys) != 2 || len(rd.DRMSystems) != 4 {
		t.Fatalf("one request for both keys and both systems: %v %+v", err, rd)
	}
	ad, err := cpix.Parse(answer)
	if err != nil {
		t.Fatal(err)
	}
	aKeys := p.locatorKeys(t, "mk")
	if len(aKeys) != 2 {
		t.Fatalf("A holds %d keys", len(aKeys))
	}
	for _, ck := range ad.ContentKeys {
		if ck.CommonEncryptionScheme != "cbcs" || aKeys[ck.KID] != *ck.Value {
			t.Errorf("key %s: A's is not B's", ck.KID)
		}
	}
	// B's FairPlay tag for the video key, in the TS media playlist.
	var fpURI string
	for _, s := range ad.DRMSystems {
		if s.SystemID == drm.FairPlay && s.KID == rd.ContentKeys[0].KID {
			k, err := keyprovider.ParseKeyTag(string(s.HLSMedia.Value), false)
			if err != nil {
				t.Fatal(err)
			}
			fpURI = k.URI
		}
	}
	if fpURI == "" {
		t.Fatal("B sent no FairPlay tag")
	}
	master := string(p.originGet(t, "/"+id+"/ladder.ism/manifest(format=m3u8-aapl,encryption=cbcs-aapl)"))
	var media string
	for _, line := range strings.Split(master, "\n") {
		if strings.HasPrefix(line, "QualityLevels(") && strings.Contains(line, "video") || strings.HasPrefix(line, "QualityLevels(") && media == "" {
			media = strings.TrimSpace(line)
		}
	}
	if media == "" {
		t.Fatalf("no variant in\n%s", master)
	}
	pl := string(p.originGet(t, "/"+id+"/ladder.ism/"+media))
	if !strings.Contains(pl, `URI="`+fpURI+`"`) || !strings.Contains(pl, "IV=0x") {
		t.Errorf("the TS playlist lacks B's FairPlay tag %s with an IV:\n%.600s", fpURI, pl)
	}
	if strings.Contains(pl, p.A.MSID) {
		t.Errorf("the TS playlist carries A's own signalling")
	}
}
