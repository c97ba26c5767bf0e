package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lockstream/lockstream/internal/api"
	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/blob/local"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store/sqlite"
)

// Fixed identities of the test server. testClientID is the client id of
// the bootstrap Owner; its secret is random per server and only ever
// exchanged for an access token at the token endpoint.
const (
	testSub      = "00000000-0000-0000-0000-0000000000a1"
	testRG       = "rg1"
	testAccount  = "acct1"
	testClientID = "test-client"

	apiVersion = "2022-08-01"
	// av is the query string of an ordinary request.
	av = "api-version=" + apiVersion

	// acctPath is the ARM path of the test account, in Metadata casing.
	acctPath = "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaServices/" + testAccount

	testMaxBody  = 64 << 10
	testPageSize = 3
)

// testServer is a management API over real backends: SQLite in a temporary
// directory, the local blob store and a keyring with a fresh KEK. Callers
// authenticate as in production: the identity service (sharing the store
// and keyring, as core wires it) issues access tokens and auth.JWT
// verifies them. Requests carry the bootstrap Owner's token unless they
// set their own Authorization header.
type testServer struct {
	tb       testing.TB
	API      *api.Server
	HTTP     *httptest.Server
	Store    *sqlite.Store
	Blob     *local.Store
	DBPath   string
	BlobRoot string
	log      *lockedBuffer

	// Identity is the identity environment: Identity.Svc issues tokens
	// and is the server's Auth key set, directory, Audit and Identity;
	// Identity.Clock is the time tokens are issued and verified at. Its
	// Svc runs on Store, not on Identity.Store (an unused database
	// identitytest opens).
	Identity *identitytest.Env
	// Verifier is the server's authenticator.
	Verifier *auth.JWT
	// bootstrapSecret is the bootstrap Owner's secret; bearer is
	// "Bearer " plus an access token obtained with it.
	bootstrapSecret string
	bearer          string

	closeOnce sync.Once
}

// lockedBuffer collects the server log; it is printed when a test fails.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestServer starts a server with one account, testAccount, and closes
// everything when tb ends.
func newTestServer(tb testing.TB) *testServer {
	tb.Helper()
	return newTestServerIn(tb, tb.TempDir())
}

// newFuzzServer is newTestServer with the database on a RAM file system
// when there is one: SQLite syncs every commit, and on a disk that caps a
// fuzz target at a few dozen executions a second.
//
// The fuzzing engine kills its workers without running cleanups, so the
// directory is named after the process and directories of processes that
// are gone are removed first.
func newFuzzServer(tb testing.TB) *testServer {
	tb.Helper()
	const shm, prefix = "/dev/shm", "lockstream-fuzz-"
	if old, _ := filepath.Glob(filepath.Join(shm, prefix+"*")); len(old) > 0 {
		for _, d := range old {
			pid, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), prefix), "-")
			if _, err := os.Stat("/proc/" + pid); pid != "" && os.IsNotExist(err) {
				_ = os.RemoveAll(d)
			}
		}
	}
	dir, err := os.MkdirTemp(shm, prefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return newTestServer(tb)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	return newTestServerIn(tb, dir)
}

