package core_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/cpix"
)

// spekeKey asks the node's SPEKE endpoint for one kid of one content.
func spekeKey(t *testing.T, n *core.Core, contentID, kid string) string {
	t.Helper()
	api := "http://" + n.Addr("api")
	tok := token(t, api)
	code, b := get(t, api+"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo?api-version=2022-08-01")
	var acct struct {
		Properties struct{ MediaServiceID string } `json:"properties"`
	}
	if code != 200 || json.Unmarshal(b, &acct) != nil {
		t.Fatalf("get account: %d %s", code, b)
	}
	body := `<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" contentId="` + contentID + `" version="2.3"><cpix:ContentKeyList><cpix:ContentKey kid="` + kid + `" commonEncryptionScheme="cbcs"/></cpix:ContentKeyList></cpix:CPIX>`
	req, _ := http.NewRequest(http.MethodPost, api+"/speke/v2/"+acct.Properties.MediaServiceID, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Speke-Version", "2.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	d, err := cpix.Parse(out)
	if resp.StatusCode != 200 || err != nil || d.ContentKeys[0].Value == nil {
		t.Fatalf("speke: %d %s (%v)", resp.StatusCode, out, err)
	}
	return d.ContentKeys[0].Value.Base64()
}

// TestRewrapKeyExchangeKeys: `keys rewrap` re-seals SPEKE-minted keys, so
// a node that knows only the new KEK returns the same key for the same
// content and kid.
func TestRewrapKeyExchangeKeys(t *testing.T) {
	dir := t.TempDir()
	c := testConf(t, dir)
	c.Keys.KEK = "3333333333333333333333333333333333333333333333333333333333333333"
	n := start(t, c)
	const kid = "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"
	before := spekeKey(t, n, "rewrap-content", kid)
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Keys.KEK = "4444444444444444444444444444444444444444444444444444444444444444"
	c.Keys.PreviousKEKs = []conf.Secret{"3333333333333333333333333333333333333333333333333333333333333333"}
	if _, err := core.Rewrap(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	c.Keys.PreviousKEKs = nil
	n2 := start(t, c)
	defer n2.Close(context.Background())
	if after := spekeKey(t, n2, "rewrap-content", kid); after != before {
		t.Fatal("SPEKE key changed across a rewrap")
	}
}
