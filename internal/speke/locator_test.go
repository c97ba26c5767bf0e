package speke_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/keys"
)

const aes128System = "3ea8778f-7742-4bf9-b18b-e834b2acbd47"

// spekeKey asks for one kid of contentID and returns its value.
func spekeKey(t *testing.T, n *node, contentID, kid string) keys.Key {
	t.Helper()
	code, out, _ := n.Speke(t, "2.0", n.Owner, doc(`contentId="`+contentID+`" version="2.3"`,
		keyList(ck(kid, "cbcs"))+sys(kid, aes128System, `<cpix:HLSSignalingData playlist="media"/>`)), nil)
	if code != 200 {
		t.Fatalf("speke: %d %s", code, out)
	}
	d, err := cpix.Parse(out)
	if err != nil || d.ContentKeys[0].Value == nil {
		t.Fatalf("speke response: %v", err)
	}
	line := string(d.DRMSystems[0].HLSMedia.Value)
	if want := `#EXT-X-KEY:METHOD=AES-128,URI="` + (keydelivery.URLs{Base: n.API, Account: n.MSID}).AES(mustKID(t, kid)) + `"`; line != want {
		t.Fatalf("AES-128 line %q, want %q", line, want)
	}
	return *d.ContentKeys[0].Value
}

func mustKID(t *testing.T, s string) keys.KID {
	t.Helper()
	k, err := keys.ParseKID(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestLocatorUsesSPEKEKey: a streaming locator created with a kid a
// packager got from SPEKE uses that key, and Lockstream's key delivery
// hands it out; a SPEKE request for a kid a locator already has returns
// the locator's key.
func TestLocatorUsesSPEKEKey(t *testing.T) {
	n := startNode(t)
	const kid = "3c0b9a1e-8d7f-4e6a-9b5c-2d1e0f9a8b7c"
	want := spekeKey(t, n, "movie-1", kid)

	loc := n.Acct + "/streamingLocators/speke-movie?api-version=2022-08-01"
	body := `{"properties":{"assetName":"demo","streamingPolicyName":"Predefined_ClearKey","defaultContentKeyPolicyName":"demo-open-clearkey",` +
		`"contentKeys":[{"id":"` + kid + `"}]}}`
	if code, out := n.Do(t, http.MethodPut, loc, n.Owner, body, http.Header{"Content-Type": {"application/json"}}); code != 201 {
		t.Fatalf("create locator: %d %s", code, out)
	}
	code, out := n.Do(t, http.MethodPost, n.Acct+"/streamingLocators/speke-movie/listContentKeys?api-version=2022-08-01", n.Owner, "", nil)
	var lk struct {
		ContentKeys []struct{ ID, Value string } `json:"contentKeys"`
	}
	if code != 200 || json.Unmarshal(out, &lk) != nil || len(lk.ContentKeys) != 1 {
		t.Fatalf("listContentKeys: %d %s", code, out)
	}
	if lk.ContentKeys[0].ID != kid || lk.ContentKeys[0].Value != base64.StdEncoding.EncodeToString(want[:]) {
		t.Fatal("the locator did not take the SPEKE key")
	}
	// Key delivery serves the same 16 bytes (the policy is open).
	aesURL := strings.TrimPrefix((keydelivery.URLs{Base: n.API, Account: n.MSID}).AES(mustKID(t, kid)), n.API)
	code, got := n.Do(t, http.MethodGet, aesURL, "", "", nil)
	if code != 200 || !bytes.Equal(got, want[:]) {
		t.Fatalf("key delivery: %d, %d bytes, equal %v", code, len(got), bytes.Equal(got, want[:]))
	}
	// A different value for the kid is refused, as for any known kid.
	other := base64.StdEncoding.EncodeToString(make([]byte, 16))
	body2 := strings.Replace(body, `"id":"`+kid+`"`, `"id":"`+kid+`","value":"`+other+`"`, 1)
	if code, out := n.Do(t, http.MethodPut, n.Acct+"/streamingLocators/speke-movie-2?api-version=2022-08-01", n.Owner, body2,
		http.Header{"Content-Type": {"application/json"}}); code != 409 {
		t.Fatalf("conflicting value: %d %s", code, out)
	}

	// The other direction: the demo locator's kid through SPEKE.
	code, out = n.Do(t, http.MethodPost, n.Acct+"/streamingLocators/demo-aes/listContentKeys?api-version=2022-08-01", n.Owner, "", nil)
	if code != 200 || json.Unmarshal(out, &lk) != nil || len(lk.ContentKeys) != 1 {
		t.Fatalf("demo listContentKeys: %d %s", code, out)
	}
	demo := spekeKey(t, n, "demo-repackaged", lk.ContentKeys[0].ID)
	if base64.StdEncoding.EncodeToString(demo[:]) != lk.ContentKeys[0].Value {
		t.Fatal("SPEKE minted a new key for a kid a locator already uses")
	}
}
