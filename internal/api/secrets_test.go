package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secretForms are the encodings under which a secret could leak: raw
// bytes, standard and URL base64 (padded or not) and hex.
func secretForms(secret []byte) [][]byte {
	return [][]byte{
		secret,
		[]byte(base64.StdEncoding.EncodeToString(secret)),
		[]byte(base64.RawStdEncoding.EncodeToString(secret)),
		[]byte(base64.RawURLEncoding.EncodeToString(secret)),
		[]byte(hex.EncodeToString(secret)),
		[]byte(strings.ToUpper(hex.EncodeToString(secret))),
	}
}

// leaks reports the first form of secret found in data.
func leaks(data, secret []byte) (string, bool) {
	for _, f := range secretForms(secret) {
		if bytes.Contains(data, f) {
			return string(f), true
		}
	}
	return "", false
}

func assertNoSecret(t *testing.T, what string, data []byte, secrets map[string][]byte) {
	t.Helper()
	for name, s := range secrets {
		if f, ok := leaks(data, s); ok {
			t.Errorf("%s contains %s (as %q)", what, name, f)
		}
	}
}

func assertHasSecret(t *testing.T, what string, data, secret []byte) {
	t.Helper()
	if !bytes.Contains(data, []byte(b64(secret))) {
		t.Errorf("%s does not contain the secret %s; body: %s", what, b64(secret), data)
	}
}

// fairPlayBody is a content key policy with a FairPlay option (ask, pfx and
// password are secrets) and a token option.
func fairPlayBody(ask, pfx []byte, password string, tokenKey []byte) string {
	return `{"properties":{"description":"fairplay","options":[{"name":"fp","configuration":` +
		`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration","ask":"` + b64(ask) + `","fairPlayPfx":"` + b64(pfx) +
		`","fairPlayPfxPassword":"` + password + `","rentalAndLeaseKeyType":"PersistentUnlimited","rentalDuration":0},` +
		`"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","issuer":"https://issuer.test","audience":"urn:test",` +
		`"restrictionTokenType":"Jwt","primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"` + b64(tokenKey) + `"}}}]}}`
}