func newTestServerIn(tb testing.TB, dir string) *testServer {
	tb.Helper()
	ctx := context.Background()
	ts := &testServer{tb: tb, DBPath: filepath.Join(dir, "lockstream.db"), BlobRoot: filepath.Join(dir, "blob"), log: &lockedBuffer{}}

	st, err := sqlite.Open(ctx, ts.DBPath)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	ts.Store = st
	signing := make([]byte, local.MinSigningKeyBytes)
	if _, err := rand.Read(signing); err != nil {
		tb.Fatal(err)
	}
	bs, err := local.New(local.Config{Root: ts.BlobRoot, PublicBaseURL: "http://blob.lockstream.test", SigningKey: signing})
	if err != nil {
		_ = st.Close()
		tb.Fatalf("open local blob store: %v", err)
	}
	ts.Blob = bs
	kek, err := keys.NewKEK(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	ring, err := keys.NewKeyring(rand.Reader, kek)
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(ts.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts.Identity = identitytest.New(tb, func(c *identity.Config) { c.Store, c.Sealer = st, ring })
	svc := ts.Identity.Svc
	// As core does at startup: the bootstrap principal, then a signing key.
	ts.bootstrapSecret = hex.EncodeToString(randBytes(tb, 24))
	if err := svc.EnsureBootstrap(ctx, testClientID, ts.bootstrapSecret); err != nil {
		tb.Fatalf("bootstrap principal: %v", err)
	}
	if err := svc.Maintain(ctx); err != nil {
		tb.Fatalf("identity keys: %v", err)
	}
	ts.Verifier = newVerifier(tb, ts.Identity, log)
	ts.API = &api.Server{
		Store:      st,
		Blob:       bs,
		Sealer:     ring,
		Auth:       ts.Verifier,
		Audit:      svc,
		Identity:   svc,
		Log:        log,
		OriginHost: "origin.lockstream.test",
		Location:   "westus",
		PageSize:   testPageSize,
		MaxBody:    testMaxBody,
	}
	ts.bearer = "Bearer " + ts.Identity.Token(tb, nil, testClientID, ts.bootstrapSecret)
	ts.HTTP = httptest.NewServer(ts.API)
	ts.API.PublicURL = ts.HTTP.URL
	tb.Cleanup(func() {
		ts.close()
		if tb.Failed() {
			tb.Logf("server log:\n%s", ts.log.String())
		}
	})

	ts.mustDo(http.MethodPut, acctPath, `{"location":"westus","properties":{}}`, http.StatusOK, http.StatusCreated)
	return ts
}

// newVerifier builds the bearer verifier the way core does (the identity
// service is key set and directory; issuer, audience and tenant come from
// it), for tokens requested from identitytest.Host, verifying at env's
// clock.
func newVerifier(tb testing.TB, env *identitytest.Env, log *slog.Logger) *auth.JWT {
	tb.Helper()
	svc := env.Svc
	j, err := auth.NewJWT(auth.JWTConfig{Keys: svc, Directory: svc, Issuers: []string{svc.Issuer("https://" + identitytest.Host)},
		Audience: svc.Audience(), TenantID: svc.TenantID(), Now: env.Clock.Now, Log: log})
	if err != nil {
		tb.Fatalf("bearer verifier: %v", err)
	}
	return j
}

// newPrincipal creates a service principal holding the given role
// assignments (role, scope pairs) and returns its client id, secret and a
// fresh access token.
func (ts *testServer) newPrincipal(roleScope ...string) (clientID, secret, token string) {
	ts.tb.Helper()
	clientID, secret = ts.Identity.NewClient(ts.tb, roleScope...)
	return clientID, secret, ts.Identity.Token(ts.tb, nil, clientID, secret)
}

// close stops the HTTP server and closes the stores; it may be called more
// than once.
func (ts *testServer) close() {
	ts.closeOnce.Do(func() {
		ts.HTTP.Close()
		if err := ts.Store.Close(); err != nil {
			ts.tb.Errorf("close sqlite: %v", err)
		}
		_ = ts.Blob.Close()
	})
}

// response is a completed request.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// armError is the ARM error body.
type armError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Target  string `json:"target"`
	} `json:"error"`
}

