package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/demo"
)

// Names of the demo's resources.
const (
	demoOpenLocator   = "demo-aes"   // AES-128 / Clear Key, open policy: keys for anyone
	demoTokenLocator  = "demo-token" // same encryption, keys only for a token with the claim
	demoClearLocator  = "demo-clear"
	demoTokenPolicy   = "demo-token-clearkey"
	demoViewer        = "demo-viewer"  // STS user holding the claim
	demoViewersGroup  = "demo-viewers" // the claim: groups contains it
	demoPrincipalName = "lockstream-demo"
)

// demoState is what the banner prints after seeding.
type demoState struct {
	account string
	paths   map[string][]string // locator → streaming paths
	// viewerSecret is the demo viewer's password when this start created
	// it (printed once); "" when the user already existed.
	viewerSecret string
	// protected is false when the node runs no STS (no token demo).
	protected bool
}

// demoDo calls the management API in-process as the demo principal and
// accepts only the listed statuses.
type demoDo func(method, path string, body any, ok ...int) ([]byte, error)

// seedDemo creates (idempotently, and per node: it never depends on
// another node's disk) a demo account with the demo asset, an open Clear
// Key content key policy and a token-restricted one, a clear, an open
// AES-128 and a token-protected locator, an STS user entitled to the
// protected one, and starts the default streaming endpoint. It goes
// through the management API in-process, so the demo is built exactly as
// a client would build it.
func (c *Core) seedDemo(ctx context.Context, apiURL string) error {
	d := c.Conf.Demo
	p := auth.Principal{ID: demoPrincipalName, Type: "Application", Owner: true}
	acct := "/subscriptions/" + d.Subscription + "/resourceGroups/" + d.ResourceGroup + "/providers/Microsoft.Media/mediaServices/" + d.Account
	do := func(method, p2 string, body any, ok ...int) ([]byte, error) {
		status, b, err := c.api.Do(ctx, p, method, p2, body)
		if err != nil {
			return nil, err
		}
		for _, s := range ok {
			if status == s {
				return b, nil
			}
		}
		return nil, fmt.Errorf("%s %s: status %d: %s", method, p2, status, b)
	}
	if _, err := do(http.MethodGet, acct, nil, 200); err != nil {
		if _, err := do(http.MethodPut, acct, map[string]any{"location": c.Conf.API.Location, "properties": map[string]any{}}, 200, 201); err != nil {
			return err
		}
	}
	b, err := do(http.MethodPut, acct+"/assets/demo", map[string]any{"properties": map[string]any{"description": "Lockstream demo: testsrc2 320x180 and 640x360 H.264, AAC stereo, 10 s", "alternateId": "demo"}}, 200, 201)
	if err != nil {
		return err
	}
	var asset struct {
		Properties struct {
			Container string `json:"container"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &asset); err != nil {
		return fmt.Errorf("decode demo asset: %w", err)
	}
	if err := c.uploadDemo(ctx, asset.Properties.Container); err != nil {
		return err
	}
	if _, err := do(http.MethodPut, acct+"/contentKeyPolicies/demo-open-clearkey", map[string]any{"properties": map[string]any{
		"description": "Demo: OPEN — AES-128 / Clear Key keys for anyone, no token",
		"options": []any{map[string]any{
			"name":          "open-clearkey",
			"configuration": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
			"restriction":   map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"},
		}},
	}}, 200, 201); err != nil {
		return err
	}
	locators := map[string]map[string]any{
		demoClearLocator: {"assetName": "demo", "streamingPolicyName": "Predefined_ClearStreamingOnly"},
		demoOpenLocator:  {"assetName": "demo", "streamingPolicyName": "Predefined_ClearKey", "defaultContentKeyPolicyName": "demo-open-clearkey"},
	}
	st := &demoState{account: acct, paths: map[string][]string{}}
	if c.sts != nil {
		if err := c.seedProtectedDemo(ctx, do, acct, st); err != nil {
			return err
		}
		locators[demoTokenLocator] = map[string]any{"assetName": "demo", "streamingPolicyName": "Predefined_ClearKey", "defaultContentKeyPolicyName": demoTokenPolicy}
	}
	for name, props := range locators {
		if _, err := do(http.MethodGet, acct+"/streamingLocators/"+name, nil, 200); err != nil {
			// 409: another node sharing the store created it meanwhile.
			if _, err := do(http.MethodPut, acct+"/streamingLocators/"+name, map[string]any{"properties": props}, 201, 409); err != nil {
				return err
			}
		}
		b, err := do(http.MethodPost, acct+"/streamingLocators/"+name+"/listPaths", nil, 200)
		if err != nil {
			return err
		}
		var lp struct {
			StreamingPaths []struct {
				Paths []string `json:"paths"`
			} `json:"streamingPaths"`
		}
		if err := json.Unmarshal(b, &lp); err != nil {
			return fmt.Errorf("decode listPaths: %w", err)
		}
		for _, sp := range lp.StreamingPaths {
			st.paths[name] = append(st.paths[name], sp.Paths...)
		}
	}
	if _, err := do(http.MethodPost, acct+"/streamingEndpoints/default/start", nil, 200, 202); err != nil {
		return err
	}
	c.demo = st
	return nil
}

// uploadDemo makes sure this node's blob store holds the embedded media in
// the asset's container. The container is created here too: with a store
// shared by several nodes the asset row may come from another node, whose
// disk this one cannot see. Files already present with the right size are
// left alone, so a restart does not change their ETags.
func (c *Core) uploadDemo(ctx context.Context, container string) error {
	if err := c.blob.CreateContainer(ctx, container); err != nil {
		return fmt.Errorf("demo container: %w", err)
	}
	entries, err := fs.ReadDir(demo.Media, "media")
	if err != nil {
		return fmt.Errorf("read embedded demo media: %w", err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(demo.Media, path.Join("media", e.Name()))
		if err != nil {
			return fmt.Errorf("read embedded %s: %w", e.Name(), err)
		}
		if info, err := c.blob.Stat(ctx, container, e.Name()); err == nil && info.Size == int64(len(b)) {
			continue
		} else if err != nil && !errors.Is(err, blob.ErrNotFound) {
			return fmt.Errorf("stat demo %s: %w", e.Name(), err)
		}
		ct := "video/mp4"
		if strings.HasSuffix(e.Name(), ".ism") {
			ct = "application/xml"
		}
		if err := c.blob.Write(ctx, container, e.Name(), bytes.NewReader(b), int64(len(b)), ct); err != nil {
			return fmt.Errorf("upload demo %s: %w", e.Name(), err)
		}
	}
	return nil
}
