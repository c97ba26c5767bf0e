package core_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestKeyDeliveryRole checks the wiring of the keys role: a node running
// only that role (no management API) on the data of an earlier node hands
// out the demo's AES-128 key (its policy is open), and a node without the
// role does not serve key delivery at all.
func TestKeyDeliveryRole(t *testing.T) {
	dir := t.TempDir()
	n := start(t, testConf(t, dir))
	api := "http://" + n.Addr("api")
	acct := api + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	id, value, _ := strings.Cut(listKeys(t, acct)[0], "/")
	code, b := get(t, acct+"?api-version=2022-08-01")
	var a struct {
		Properties struct {
			MediaServiceID string `json:"mediaServiceId"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &a); code != 200 || err != nil || a.Properties.MediaServiceID == "" {
		t.Fatalf("account: %d %s", code, b)
	}
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	keyURL := func(n interface{ Addr(string) string }) string {
		return "http://" + n.Addr("api") + "/keydelivery/" + a.Properties.MediaServiceID + "/?kid=" + id
	}

	c := testConf(t, dir)
	c.Roles = []string{"keys"}
	kn := start(t, c)
	defer kn.Close(context.Background())
	resp, err := http.Get(keyURL(kn))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want, _ := base64.StdEncoding.DecodeString(value); resp.StatusCode != 200 || string(got) != string(want) {
		t.Fatalf("keys-only node: %d, %d bytes; want the demo key", resp.StatusCode, len(got))
	}

	c = testConf(t, t.TempDir())
	c.Roles = []string{"api", "origin"}
	an := start(t, c)
	defer an.Close(context.Background())
	resp, err = http.Get(keyURL(an))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The path falls through to the identity provider, which has no such
	// endpoint.
	if resp.StatusCode < 400 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("node without the keys role answered key delivery: %d %v", resp.StatusCode, resp.Header)
	}
}
