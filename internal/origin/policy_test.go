package origin_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

func TestURLAndLocatorErrors(t *testing.T) {
	s := published(t)
	n := s.n
	dash := s.ladder.find(t, "Dash", "format=mpd-time-csf)")
	id := dash[1:37]
	for _, tc := range []struct {
		path, code string
		status     int
	}{
		{"/not-a-guid/x.ism/manifest", "MPE_RESOURCE_NOT_FOUND", 404},
		{"/" + id + "/ladder.ism/manifest(format=mpd-time-csf,encryption=foo)", "MPE_BAD_URL_SYNTAX", 400},
		{"/" + id + "/ladder.ism/manifest(format=m3u8-foo)", "MPE_BAD_URL_SYNTAX", 400},
		{"/" + id + "/ladder.ism/manifest(format=mpd-time-csf,format=mpd-time-csf)", "MPE_BAD_URL_SYNTAX", 400},
		{"/00000000-0000-0000-0000-000000000001/ladder.ism/manifest", "MPE_RESOURCE_NOT_FOUND", 404},
		{"/" + id + "/nosuch.ism/manifest(format=mpd-time-csf)", "MPE_RESOURCE_NOT_FOUND", 404},
		{"/" + id + "/ladder.ism/manifest(format=mpd-time-csf,filter=nosuch)", "MPE_EGRESS_FILTER_NOT_FOUND", 404},
		{"/" + id + "/ladder.ism/manifest(format=mpd-time-csf,encryption=cenc)", "MPE_ENC_ENCRYPTION_NOT_SET_IN_DELIVERY_POLICY", 403},
		{"/" + id + "/ladder.ism/QualityLevels(1)/Fragments(video=0,format=mpd-time-csf)", "MPE_EGRESS_TRACK_NOT_FOUND", 404},
		{"/" + id + "/ladder.ism/QualityLevels(" + bitrateOf(t, n, dash) + ")/Fragments(video=12345,format=mpd-time-csf)", "MPE_FRAGMENT_TIMESTAMP_NOT_FOUND", 404},
	} {
		resp, b := n.get(tc.path)
		wantError(t, resp, b, tc.status, tc.code)
	}

	// A locator not yet valid streams nothing.
	future := n.locator("ladder-future", "ladder", "Predefined_ClearStreamingOnly",
		map[string]any{"startTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	resp, b := n.get(future.find(t, "Dash", "mpd-time-csf"))
	wantError(t, resp, b, http.StatusNotFound, "MPE_UNAUTHORIZED")

	// A policy that encrypts never streams in the clear: every media
	// playlist of an envelope locator names an AES-128 key, with or
	// without encryption= in the URL (one scheme: the origin picks it,
	// except for CMAF, where AMS required the argument:
	// TestCMAFNeedsEncryptionArg), and formats without envelope support
	// are refused.
	enc := n.locator("ladder-clearkey", "ladder", "Predefined_ClearKey", map[string]any{"defaultContentKeyPolicyName": "demo-open-clearkey"})
	for _, sp := range enc.StreamingPaths {
		for _, p := range sp.Paths {
			plain := regexp.MustCompile(`,?encryption=[a-z-]+`).ReplaceAllString(p, "")
			plain = strings.Replace(plain, "manifest()", "manifest", 1)
			for _, u := range []string{p, plain} {
				resp, b := n.get(u)
				if u == plain && strings.Contains(u, "cmaf") {
					wantError(t, resp, b, http.StatusBadRequest, "MPE_ENC_ENCRYPTION_NOT_SPECIFIED_IN_URL")
					continue
				}
				if sp.StreamingProtocol != "Hls" {
					if resp.StatusCode < 400 {
						t.Fatalf("%s served %d under an envelope policy", u, resp.StatusCode)
					}
					continue
				}
				must(t, resp.StatusCode == 200, "%s: %d %s", u, resp.StatusCode, b)
				var pl string
				for _, l := range strings.Split(string(b), "\n") {
					if l != "" && !strings.HasPrefix(l, "#") {
						pl = l
						break
					}
				}
				resp, b = n.get(resolve(t, u, pl))
				must(t, resp.StatusCode == 200 && strings.Contains(string(b), "#EXT-X-KEY:METHOD=AES-128"), "%s: %d, no AES-128 key:\n%s", pl, resp.StatusCode, b)
			}
		}
	}
}

func bitrateOf(t *testing.T, n *node, mpd string) string {
	t.Helper()
	_, b := n.get(mpd)
	m := regexp.MustCompile(`bandwidth="(\d+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no bandwidth in MPD:\n%s", b)
	}
	return string(m[1])
}

// TestStoppedEndpoint: with every streaming endpoint stopped nothing
// streams.
func TestStoppedEndpoint(t *testing.T) {
	mediatest.Require(t)
	n := startNode(t)
	set := mediatest.Muxed(t)
	n.upload("m", set)
	p := n.locator("m-clear", "m", "Predefined_ClearStreamingOnly", nil)
	n.do(http.MethodPost, "/streamingEndpoints/default/stop", nil, 200, nil)
	resp, b := n.get(p.find(t, "Dash", "mpd-time-csf"))
	wantError(t, resp, b, http.StatusForbidden, "MPE_RESOURCE_NOT_FOUND")
}

func TestHTTPBehaviour(t *testing.T) {
	s := published(t)
	n := s.n
	mpd := s.ladder.find(t, "Dash", "format=mpd-time-csf)")
	r1, b1 := n.get(mpd)
	r2, b2 := n.get(mpd)
	must(t, r1.StatusCode == 200 && string(b1) == string(b2), "manifest differs between requests")
	must(t, r1.Header.Get("Content-Type") == "application/dash+xml", "content type %q", r1.Header.Get("Content-Type"))
	must(t, r1.Header.Get("Access-Control-Allow-Origin") == "*", "no CORS")
	must(t, strings.Contains(r1.Header.Get("Cache-Control"), "max-age=2"), "manifest cache-control %q", r1.Header.Get("Cache-Control"))
	etag := r1.Header.Get("ETag")
	must(t, etag != "" && etag == r2.Header.Get("ETag"), "etag %q %q", etag, r2.Header.Get("ETag"))
	r3, _ := n.get(mpd, "If-None-Match", etag)
	must(t, r3.StatusCode == http.StatusNotModified, "conditional GET: %d", r3.StatusCode)

	rz, bz := n.get(mpd, "Accept-Encoding", "gzip")
	must(t, rz.Header.Get("Content-Encoding") == "gzip", "no gzip")
	zr, err := gzip.NewReader(strings.NewReader(string(bz)))
	must(t, err == nil, "gzip: %v", err)
	unz, _ := io.ReadAll(zr)
	must(t, string(unz) == string(b1), "gzip body differs")

	// A media segment: long-lived, ranged, HEAD.
	seg := regexp.MustCompile(`media="([^"]+)"`).FindSubmatch(b1)
	must(t, seg != nil, "no media template")
	rate := bitrateOf(t, n, mpd)
	segURL := strings.TrimSuffix(mpd, mpd[strings.Index(mpd, ".ism/")+5:]) +
		strings.NewReplacer("$Bandwidth$", rate, "$Time$", "0", "&amp;", "&").Replace(string(seg[1]))
	rs, bs := n.get(segURL)
	must(t, rs.StatusCode == 200 && len(bs) > 1000, "segment: %d %d bytes (%s)", rs.StatusCode, len(bs), segURL)
	must(t, strings.Contains(rs.Header.Get("Cache-Control"), "immutable"), "segment cache-control %q", rs.Header.Get("Cache-Control"))
	rr, br := n.get(segURL, "Range", "bytes=10-19")
	must(t, rr.StatusCode == http.StatusPartialContent && string(br) == string(bs[10:20]), "range: %d", rr.StatusCode)
	req, _ := http.NewRequest(http.MethodHead, n.origin+segURL, nil)
	rh, err := http.DefaultClient.Do(req)
	must(t, err == nil && rh.StatusCode == 200 && rh.ContentLength == int64(len(bs)), "HEAD: %v %d", err, rh.ContentLength)
	rh.Body.Close()
	req, _ = http.NewRequest(http.MethodOptions, n.origin+segURL, nil)
	ro, err := http.DefaultClient.Do(req)
	must(t, err == nil && ro.StatusCode == http.StatusNoContent && strings.Contains(ro.Header.Get("Access-Control-Allow-Headers"), "Range"), "OPTIONS")
	ro.Body.Close()
	req, _ = http.NewRequest(http.MethodPost, n.origin+segURL, nil)
	rp, err := http.DefaultClient.Do(req)
	must(t, err == nil && rp.StatusCode == http.StatusMethodNotAllowed, "POST")
	rp.Body.Close()
}

// TestCMAFNeedsEncryptionArg: AMS answered a CMAF request on an encrypting
// locator without encryption= with 400 MPE_ENC_ENCRYPTION_NOT_SPECIFIED_IN_URL
// (ams-v3-api.md §9.2), even when the policy has a single scheme; other
// formats get that scheme, and clear locators stream CMAF as before.
func TestCMAFNeedsEncryptionArg(t *testing.T) {
	p := publishedProtected(t)
	n := p.n
	envelope := p.envelope.find(t, "Hls", "format=m3u8-cmaf,encryption=cbc")
	cenc := p.cenc.find(t, "Dash", "format=mpd-time-cmaf,encryption=cenc")
	strip := func(u string) string { return regexp.MustCompile(`,encryption=[a-z-]+`).ReplaceAllString(u, "") }
	for _, u := range []string{
		strip(envelope),
		strip(cenc),
		strings.Replace(strip(cenc), "mpd-time-cmaf", "m3u8-cmaf", 1),
		// Sub-URLs of a CMAF request carry the argument too.
		strings.Replace(strip(cenc), "manifest(format=mpd-time-cmaf)", "QualityLevels(128092)/Fragments(aac_eng_2_128092_1_1=0,format=mpd-time-cmaf)", 1),
	} {
		resp, b := n.get(u)
		wantError(t, resp, b, http.StatusBadRequest, "MPE_ENC_ENCRYPTION_NOT_SPECIFIED_IN_URL")
	}
	for _, u := range []string{
		envelope, cenc,
		strip(p.envelope.find(t, "Hls", "format=m3u8-aapl,encryption=cbc")),
		strip(p.cenc.find(t, "Dash", "format=mpd-time-csf,encryption=cenc")),
		p.ladder.find(t, "Hls", "format=m3u8-cmaf)"),
		p.ladder.find(t, "Dash", "format=mpd-time-cmaf)"),
	} {
		resp, b := n.get(u)
		must(t, resp.StatusCode == http.StatusOK, "%s: %d %s", u, resp.StatusCode, b)
	}
}
