package origin_test

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/clearkey"
	"github.com/lockstream/lockstream/internal/test/browser"
)

// testKeyServer hands out the locators' keys (or, when wrong is set,
// random ones): AES-128 keys at /key?kid=, Clear Key licenses at
// /clearkey. Key delivery proper is Lockstream's own (a later part); this
// stands in for an external key server in the hybrid mode AMS allowed.
type testKeyServer struct {
	keys     map[string][]byte
	wrong    atomic.Bool
	requests atomic.Int64
	url      string
}

func newTestKeyServer(t *testing.T, ks map[string]map[string][]byte) *testKeyServer {
	t.Helper()
	s := &testKeyServer{keys: map[string][]byte{}}
	for _, m := range ks {
		for kid, k := range m {
			s.keys[kid] = k
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/key", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		k := s.key(strings.ToLower(r.URL.Query().Get("kid")))
		if k == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(k)
	})
	mux.HandleFunc("/clearkey", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		kids, typ, err := clearkey.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var pairs []clearkey.KeyPair
		for _, kid := range kids {
			if k := s.key(kid.String()); k != nil {
				p := clearkey.KeyPair{KID: kid}
				copy(p.Key[:], k)
				pairs = append(pairs, p)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(clearkey.Response(pairs, typ))
	})
	srv := httptest.NewServer(browser.CORS(mux))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *testKeyServer) key(kid string) []byte {
	k := s.keys[kid]
	if k == nil {
		return nil
	}
	if s.wrong.Load() {
		w := make([]byte, 16)
		_, _ = rand.Read(w)
		return w
	}
	return k
}

// TestBrowserEncrypted plays protected streams in headless Chromium: DASH
// cenc with W3C Clear Key through Shaka Player and HLS AES-128 through
// hls.js, with keys from a test key server; with wrong keys neither
// decodes a frame.
func TestBrowserEncrypted(t *testing.T) {
	browser.Require(t)
	p := publishedProtected(t)
	ks := newTestKeyServer(t, nil)
	n := p.n
	// The envelope policy sends hls.js to the test key server through the
	// custom key URL template (the hybrid mode).
	n.do(http.MethodPut, "/streamingPolicies/envelope-external", map[string]any{"properties": map[string]any{
		"defaultContentKeyPolicyName": "demo-open-clearkey",
		"envelopeEncryption": map[string]any{"enabledProtocols": map[string]any{"download": false, "dash": false, "hls": true, "smoothStreaming": false},
			"customKeyAcquisitionUrlTemplate": ks.url + "/key?kid={ContentKeyId}"},
	}}, 201, nil)
	// Likewise Clear Key licenses, through the cenc block's template.
	n.do(http.MethodPut, "/streamingPolicies/cenc-external", map[string]any{"properties": map[string]any{
		"defaultContentKeyPolicyName": "demo-open-clearkey",
		"commonEncryptionCenc": map[string]any{"enabledProtocols": map[string]any{"download": false, "dash": true, "hls": false, "smoothStreaming": false},
			"clearKeyEncryptionConfiguration": map[string]any{"customKeysAcquisitionUrlTemplate": ks.url + "/clearkey"}},
	}}, 201, nil)
	env := n.locator("ladder-envelope-external", "ladder", "envelope-external", nil)
	cenc := n.locator("ladder-cenc-external", "ladder", "cenc-external", nil)
	for _, l := range []string{"ladder-envelope-external", "ladder-cenc-external"} {
		var out struct {
			ContentKeys []struct{ ID, Value string } `json:"contentKeys"`
		}
		n.do(http.MethodPost, "/streamingLocators/"+l+"/listContentKeys", nil, 200, &out)
		for _, ck := range out.ContentKeys {
			k, _ := base64.StdEncoding.DecodeString(ck.Value)
			ks.keys[strings.ToLower(ck.ID)] = k
		}
	}
	for _, tc := range []struct {
		name string
		opts browser.Options
	}{
		{"dash-cenc-clearkey-shaka", browser.Options{Player: browser.Shaka, URL: n.origin + cenc.find(t, "Dash", "mpd-time-csf")}},
		{"hls-aes128-hlsjs", browser.Options{Player: browser.HLSJS, URL: n.origin + env.find(t, "Hls", "m3u8-aapl")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks.wrong.Store(false)
			before := ks.requests.Load()
			tc.opts.Seconds = 8
			r := browser.Play(t, tc.opts)
			if !r.Pass || r.TotalVideoFrames == 0 || r.PlayedSeconds < 8 {
				t.Fatalf("did not play: outcome %s, %.2f s, %d frames, errors %+v, http errors %+v",
					r.Outcome, r.PlayedSeconds, r.TotalVideoFrames, r.Errors, r.HTTPErrors)
			}
			must(t, ks.requests.Load() > before, "played without asking the key server")
			t.Run("wrong-key", func(t *testing.T) {
				ks.wrong.Store(true)
				defer ks.wrong.Store(false)
				o := tc.opts
				o.Seconds, o.Timeout = 4, 25e9
				r := browser.Play(t, o)
				if r.Pass || r.TotalVideoFrames > 0 {
					t.Fatalf("played with a wrong key: outcome %s, %.2f s, %d frames", r.Outcome, r.PlayedSeconds, r.TotalVideoFrames)
				}
			})
		})
	}
}
