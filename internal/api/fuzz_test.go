package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Fuzz targets drive the handler in-process (ServeHTTP with a recorder), so
// a panic fails the fuzz run instead of being swallowed by net/http.
//
// Corpus entries in testdata/fuzz/<Target>/ reproduce these findings:
//
//   - FuzzServeJSON/nul-in-asset-put, FuzzServeJSON/nul-in-ckp-patch: a
//     string holding \u0000 reached the store, which refuses it with
//     store.ErrInvalid, and the API answered 500 InternalServerError; it is
//     now 400 InvalidRequestContent (toError maps store.ErrInvalid).

// serve runs one request through ts.API.ServeHTTP, reporting through tb
// (a fuzz target must not report through the *testing.F).
func (ts *testServer) serve(tb testing.TB, method, target string, body []byte, hdr map[string]string) *response {
	tb.Helper()
	u, err := url.ParseRequestURI(target)
	if err != nil {
		tb.Fatalf("bad target %q: %v", target, err)
	}
	req := &http.Request{
		Method:     method,
		URL:        u,
		RequestURI: target,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{},
		Host:          "api.lockstream.test",
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
	}
	if len(body) > 0 {
		req.Body = httpBody(body)
	}
	setHeaders(req, ts.bearer, hdr, len(body) > 0)
	rec := httptest.NewRecorder()
	ts.API.ServeHTTP(rec, req)
	return &response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func httpBody(b []byte) readCloser { return readCloser{bytes.NewReader(b)} }

// checkResponse states what every answer must satisfy: no 5xx, an ARM
// error body with a matching x-ms-error-code on 4xx, JSON on 2xx.
func checkResponse(tb testing.TB, what string, r *response) {
	tb.Helper()
	switch {
	case r.Status >= 500:
		tb.Fatalf("%s: server error %d: %s", what, r.Status, r.Body)
	case r.Status >= 400:
		var e armError
		if err := json.Unmarshal(r.Body, &e); err != nil {
			tb.Fatalf("%s: %d with a non-JSON body: %v: %q", what, r.Status, err, r.Body)
		}
		if e.Error.Code == "" || e.Error.Message == "" {
			tb.Fatalf("%s: %d without error.code or error.message: %s", what, r.Status, r.Body)
		}
		if h := r.Header.Get("x-ms-error-code"); h != e.Error.Code {
			tb.Fatalf("%s: x-ms-error-code %q != error.code %q", what, h, e.Error.Code)
		}
	case r.Status >= 200 && r.Status < 300 && len(bytes.TrimSpace(r.Body)) > 0:
		if !json.Valid(r.Body) {
			tb.Fatalf("%s: %d with a non-JSON body: %q", what, r.Status, r.Body)
		}
	}
}

// secretMembers are the content key policy members AMS blanks in GET,
// LIST, PUT and PATCH responses.
var secretMembers = map[string]bool{"keyValue": true, "modulus": true, "exponent": true, "rawBody": true,
	"ask": true, "fairPlayPfx": true, "fairPlayPfxPassword": true}

// findSecret returns the path of a non-empty secret member in v.
func findSecret(v any, path string) string {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && secretMembers[k] && s != "" {
				return path + "." + k
			}
			if p := findSecret(e, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findSecret(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// fuzzTarget is one write FuzzServeJSON aims its bodies at.
type fuzzTarget struct {
	path   string
	method string // PUT, PATCH or POST
	// valid is a body the target accepts; before a PATCH it is PUT to
	// reset the resource, so each input starts from the same state.
	valid string
	// createOnly targets are deleted after a successful create.
	createOnly bool
}

var fuzzAcct2 = "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/fzacct"

var fuzzTargets = []fuzzTarget{
	{path: a("/assets/fz"), method: http.MethodPut, valid: assetBody},
	{path: a("/assets/fz"), method: http.MethodPatch, valid: assetBody},
	{path: a("/contentKeyPolicies/fz"), method: http.MethodPut, valid: ckpClearOpenBody},
	{path: a("/contentKeyPolicies/fz"), method: http.MethodPatch, valid: ckpTokenBody([]byte("0123456789abcdef0123456789abcdef"))},
	{path: a("/streamingPolicies/fz"), method: http.MethodPut, valid: spEnvelopeBody, createOnly: true},
	{path: a("/streamingLocators/fz"), method: http.MethodPut, valid: locatorClearBody, createOnly: true},
	{path: a("/accountFilters/fz"), method: http.MethodPut, valid: accountFilterBody},
	{path: a("/accountFilters/fz"), method: http.MethodPatch, valid: accountFilterBody},
	{path: a("/assets/asset1/assetFilters/fz"), method: http.MethodPut, valid: accountFilterBody},
	{path: a("/streamingEndpoints/fz"), method: http.MethodPut, valid: endpointBody},
	{path: a("/streamingEndpoints/fz"), method: http.MethodPatch, valid: endpointBody},
	{path: fuzzAcct2, method: http.MethodPut, valid: accountBody},
	{path: fuzzAcct2, method: http.MethodPatch, valid: accountBody},
	{path: a("/transforms/fz"), method: http.MethodPut, valid: `{"properties":{"outputs":[{"preset":` + builtInAdaptive + `}]}}`},
	{path: a("/transforms/trfz/jobs/fz"), method: http.MethodPut, valid: jobBody(assetInput("asset1"), assetOutputs("asset1")), createOnly: true},
	{path: a("/transforms/trfz/jobs/fz/cancelJob"), method: http.MethodPost},
	{path: a("/assets/asset1/listContainerSas"), method: http.MethodPost},
	{path: a("/streamingEndpoints/default/scale"), method: http.MethodPost},
	{path: "/subscriptions/" + testSub + "/providers/Microsoft.Media/locations/westus/checkNameAvailability", method: http.MethodPost},
}

// fuzzSeeds are bodies worth starting from, beyond each target's valid one.
func fuzzSeeds() []string {
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	return []string{
		``, `{}`, `null`, `[]`, `{"properties":null}`, `{"properties":[]}`,
		ckpTokenBody([]byte("0123456789abcdef")),
		fairPlayBody([]byte("0123456789abcdef"), []byte{0x30, 0x82, 1, 2}, "pw", []byte("0123456789abcdef")),
		ckpWith(configOption(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyWidevineConfiguration","widevineTemplate":"{\"allowed_track_types\":\"SD_HD\",\"content_key_specs\":[{\"track_type\":\"SD\",\"security_level\":1}]}"}`)),
		ckpWith(configOption(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration","licenses":[{"allowTestDevices":false,"licenseType":"NonPersistent",` +
			`"contentKeyLocation":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"},"contentType":"Unspecified",` +
			`"playRight":{"digitalVideoOnlyContentRestriction":false,"imageConstraintForAnalogComponentVideoRestriction":true,"imageConstraintForAnalogComputerMonitorRestriction":false,` +
			`"allowPassingVideoContentToUnknownOutput":"NotAllowed","scmsRestriction":2}}]}`)),
		ckpWith(tokenOption(`"issuer":"i","audience":"a","restrictionTokenType":"Jwt","primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyRsaTokenKey","exponent":"AQAB","modulus":"AAEC"}`)),
		ckpWith(tokenOption(`"issuer":"i","audience":"a","restrictionTokenType":"Swt","primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey","rawBody":"MIIB"}`)),
		spNoEncBody,
		`{"properties":{"defaultContentKeyPolicyName":"ckp1","commonEncryptionCenc":{"enabledProtocols":{"download":false,"dash":true,"hls":false,"smoothStreaming":true},` +
			`"clearTracks":[{"trackSelections":[{"property":"FourCC","operation":"Equal","value":"hev1"}]}],` +
			`"contentKeys":{"defaultKey":{"label":"cenc"},"keyToTrackMappings":[{"label":"audio","tracks":[{"trackSelections":[{"property":"FourCC","operation":"Equal","value":"mp4a"}]}]}]},` +
			`"drm":{"playReady":{"customLicenseAcquisitionUrlTemplate":"https://l/{ContentKeyId}"},"widevine":{}}}}}`,
		`{"properties":{"defaultContentKeyPolicyName":"ckp1","commonEncryptionCbcs":{"enabledProtocols":{"download":false,"dash":false,"hls":true,"smoothStreaming":false},` +
			`"drm":{"fairPlay":{"allowPersistentLicense":true}}}}}`,
		locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv","streamingLocatorId":"11111111-2222-3333-4444-555555555555",` +
			`"startTime":"2020-01-01T00:00:00Z","endTime":"2040-01-01T00:00:00.1234567Z","alternativeMediaId":"alt","filters":["af1"],` +
			`"contentKeys":[{"id":"9b3c3d7e-7a8a-4d1a-9c55-2a6f0a3e0b11","labelReferenceInStreamingPolicy":"k1","value":"AAECAwQFBgcICQoLDA0ODw=="}]}`),
		locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearKey","defaultContentKeyPolicyName":"ckp1"`),
		`{"properties":{"firstQuality":{"bitrate":128000},"presentationTimeRange":{"liveBackoffDuration":0,"presentationWindowDuration":1200000000,"forceEndTimestamp":false}}}`,
		`{"location":"westus","properties":{"scaleUnits":2,"cdnEnabled":false,"accessControl":{"ip":{"allow":[{"name":"all","address":"0.0.0.0","subnetPrefixLength":0}]}},` +
			`"crossSiteAccessPolicies":{"clientAccessPolicy":"<access-policy/>","crossDomainPolicy":"<cross-domain-policy/>"},"maxCacheAge":60,"customHostNames":["a.example"]}}`,
		`{"location":"westus","properties":{"keyDelivery":{"accessControl":{"defaultAction":"Deny","ipAllowList":["10.0.0.0/8"]}},"storageAccounts":[{"id":"x","type":"Primary"}]}}`,
		`{"permissions":"ReadWrite","expiryTime":"` + future + `"}`,
		jobBody(`{"@odata.type":"#Microsoft.Media.JobInputSequence","inputs":[`+assetInput("asset1")+`,{"@odata.type":"#Microsoft.Media.JobInputHttp","baseUri":"https://h.example/x?sig=s","files":["a.mp4"],"start":{"@odata.type":"#Microsoft.Media.AbsoluteClipTime","time":"PT1S"}}]}`,
			`[{"@odata.type":"#Microsoft.Media.JobOutputAsset","assetName":"asset1","label":"l","presetOverride":{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"H264SingleBitrate720p"}}]`,
			`"priority":"Low"`, `"correlationData":{"a":"b"}`),
		`{"properties":{"description":"d","outputs":[{"onError":"ContinueJob","relativePriority":"High","preset":{"@odata.type":"#Microsoft.Media.StandardEncoderPreset","codecs":[{"@odata.type":"#Microsoft.Media.AacAudio"}],"formats":[{"@odata.type":"#Microsoft.Media.Mp4Format","filenamePattern":"{Basename}{Extension}"}]}}]}}`,
		`{"scaleUnit":1}`,
		`{"name":"newacct","type":"MediaServices"}`,
		`{"properties":{"description":"x","description":"y"}}`,
		`{"properties":{"description":"\u0000\ud800"}}`,
		`{"properties":{"options":[{"configuration":{"@odata.type":null},"restriction":{}}]}}`,
		`{"tags":null,"properties":{"container":null}}`,
	}
}

// FuzzServeJSON sends fuzzed bodies to every PUT, PATCH and POST handler
// that reads one. The server must never panic nor answer 5xx, must answer
// errors in ARM shape, and must never echo a content key policy secret.
func FuzzServeJSON(f *testing.F) {
	ts := newFuzzServer(f)
	ts.seed()
	ts.seedTransform("trfz", 1)
	for i, tg := range fuzzTargets {
		f.Add(uint8(i), []byte(tg.valid))
		for _, s := range fuzzSeeds() {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, body []byte) {
		tg := fuzzTargets[int(target)%len(fuzzTargets)]
		q := tg.path + "?" + av
		switch {
		case tg.method == http.MethodPatch:
			r := ts.serve(t, http.MethodPut, q, []byte(tg.valid), nil)
			if r.Status != http.StatusOK && r.Status != http.StatusCreated {
				t.Fatalf("reset PUT %s: %d %s", tg.path, r.Status, r.Body)
			}
		case tg.createOnly:
			r := ts.serve(t, http.MethodDelete, q, nil, nil)
			if r.Status != http.StatusOK && r.Status != http.StatusNoContent {
				t.Fatalf("reset DELETE %s: %d %s", tg.path, r.Status, r.Body)
			}
		}
		r := ts.serve(t, tg.method, q, body, nil)
		what := fmt.Sprintf("%s %s with body %q", tg.method, tg.path, body)
		checkResponse(t, what, r)
		if r.Status < 300 && strings.Contains(tg.path, "/contentKeyPolicies/") {
			var v any
			_ = json.Unmarshal(r.Body, &v)
			if p := findSecret(v, ""); p != "" {
				t.Fatalf("%s: response shows secret %s: %s", what, p, r.Body)
			}
		}
		if r.Status < 300 && tg.method != http.MethodPost {
			// What was stored must read back.
			g := ts.serve(t, http.MethodGet, q, nil, nil)
			checkResponse(t, "GET after "+what, g)
			if g.Status != http.StatusOK {
				t.Fatalf("GET after %s: %d %s", what, g.Status, g.Body)
			}
		}
	})
}

// validMethod reports whether m is an HTTP token, as net/http requires of
// methods it reads off the wire.
func validMethod(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// FuzzRoutes fuzzes methods, paths and query strings (with a body for the
// writes). The server must never panic nor answer 5xx. Writes that succeed
// may remove the fixtures, so they are re-created afterwards.
func FuzzRoutes(f *testing.F) {
	ts := newFuzzServer(f)
	ts.seed()
	ts.seedTransform("trfz", 1)
	ts.mustDo(http.MethodPut, a("/transforms/trfz/jobs/job1"), jobBody(assetInput("asset1"), assetOutputs("asset1")), http.StatusCreated)
	paths := []string{
		"/", acctPath, a("/assets"), a("/assets/asset1"), a("/ASSETS/Asset1"), a("/assets/asset1/assetFilters"),
		a("/assets/asset1/assetFilters/f1"), a("/assets/asset1/listContainerSas"), a("/assets/asset1/listStreamingLocators"),
		a("/assets/asset1/getEncryptionKey"), a("/contentKeyPolicies"), a("/contentKeyPolicies/ckp1"),
		a("/contentKeyPolicies/ckp1/getPolicyPropertiesWithSecrets"), a("/streamingPolicies"), a("/streamingPolicies/Predefined_ClearKey"),
		a("/streamingPolicies/spEnv"), a("/streamingLocators"), a("/streamingLocators/loc1"), a("/streamingLocators/loc1/listPaths"),
		a("/streamingLocators/loc1/listContentKeys"), a("/streamingEndpoints"), a("/streamingEndpoints/default"),
		a("/streamingEndpoints/default/start"), a("/streamingEndpoints/default/skus"), a("/streamingEndpoints/default/scale"),
		a("/accountFilters"), a("/accountFilters/af1"), a("/syncStorageKeys"), a("/listEdgePolicies"), a("/transforms/t/jobs/j"),
		a("/transforms"), a("/transforms/trfz"), a("/transforms/trfz/jobs"), a("/transforms/trfz/jobs/job1"), a("/transforms/trfz/jobs/job1/cancelJob"),
		"/subscriptions/" + testSub + "/providers/Microsoft.Media/mediaservices",
		"/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices",
		"/subscriptions/" + testSub + "/providers/Microsoft.Media/locations/westus/checkNameAvailability",
		"/subscriptions/" + testSub + "/providers/Microsoft.Media/locations/westus/mediaServicesOperationStatuses/x",
		"/subscriptions/" + testSub + "/providers/Microsoft.Media/locations/westus/mediaServicesOperationResults/x",
		"/providers/Microsoft.Media/operations",
		a("/assets/a%2Fb"), a("/assets/%00"), a("/assets//asset1/"), a("/assets/asset1/assetFilters/f1/x/y"),
	}
	queries := []string{
		av, "", "api-version=2021-11-01&$top=2", av + "&$filter=name%20eq%20'asset1'", av + "&$orderby=name%20desc&$top=1",
		av + "&$filter=properties/created%20gt%202020-01-01T00:00:00Z%20and%20name%20ne%20'x'", av + "&$skiptoken=AQ",
		av + "&autoStart=true", "api-version=2023-01-01&api-version=2022-08-01", av + "&$filter=(name%20eq%20'a'%20or%20name%20eq%20'b')",
		av + "&$filter=properties/state%20eq%20Microsoft.Media.JobState'Processing'",
	}
	methods := []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodPost, http.MethodHead, http.MethodOptions}
	for i, p := range paths {
		for j, q := range queries {
			if (i+j)%3 != 0 && j > 1 {
				continue
			}
			f.Add(methods[(i+j)%len(methods)], p, q, []byte(nil))
		}
		f.Add(http.MethodGet, p, av, []byte(nil))
		f.Add(http.MethodPost, p, av, []byte(`{"permissions":"Read","expiryTime":"2099-01-01T00:00:00Z"}`))
	}
	f.Add(http.MethodPut, a("/assets/new"), av, []byte(assetBody))
	f.Add(http.MethodPatch, acctPath, av, []byte(`{"tags":{"a":"b"}}`))

	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path+query, " \t\r\n#") {
			return
		}
		target := path
		if query != "" {
			target += "?" + query
		}
		if _, err := url.ParseRequestURI(target); err != nil {
			return // net/http would have refused the request line
		}
		if len(body) > 2*testMaxBody {
			body = body[:2*testMaxBody]
		}
		r := ts.serve(t, method, target, body, nil)
		checkResponse(t, fmt.Sprintf("%s %s", method, target), r)
		if method != http.MethodGet && r.Status < 300 {
			ts.ensureFixtures(t)
		}
	})
}

// ensureFixtures re-creates the account and seed resources after a fuzzed
// write may have removed or changed them.
func (ts *testServer) ensureFixtures(t *testing.T) {
	t.Helper()
	for _, x := range []struct{ path, body string }{
		{acctPath, `{"location":"westus","properties":{}}`},
		{a("/assets/asset1"), assetBody},
		{a("/contentKeyPolicies/ckp1"), ckpClearOpenBody},
		{a("/streamingPolicies/spEnv"), spEnvelopeBody},
		{a("/streamingLocators/loc1"), locatorClearBody},
	} {
		r := ts.serve(t, http.MethodPut, x.path+"?"+av, []byte(x.body), nil)
		if r.Status >= 500 {
			t.Fatalf("re-create %s: %d %s", x.path, r.Status, r.Body)
		}
	}
}