// do sends one request over HTTP. query is the raw query string, sent as
// is. The bootstrap Owner's bearer token and (with a body) Content-Type:
// application/json are added unless hdr names the header; a header mapped
// to "" is removed.
func (ts *testServer) do(method, path, query string, hdr map[string]string, body string) *response {
	ts.tb.Helper()
	u := ts.HTTP.URL + path
	if query != "" {
		u += "?" + query
	}
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		ts.tb.Fatalf("build request %s %s: %v", method, u, err)
	}
	setHeaders(req, ts.bearer, hdr, body != "")
	res, err := ts.HTTP.Client().Do(req)
	if err != nil {
		ts.tb.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ts.tb.Fatalf("%s %s: read body: %v", method, u, err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func setHeaders(req *http.Request, bearer string, hdr map[string]string, hasBody bool) {
	req.Header.Set("Authorization", bearer)
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
}

// call is do with the default api-version.
func (ts *testServer) call(method, path, body string) *response {
	ts.tb.Helper()
	return ts.do(method, path, av, nil, body)
}

// mustDo sends a request with the default api-version and fails unless the
// status is one of want.
func (ts *testServer) mustDo(method, path, body string, want ...int) *response {
	ts.tb.Helper()
	r := ts.call(method, path, body)
	for _, w := range want {
		if r.Status == w {
			return r
		}
	}
	ts.tb.Fatalf("%s %s: status %d, want %v; body: %s", method, path, r.Status, want, r.Body)
	return nil
}

// a returns the path of a resource below the test account.
func a(rel string) string { return acctPath + rel }

// decodeJSON unmarshals b into a generic value, failing the test when it
// is not JSON.
func decodeJSON(tb testing.TB, b []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("response is not a JSON object: %v; body: %s", err, b)
	}
	return m
}

// checkError asserts an ARM error response: status, error.code in the body
// and in x-ms-error-code, a non-empty message, and for 401 a
// WWW-Authenticate challenge. It returns the decoded error.
func checkError(tb testing.TB, r *response, wantStatus int, wantCode string) *armError {
	tb.Helper()
	if r.Status != wantStatus {
		tb.Errorf("status %d, want %d; body: %s", r.Status, wantStatus, r.Body)
	}
	var e armError
	if err := json.Unmarshal(r.Body, &e); err != nil {
		tb.Errorf("error body is not JSON: %v; body: %q", err, r.Body)
		return &e
	}
	if e.Error.Code == "" {
		tb.Errorf("error.code is empty; body: %s", r.Body)
	}
	if wantCode != "" && e.Error.Code != wantCode {
		tb.Errorf("error.code %q, want %q; body: %s", e.Error.Code, wantCode, r.Body)
	}
	if h := r.Header.Get("x-ms-error-code"); h != e.Error.Code {
		tb.Errorf("x-ms-error-code %q, want %q (= error.code)", h, e.Error.Code)
	}
	if strings.TrimSpace(e.Error.Message) == "" {
		tb.Errorf("error.message is empty; body: %s", r.Body)
	}
	if wantStatus == http.StatusUnauthorized && r.Header.Get("WWW-Authenticate") == "" {
		tb.Errorf("401 without WWW-Authenticate")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("error Content-Type %q, want application/json", ct)
	}
	return &e
}

// Request bodies of valid resources, used as fixtures and fuzz seeds.
const (
	assetBody = `{"properties":{"description":"an asset","alternateId":"alt-1"}}`

	ckpClearOpenBody = `{"properties":{"description":"clear key, open","options":[{"name":"open",` +
		`"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},` +
		`"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyOpenRestriction"}}]}}`

	spNoEncBody = `{"properties":{"noEncryption":{"enabledProtocols":{"download":true,"dash":true,"hls":true,"smoothStreaming":true}}}}`

	spEnvelopeBody = `{"properties":{"defaultContentKeyPolicyName":"ckp1","envelopeEncryption":{` +
		`"enabledProtocols":{"download":false,"dash":true,"hls":true,"smoothStreaming":true},` +
		`"contentKeys":{"defaultKey":{"label":"k1"}}}}}`

	// spEnvelopeNoCKPBody encrypts but names no content key policy.
	spEnvelopeNoCKPBody = `{"properties":{"envelopeEncryption":{` +
		`"enabledProtocols":{"download":false,"dash":true,"hls":true,"smoothStreaming":true},` +
		`"contentKeys":{"defaultKey":{"label":"k1"}}}}}`

	locatorClearBody = `{"properties":{"assetName":"asset1","streamingPolicyName":"Predefined_ClearStreamingOnly"}}`

	accountFilterBody = `{"properties":{"presentationTimeRange":{"startTimestamp":0,"endTimestamp":100000000,"timescale":10000000},` +
		`"tracks":[{"trackSelections":[{"property":"Type","operation":"Equal","value":"Video"}]}]}}`

	endpointBody = `{"location":"westus","properties":{"scaleUnits":0,"description":"se"}}`

	accountBody = `{"location":"westus","tags":{"env":"test"},"properties":{}}`
)

// ckpTokenBody is a content key policy with a JWT token restriction whose
// symmetric key is key.
func ckpTokenBody(key []byte) string {
	return `{"properties":{"description":"token","options":[{"name":"tok",` +
		`"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},` +
		`"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction",` +
		`"issuer":"https://issuer.test","audience":"urn:test","restrictionTokenType":"Jwt",` +
		`"primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"` + b64(key) + `"},` +
		`"requiredClaims":[{"claimType":"urn:microsoft:azure:mediaservices:contentkeyidentifier"}]}}]}}`
}

// seed creates the resources most tests refer to: asset "asset1", content
// key policy "ckp1" (ClearKey, open), streaming policy "spEnv" (envelope,
// default policy ckp1, key label "k1") and locator "loc1" (asset1, clear).
func (ts *testServer) seed() {
	ts.tb.Helper()
	ts.mustDo(http.MethodPut, a("/assets/asset1"), assetBody, http.StatusOK, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/contentKeyPolicies/ckp1"), ckpClearOpenBody, http.StatusOK, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/streamingPolicies/spEnv"), spEnvelopeBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/streamingLocators/loc1"), locatorClearBody, http.StatusCreated)
}

// randBytes returns n random bytes.
func randBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// b64 is standard base64 with padding, as AMS byte fields are sent.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
