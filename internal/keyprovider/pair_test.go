package keyprovider_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/license/licensetest"
)

// pair is node A (the Lockstream under test, consuming keys) with an
// uploaded ladder asset, and node B (the vendor).
type pair struct {
	A *licensetest.Node
	V *vendor
}

func startPair(t *testing.T) *pair {
	t.Helper()
	p := &pair{V: startVendor(t), A: licensetest.Start(t)}
	uploadLadder(t, p.A, "ladder", nil)
	return p
}

// policy creates a DASH+HLS cenc streaming policy signalling Widevine
// and PlayReady, whose keys Lockstream delivers under demo-open-clearkey.
func (p *pair) policy(name string) {
	on := map[string]any{"download": false, "dash": true, "hls": true, "smoothStreaming": true}
	p.A.Mgmt(http.MethodPut, "/streamingPolicies/"+name, map[string]any{"properties": map[string]any{
		"defaultContentKeyPolicyName": "demo-open-clearkey",
		"commonEncryptionCenc": map[string]any{"enabledProtocols": on,
			"drm": map[string]any{"widevine": map[string]any{}, "playReady": map[string]any{}}},
	}}, nil, 0)
}

// provider creates key provider name on A for policy with extra
// properties.
func (p *pair) provider(name, policy, u string, extra map[string]any) {
	props := map[string]any{"url": u, "streamingPolicyNames": []string{policy}, "drmSystems": []string{"Widevine", "PlayReady"},
		"authentication": map[string]any{"type": "ApiKey", "headerName": "X-Api-Key", "headerValue": p.V.APIKey}}
	for k, v := range extra {
		props[k] = v
	}
	p.A.Mgmt(http.MethodPut, "/keyProviders/"+name, map[string]any{"properties": props}, nil, 0)
}

// locatorKeys returns A's listContentKeys answer for a locator.
func (p *pair) locatorKeys(t *testing.T, name string) map[keys.KID]keys.Key {
	t.Helper()
	var out struct {
		ContentKeys []struct{ ID, Value string } `json:"contentKeys"`
	}
	p.A.Mgmt(http.MethodPost, "/streamingLocators/"+name+"/listContentKeys", nil, &out, 200)
	m := map[keys.KID]keys.Key{}
	for _, ck := range out.ContentKeys {
		kid, err := keys.ParseKID(ck.ID)
		if err != nil {
			t.Fatal(err)
		}
		k, err := keys.ParseKeyBase64(ck.Value)
		if err != nil {
			t.Fatal(err)
		}
		m[kid] = k
	}
	return m
}

func (p *pair) locatorID(t *testing.T, name string) string {
	t.Helper()
	var l struct {
		Properties struct {
			StreamingLocatorID string `json:"streamingLocatorId"`
		} `json:"properties"`
	}
	p.A.Mgmt(http.MethodGet, "/streamingLocators/"+name, nil, &l, 200)
	return l.Properties.StreamingLocatorID
}

// originGet fetches an origin path of A.
func (p *pair) originGet(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := http.Get(p.A.Node.Origin + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

// dashPath returns the locator's DASH CMAF manifest path from listPaths.
func (p *pair) dashPath(t *testing.T, locator string) string {
	t.Helper()
	var out struct {
		StreamingPaths []struct {
			StreamingProtocol string   `json:"streamingProtocol"`
			Paths             []string `json:"paths"`
		} `json:"streamingPaths"`
	}
	p.A.Mgmt(http.MethodPost, "/streamingLocators/"+locator+"/listPaths", nil, &out, 200)
	for _, sp := range out.StreamingPaths {
		for _, u := range sp.Paths {
			if sp.StreamingProtocol == "Dash" && strings.Contains(u, "mpd-time-cmaf") {
				return u
			}
		}
	}
	t.Fatalf("no DASH CMAF path: %+v", out)
	return ""
}

// firstVideo returns the init and first media segment URLs of the MPD's
// first video representation, resolved against the manifest path.
func firstVideo(t *testing.T, manifestPath string, m *mpd.MPD) (string, string, *mpd.AdaptationSetType) {
	t.Helper()
	base, _ := url.Parse(manifestPath)
	for _, as := range m.Periods[0].AdaptationSets {
		if as.ContentType != "video" && !strings.HasPrefix(as.MimeType, "video") {
			continue
		}
		rep := as.Representations[0]
		st := rep.SegmentTemplate
		if st == nil {
			st = as.SegmentTemplate
		}
		var at uint64
		if s := st.SegmentTimeline.S[0]; s.T != nil {
			at = *s.T
		}
		sub := func(tmpl string, tm uint64) string {
			r, _ := url.Parse(strings.NewReplacer("$RepresentationID$", rep.Id, "$Bandwidth$", fmt.Sprint(rep.Bandwidth), "$Time$", fmt.Sprint(tm)).Replace(tmpl))
			return base.ResolveReference(r).String()
		}
		return sub(st.Initialization, 0), sub(st.Media, at), as
	}
	t.Fatal("no video adaptation set")
	return "", "", nil
}

func psshBytes(t *testing.T, b *mp4.PsshBox) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := b.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// armError decodes {"error":{"code","message"}}.
func armError(t *testing.T, b []byte) (code, msg string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an ARM error: %s", b)
	}
	return e.Error.Code, e.Error.Message
}
