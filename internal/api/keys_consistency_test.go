package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestKeyIDConsistency: within an account one key id has one value. A
// locator naming a known id without a value reuses it; a different value
// for it is a 409 and writes nothing.
func TestKeyIDConsistency(t *testing.T) {
	ts := newTestServer(t)
	ts.seed()
	const kid = "0a1b2c3d-0000-4000-8000-000000000001"
	first := `{"properties":{"assetName":"asset1","streamingPolicyName":"spEnv","contentKeys":[{"id":"` + kid + `","labelReferenceInStreamingPolicy":"k1"}]}}`
	ts.mustDo(http.MethodPut, a("/streamingLocators/dc1"), first, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/streamingLocators/dc2"), first, http.StatusCreated)
	v1, v2 := keyValue(t, ts, "dc1"), keyValue(t, ts, "dc2")
	if v1 == "" || v1 != v2 {
		t.Fatalf("same key id got values %q and %q", v1, v2)
	}
	other := `{"properties":{"assetName":"asset1","streamingPolicyName":"spEnv","contentKeys":[{"id":"` + kid + `","labelReferenceInStreamingPolicy":"k1","value":"AAAAAAAAAAAAAAAAAAAAAA=="}]}}`
	r := ts.do(http.MethodPut, a("/streamingLocators/dc3"), "api-version=2022-08-01", nil, other)
	checkError(t, r, http.StatusConflict, "Conflict")
	if g := ts.do(http.MethodGet, a("/streamingLocators/dc3"), "api-version=2022-08-01", nil, ""); g.Status != http.StatusNotFound {
		t.Fatalf("rejected locator was stored: %d", g.Status)
	}
}

func keyValue(t *testing.T, ts *testServer, locator string) string {
	t.Helper()
	r := ts.mustDo(http.MethodPost, a("/streamingLocators/"+locator+"/listContentKeys"), "", http.StatusOK)
	var out struct {
		ContentKeys []struct{ ID, Value string } `json:"contentKeys"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || len(out.ContentKeys) != 1 {
		t.Fatalf("listContentKeys %s: %s", locator, r.Body)
	}
	return out.ContentKeys[0].Value
}

// TestAccountDeleteRemovesContainers: deleting an account deletes its
// assets and their storage, so no other account can adopt the media.
func TestAccountDeleteRemovesContainers(t *testing.T) {
	ts := newTestServer(t)
	ts.seed()
	r := ts.mustDo(http.MethodGet, a("/assets/asset1"), "", http.StatusOK)
	var asset struct {
		Properties struct{ Container string } `json:"properties"`
	}
	if err := json.Unmarshal(r.Body, &asset); err != nil || asset.Properties.Container == "" {
		t.Fatalf("asset: %s", r.Body)
	}
	dir := filepath.Join(ts.BlobRoot, asset.Properties.Container)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("container dir missing before delete: %v", err)
	}
	ts.mustDo(http.MethodDelete, acctPath, "", http.StatusOK)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("container dir survives account delete: %v", err)
	}
	ts.mustDo(http.MethodGet, a("/assets/asset1"), "", http.StatusNotFound)
}
