package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/demo"
)

// demoState is what the banner prints after seeding.
type demoState struct {
	account string
	paths   map[string][]string // locator → streaming paths
}

// seedDemo creates (idempotently) a demo account with the demo asset, an
// open Clear Key content key policy, a clear and an AES-128 locator, and
// starts the default streaming endpoint. It goes through the management API
// in-process, so the demo is built exactly as a client would build it.
func (c *Core) seedDemo(ctx context.Context, _ string) error {
	d := c.Conf.Demo
	p := auth.Principal{ID: "lockstream-demo", Type: "Application", Owner: true}
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
		"description": "Demo: AES-128 / Clear Key keys for anyone (no token)",
		"options": []any{map[string]any{
			"name":          "open-clearkey",
			"configuration": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
			"restriction":   map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"},
		}},
	}}, 200, 201); err != nil {
		return err
	}
	locators := map[string]map[string]any{
		"demo-clear": {"assetName": "demo", "streamingPolicyName": "Predefined_ClearStreamingOnly"},
		"demo-aes":   {"assetName": "demo", "streamingPolicyName": "Predefined_ClearKey", "defaultContentKeyPolicyName": "demo-open-clearkey"},
	}
	st := &demoState{account: acct, paths: map[string][]string{}}
	for name, props := range locators {
		if _, err := do(http.MethodGet, acct+"/streamingLocators/"+name, nil, 200); err != nil {
			if _, err := do(http.MethodPut, acct+"/streamingLocators/"+name, map[string]any{"properties": props}, 201); err != nil {
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

// uploadDemo copies the embedded media into the asset's container.
func (c *Core) uploadDemo(ctx context.Context, container string) error {
	entries, err := fs.ReadDir(demo.Media, "media")
	if err != nil {
		return fmt.Errorf("read embedded demo media: %w", err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(demo.Media, path.Join("media", e.Name()))
		if err != nil {
			return fmt.Errorf("read embedded %s: %w", e.Name(), err)
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

// PrintBanner writes the URLs to use.
func (c *Core) PrintBanner(w io.Writer) {
	fmt.Fprintln(w, "Lockstream is running.")
	if a := c.Addr("api"); a != "" {
		fmt.Fprintf(w, "  Management API (AMS v3 ARM paths): %s\n", c.apiURL)
		fmt.Fprintf(w, "  Health:                            %s/healthz  %s/readyz\n", c.apiURL, c.apiURL)
	}
	if a := c.Addr("origin"); a != "" {
		fmt.Fprintf(w, "  Streaming origin (HLS, DASH, Smooth): %s://%s\n", c.originScheme(), c.Conf.Origin.HostName)
	}
	if c.identity != nil {
		fmt.Fprintf(w, "  Token endpoint:                    %s/%s/oauth2/v2.0/token  scope=%s/.default\n", c.apiURL, c.Conf.Identity.TenantID, c.Conf.Identity.Audience)
	}
	if c.Conf.TLS.SelfSigned {
		fmt.Fprintf(w, "  Development CA certificate:         %s\n", filepath.Join(c.Conf.DataDir, "tls", "cert.pem"))
	}
	if c.Conf.Bootstrap.ClientID != "" {
		fmt.Fprintf(w, "  Bootstrap principal:               %s (secret from LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET)\n", c.Conf.Bootstrap.ClientID)
	}
	if c.demo == nil {
		return
	}
	fmt.Fprintf(w, "  Demo account:                      %s%s\n", c.apiURL, c.demo.account)
	names := make([]string, 0, len(c.demo.paths))
	for n := range c.demo.paths {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  Demo locator %s:\n", n)
		for _, p := range c.demo.paths[n] {
			fmt.Fprintf(w, "    %s://%s%s\n", c.originScheme(), c.Conf.Origin.HostName, p)
		}
	}
}

func (c *Core) originScheme() string {
	if c.tlsCfg != nil && c.Conf.TLS.Origin {
		return "https"
	}
	return "http"
}
