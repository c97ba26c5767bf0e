package origin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/test/mediatest"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

const apiVer = "?api-version=2023-01-01"

// node is a running Lockstream with the demo account (its default
// streaming endpoint started) and an access token for the API.
type node struct {
	t      testing.TB
	core   *core.Core
	api    string // http://host:port
	origin string
	acct   string // account path
	token  string
}

func startNode(t testing.TB, mutate ...func(*conf.Conf)) *node {
	t.Helper()
	n := nodetest.Start(t, slog.LevelWarn, mutate...)
	return &node{t: t, core: n.Core, api: n.API, origin: n.Origin, acct: n.Account, token: n.Token(t)}
}

// do calls the management API and decodes the JSON answer into out.
func (n *node) do(method, path string, body any, want int, out any) {
	n.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, n.api+n.acct+path+apiVer, rd)
	req.Header.Set("Authorization", "Bearer "+n.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want && !(want == 200 && resp.StatusCode == 201) {
		n.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			n.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
}

// upload creates asset name holding the set's files (through the
// container SAS URL, as AMS clients upload).
func (n *node) upload(name string, set *mediatest.Set, skip ...string) {
	n.t.Helper()
	files := map[string][]byte{}
	for _, f := range set.Names() {
		if slices.Contains(skip, f) {
			continue
		}
		b, err := os.ReadFile(set.Path(f))
		if err != nil {
			n.t.Fatal(err)
		}
		files[f] = b
	}
	n.uploadFiles(name, files)
}

// uploadFiles creates asset name holding files, by name.
func (n *node) uploadFiles(name string, files map[string][]byte) {
	n.t.Helper()
	n.do(http.MethodPut, "/assets/"+name, map[string]any{"properties": map[string]any{}}, 200, nil)
	var sas struct {
		AssetContainerSasUrls []string `json:"assetContainerSasUrls"`
	}
	n.do(http.MethodPost, "/assets/"+name+"/listContainerSas", map[string]any{"permissions": "ReadWrite", "expiryTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, 200, &sas)
	if len(sas.AssetContainerSasUrls) == 0 {
		n.t.Fatal("no SAS URL")
	}
	u, err := url.Parse(sas.AssetContainerSasUrls[0])
	if err != nil {
		n.t.Fatal(err)
	}
	for f, b := range files {
		bu := *u
		bu.Path += "/" + f
		req, _ := http.NewRequest(http.MethodPut, bu.String(), bytes.NewReader(b))
		req.Header.Set("x-ms-blob-type", "BlockBlob")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			n.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			n.t.Fatalf("upload %s: %d", f, resp.StatusCode)
		}
	}
}

// locator publishes asset under policy (with optional extra properties)
// and returns its listPaths answer.
func (n *node) locator(name, asset, policy string, extra map[string]any) paths {
	n.t.Helper()
	props := map[string]any{"assetName": asset, "streamingPolicyName": policy}
	for k, v := range extra {
		props[k] = v
	}
	n.do(http.MethodPut, "/streamingLocators/"+name, map[string]any{"properties": props}, 201, nil)
	var p paths
	n.do(http.MethodPost, "/streamingLocators/"+name+"/listPaths", nil, 200, &p)
	return p
}

type paths struct {
	StreamingPaths []struct {
		StreamingProtocol string   `json:"streamingProtocol"`
		EncryptionScheme  string   `json:"encryptionScheme"`
		Paths             []string `json:"paths"`
	} `json:"streamingPaths"`
	DownloadPaths []string `json:"downloadPaths"`
}

// find returns the path for protocol whose URL contains substr.
func (p paths) find(t testing.TB, protocol, substr string) string {
	t.Helper()
	for _, sp := range p.StreamingPaths {
		if sp.StreamingProtocol != protocol {
			continue
		}
		for _, u := range sp.Paths {
			if strings.Contains(u, substr) {
				return u
			}
		}
	}
	t.Fatalf("listPaths has no %s path with %q: %+v", protocol, substr, p)
	return ""
}

// get fetches an origin URL.
func (n *node) get(path string, hdr ...string) (*http.Response, []byte) {
	n.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.origin+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// wantError checks an MPE error answer.
func wantError(t testing.TB, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode != status || e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("%s: got %d %s; want %d %s", resp.Request.URL.Path, resp.StatusCode, body, status, code)
	}
	if resp.Header.Get("X-Lockstream-Error-Code") != code {
		t.Errorf("error code header %q", resp.Header.Get("X-Lockstream-Error-Code"))
	}
}

func must(t testing.TB, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format, args...)
	}
}

var _ = fmt.Sprintf