// TestContentKeyPolicySecrets checks that policy secrets appear only in
// getPolicyPropertiesWithSecrets.
func TestContentKeyPolicySecrets(t *testing.T) {
	ts := newTestServer(t)
	symKey := randBytes(t, 32)
	fpKey := randBytes(t, 32)
	ask := randBytes(t, 16)
	pfx := append([]byte{0x30, 0x82}, randBytes(t, 40)...)
	password := "pw-" + hex.EncodeToString(randBytes(t, 12))
	secrets := map[string][]byte{"symmetric key": symKey, "second symmetric key": fpKey, "FairPlay ask": ask, "FairPlay pfx": pfx, "FairPlay password": []byte(password)}

	r := ts.mustDo(http.MethodPut, a("/contentKeyPolicies/tok"), ckpTokenBody(symKey), http.StatusCreated)
	assertNoSecret(t, "PUT (create) response", r.Body, secrets)
	r = ts.mustDo(http.MethodPut, a("/contentKeyPolicies/fp"), fairPlayBody(ask, pfx, password, fpKey), http.StatusCreated)
	assertNoSecret(t, "PUT (create) FairPlay response", r.Body, secrets)
	r = ts.mustDo(http.MethodPut, a("/contentKeyPolicies/tok"), ckpTokenBody(symKey), http.StatusOK)
	assertNoSecret(t, "PUT (update) response", r.Body, secrets)

	// AMS blanks keyValue rather than dropping it.
	r = ts.mustDo(http.MethodGet, a("/contentKeyPolicies/tok"), "", http.StatusOK)
	assertNoSecret(t, "GET", r.Body, secrets)
	var got struct {
		Properties struct {
			Options []struct {
				Restriction struct {
					PrimaryVerificationKey struct {
						KeyValue *string `json:"keyValue"`
					} `json:"primaryVerificationKey"`
				} `json:"restriction"`
			} `json:"options"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil || len(got.Properties.Options) != 1 {
		t.Fatalf("GET body: %v: %s", err, r.Body)
	}
	if kv := got.Properties.Options[0].Restriction.PrimaryVerificationKey.KeyValue; kv == nil || *kv != "" {
		t.Errorf("GET keyValue = %v, want \"\"", kv)
	}
	r = ts.mustDo(http.MethodGet, a("/contentKeyPolicies/fp"), "", http.StatusOK)
	assertNoSecret(t, "GET FairPlay", r.Body, secrets)

	r = ts.mustDo(http.MethodGet, a("/contentKeyPolicies"), "", http.StatusOK)
	assertNoSecret(t, "LIST", r.Body, secrets)
	r = ts.do(http.MethodGet, a("/contentKeyPolicies"), av+"&$filter=name%20eq%20'tok'&$top=1", nil, "")
	if r.Status != http.StatusOK {
		t.Fatalf("filtered LIST: %d %s", r.Status, r.Body)
	}
	assertNoSecret(t, "filtered LIST", r.Body, secrets)

	// A PATCH that does not mention the key keeps it, and its response
	// hides it too.
	r = ts.mustDo(http.MethodPatch, a("/contentKeyPolicies/tok"), `{"properties":{"description":"patched"}}`, http.StatusOK)
	assertNoSecret(t, "PATCH response", r.Body, secrets)
	if !strings.Contains(string(r.Body), "patched") {
		t.Errorf("PATCH response does not show the new description: %s", r.Body)
	}

	r = ts.mustDo(http.MethodPost, a("/contentKeyPolicies/tok/getPolicyPropertiesWithSecrets"), "", http.StatusOK)
	assertHasSecret(t, "getPolicyPropertiesWithSecrets after PATCH", r.Body, symKey)
	if m := decodeJSON(t, r.Body); m["properties"] != nil || m["options"] == nil {
		t.Errorf("getPolicyPropertiesWithSecrets must return the bare properties object: %s", r.Body)
	}
	if !strings.Contains(string(r.Body), "patched") {
		t.Errorf("getPolicyPropertiesWithSecrets does not show the new description: %s", r.Body)
	}
	r = ts.mustDo(http.MethodPost, a("/contentKeyPolicies/fp/getPolicyPropertiesWithSecrets"), "", http.StatusOK)
	for _, s := range [][]byte{ask, pfx, fpKey} {
		assertHasSecret(t, "getPolicyPropertiesWithSecrets (FairPlay)", r.Body, s)
	}
	if !strings.Contains(string(r.Body), password) {
		t.Errorf("getPolicyPropertiesWithSecrets (FairPlay) lacks the pfx password")
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("getPolicyPropertiesWithSecrets Cache-Control %q, want no-store", cc)
	}

	// Rotating the key by PUT replaces it everywhere.
	newKey := randBytes(t, 32)
	ts.mustDo(http.MethodPut, a("/contentKeyPolicies/tok"), ckpTokenBody(newKey), http.StatusOK)
	r = ts.mustDo(http.MethodPost, a("/contentKeyPolicies/tok/getPolicyPropertiesWithSecrets"), "", http.StatusOK)
	assertHasSecret(t, "getPolicyPropertiesWithSecrets after rotation", r.Body, newKey)
	assertNoSecret(t, "getPolicyPropertiesWithSecrets after rotation", r.Body, map[string][]byte{"old key": symKey})

	assertNoSecret(t, "server log", []byte(ts.log.String()), secrets)
}

// locatorKey is a caller-supplied content key of a locator.
type locatorKey struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// TestStreamingLocatorSecrets checks that content key values appear only
// in listContentKeys.
func TestStreamingLocatorSecrets(t *testing.T) {
	ts := newTestServer(t)
	ts.seed()
	value := randBytes(t, 16)
	const kid = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
	body := locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv","contentKeys":[{"id":"` + strings.ToUpper(kid) +
		`","labelReferenceInStreamingPolicy":"k1","value":"` + b64(value) + `"}]`)
	r := ts.mustDo(http.MethodPut, a("/streamingLocators/enc1"), body, http.StatusCreated)
	secrets := map[string][]byte{"content key": value}
	assertNoSecret(t, "PUT response", r.Body, secrets)
	if !strings.Contains(string(r.Body), kid) {
		t.Errorf("PUT response lacks the lower-cased key id %s: %s", kid, r.Body)
	}
	// A second locator whose key the server generates.
	ts.mustDo(http.MethodPut, a("/streamingLocators/enc2"), locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv"`), http.StatusCreated)
	r = ts.mustDo(http.MethodPost, a("/streamingLocators/enc2/listContentKeys"), "", http.StatusOK)
	var gen struct {
		ContentKeys []locatorKey `json:"contentKeys"`
	}
	if err := json.Unmarshal(r.Body, &gen); err != nil || len(gen.ContentKeys) != 1 {
		t.Fatalf("listContentKeys enc2: %v %s", err, r.Body)
	}
	genValue, err := base64.StdEncoding.DecodeString(gen.ContentKeys[0].Value)
	if err != nil || len(genValue) != 16 {
		t.Fatalf("generated key %q: %v (len %d)", gen.ContentKeys[0].Value, err, len(genValue))
	}
	secrets["generated content key"] = genValue

	for _, req := range []struct{ method, path string }{
		{http.MethodGet, a("/streamingLocators/enc1")},
		{http.MethodGet, a("/streamingLocators/enc2")},
		{http.MethodGet, a("/streamingLocators")},
		{http.MethodPost, a("/streamingLocators/enc1/listPaths")},
		{http.MethodPost, a("/assets/asset1/listStreamingLocators")},
	} {
		r := ts.mustDo(req.method, req.path, "", http.StatusOK)
		assertNoSecret(t, req.method+" "+req.path, r.Body, secrets)
	}

	r = ts.mustDo(http.MethodPost, a("/streamingLocators/enc1/listContentKeys"), "", http.StatusOK)
	var lk struct {
		ContentKeys []locatorKey `json:"contentKeys"`
	}
	if err := json.Unmarshal(r.Body, &lk); err != nil || len(lk.ContentKeys) != 1 {
		t.Fatalf("listContentKeys: %v %s", err, r.Body)
	}
	if lk.ContentKeys[0].ID != kid || lk.ContentKeys[0].Value != b64(value) {
		t.Errorf("listContentKeys = %+v, want id %s value %s", lk.ContentKeys[0], kid, b64(value))
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("listContentKeys Cache-Control %q, want no-store", cc)
	}
	assertNoSecret(t, "server log", []byte(ts.log.String()), secrets)
}

// TestDatabaseHoldsNoClearSecrets writes content keys and policy secrets,
// closes the store (checkpointing the WAL) and searches every database file
// for them.
func TestDatabaseHoldsNoClearSecrets(t *testing.T) {
	ts := newTestServer(t)
	ts.seed()
	symKey := randBytes(t, 32)
	ask := randBytes(t, 16)
	pfx := append([]byte{0x30, 0x82}, randBytes(t, 40)...)
	password := "pw-" + hex.EncodeToString(randBytes(t, 12))
	contentKey := randBytes(t, 16)
	// marker proves the files read are the ones written.
	marker := "marker-" + hex.EncodeToString(randBytes(t, 8))

	ts.mustDo(http.MethodPut, a("/contentKeyPolicies/tok"), strings.Replace(ckpTokenBody(symKey), `"token"`, `"`+marker+`"`, 1), http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/contentKeyPolicies/fp"), fairPlayBody(ask, pfx, password, symKey), http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/streamingLocators/enc1"), locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv","contentKeys":[{"id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",`+
		`"labelReferenceInStreamingPolicy":"k1","value":"`+b64(contentKey)+`"}]`), http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/streamingLocators/enc2"), locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv"`), http.StatusCreated)
	r := ts.mustDo(http.MethodPost, a("/streamingLocators/enc2/listContentKeys"), "", http.StatusOK)
	var gen struct {
		ContentKeys []locatorKey `json:"contentKeys"`
	}
	if err := json.Unmarshal(r.Body, &gen); err != nil || len(gen.ContentKeys) != 1 {
		t.Fatalf("listContentKeys enc2: %v %s", err, r.Body)
	}
	genKey, err := base64.StdEncoding.DecodeString(gen.ContentKeys[0].Value)
	if err != nil {
		t.Fatal(err)
	}

	secrets := map[string][]byte{"symmetric key": symKey, "FairPlay ask": ask, "FairPlay pfx": pfx, "FairPlay password": []byte(password),
		"content key": contentKey, "generated content key": genKey}

	// Before closing, the WAL holds the recent pages: search it as it is.
	scan := func(when string) {
		files, err := filepath.Glob(ts.DBPath + "*")
		if err != nil || len(files) == 0 {
			t.Fatalf("database files %s*: %v (%d)", ts.DBPath, err, len(files))
		}
		var all []byte
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			assertNoSecret(t, when+" "+filepath.Base(f), b, secrets)
			all = append(all, b...)
		}
		if !bytes.Contains(all, []byte(marker)) {
			t.Errorf("%s: the database files do not contain the policy description %q: wrong files?", when, marker)
		}
	}
	scan("open")
	ts.close()
	scan("closed")
}
