package teste2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
)

// Bootstrap principal and identity settings of every test server.
const (
	testClientID     = "e2e-admin"
	testClientSecret = "e2e-secret-0123456789abcdef"
	testSubscription = "00000000-0000-0000-0000-00000000e2e0"
	// testTenant is the tenant of the built-in identity provider.
	testTenant = "00000000-0000-0000-0000-0000000e2e7e"
	// testAudience is what the SDK asks tokens for (scope <audience>/.default).
	testAudience = "https://management.lockstream.test"
)

// harness is one running Lockstream node plus SDK clients bound to it.
type harness struct {
	t    *testing.T
	Core *core.Core
	// APIURL is the management API base URL ("https://127.0.0.1:port"),
	// also the identity provider's authority host.
	APIURL string
	// OriginAddr is the streaming origin's host:port.
	OriginAddr string
	Sub        string
	// HTTP trusts the node's development CA certificate and nothing else;
	// every client of the tests (SDK, azidentity, azblob, raw HTTP) uses it.
	HTTP  *http.Client
	Cloud cloud.Configuration

	Cred    azcore.TokenCredential
	Options *arm.ClientOptions

	Accounts           *armmediaservices.Client
	Assets             *armmediaservices.AssetsClient
	AssetFilters       *armmediaservices.AssetFiltersClient
	AccountFilters     *armmediaservices.AccountFiltersClient
	ContentKeyPolicies *armmediaservices.ContentKeyPoliciesClient
	StreamingPolicies  *armmediaservices.StreamingPoliciesClient
	StreamingLocators  *armmediaservices.StreamingLocatorsClient
	StreamingEndpoints *armmediaservices.StreamingEndpointsClient
}

// startServer starts a Lockstream node on loopback ports with a temporary
// data dir (embedded SQLite, local blob store), serving HTTPS with its
// self-signed development certificate, and returns SDK clients for it
// that authenticate as the bootstrap principal through azidentity. mutate,
// when non-nil, adjusts the configuration before start (e.g. to select the
// postgres store). The node is closed when the test ends.
func startServer(t *testing.T, mutate func(*conf.Conf)) *harness {
	t.Helper()
	c := conf.Default()
	c.DataDir = t.TempDir()
	c.API.Listen = "127.0.0.1:0"
	c.Origin.Listen = "127.0.0.1:0"
	c.Blob.Listen = "127.0.0.1:0"
	c.TLS.SelfSigned = true
	c.Identity.TenantID = testTenant
	c.Identity.Audience = testAudience
	c.Bootstrap.ClientID = testClientID
	c.Bootstrap.ClientSecret = testClientSecret
	c.Log.Level = "warn"
	if lv := os.Getenv("LOCKSTREAM_E2E_LOG"); lv != "" {
		c.Log.Level = lv
	}
	if mutate != nil {
		mutate(&c)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("test configuration: %v", err)
	}

	lw := &testLogWriter{t: t}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Log.Level)); err != nil {
		t.Fatalf("log level %q: %v", c.Log.Level, err)
	}
	n := &core.Core{Conf: c, Log: slog.New(slog.NewTextHandler(lw, &slog.HandlerOptions{Level: level}))}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Initialize(ctx); err != nil {
		t.Fatalf("start lockstream: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			t.Errorf("close lockstream: %v", err)
		}
		lw.stop()
	})
	if n.Identity() == nil {
		t.Fatal("the node exposes no identity service")
	}

	h := &harness{
		t:          t,
		Core:       n,
		APIURL:     "https://" + n.Addr("api"),
		OriginAddr: n.Addr("origin"),
		Sub:        testSubscription,
		HTTP:       trustingClient(t, c.DataDir),
	}
	h.Cloud = cloud.Configuration{
		// https is mandatory for azidentity; the token endpoint, OIDC
		// discovery and the ARM API share the one listener.
		ActiveDirectoryAuthorityHost: h.APIURL + "/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: h.APIURL, Audience: testAudience},
		},
	}
	h.Options = h.sdkOptions()
	h.Cred = h.credential(testClientID, testClientSecret)
	h.newClients()
	return h
}

// trustingClient returns an HTTP client whose only trust anchor is the
// node's development certificate (<dataDir>/tls/cert.pem).
func trustingClient(t *testing.T, dataDir string) *http.Client {
	t.Helper()
	certFile, _, err := core.DevCertificate(dataDir, time.Now())
	if err != nil {
		t.Fatalf("development certificate: %v", err)
	}
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", certFile)
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 16,
		ForceAttemptHTTP2:   true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// quickRetry fails a refused request fast, while a transient 5xx/429 still
// gets retried as in production.
var quickRetry = policy.RetryOptions{MaxRetries: 3, RetryDelay: 20 * time.Millisecond, MaxRetryDelay: 200 * time.Millisecond}

// sdkOptions points the ARM pipeline at the node, over HTTPS with the
// trusting transport.
func (h *harness) sdkOptions() *arm.ClientOptions {
	return &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud:     h.Cloud,
			Transport: h.HTTP,
			Retry:     quickRetry,
		},
		DisableRPRegistration: true,
	}
}

func (h *harness) newClients() {
	t := h.t
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatalf("create SDK client: %v", err)
		}
	}
	var err error
	h.Accounts, err = armmediaservices.NewClient(h.Sub, h.Cred, h.Options)
	must(err)
	h.Assets, err = armmediaservices.NewAssetsClient(h.Sub, h.Cred, h.Options)
	must(err)
	h.AssetFilters, err = armmediaservices.NewAssetFiltersClient(h.Sub, h.Cred, h.Options)
	must(err)
	h.AccountFilters, err = armmediaservices.NewAccountFiltersClient(h.Sub, h.Cred, h.Options)
	must(err)
	h.ContentKeyPolicies, err = armmediaservices.NewContentKeyPoliciesClient(h.Sub, h.Cred, h.Options)
	must(err)
	h.StreamingPolicies, err = armmediaservices.NewStreamingPoliciesClient(h.Sub, h.Cred, h.Options)
	must(err)
	h.StreamingLocators, err = armmediaservices.NewStreamingLocatorsClient(h.Sub, h.Cred, h.Options)
	must(err)
	h.StreamingEndpoints, err = armmediaservices.NewStreamingEndpointsClient(h.Sub, h.Cred, h.Options)
	must(err)
}

// ---------------------------------------------------------------------------
// Credentials — THE ONE PLACE test authentication lives.
//
// Every test authenticates the way a real AMS client does: an
// azidentity.ClientSecretCredential whose authority host is the node
// itself (OAuth2 client credentials at /{tenant}/oauth2/v2.0/token, found
// through OIDC discovery), over HTTPS with the development certificate
// trusted, instance discovery off. There is no static or fake credential.
// ---------------------------------------------------------------------------

// credential returns an azidentity client-secret credential for a
// principal of the node. Construction fails only on bad options, so it
// fails the test.
func (h *harness) credential(clientID, secret string) *azidentity.ClientSecretCredential {
	h.t.Helper()
	cred, err := azidentity.NewClientSecretCredential(testTenant, clientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: h.Cloud, Transport: h.HTTP, Retry: quickRetry},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		h.t.Fatalf("azidentity.NewClientSecretCredential: %v", err)
	}
	return cred
}

// ---------------------------------------------------------------------------
// Small helpers shared by the tests.
// ---------------------------------------------------------------------------

// capture returns a context that records the raw HTTP response of the SDK
// call made with it, and a function returning its status code (0 if none).
func capture(ctx context.Context) (context.Context, func() int) {
	var resp *http.Response
	ctx = runtime.WithCaptureResponse(ctx, &resp)
	return ctx, func() int {
		if resp == nil {
			return 0
		}
		return resp.StatusCode
	}
}

// wantResponseError fails unless err is an *azcore.ResponseError with the
// given status (and error code, when code is not empty).
func wantResponseError(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		t.Errorf("%s: got error %v; want *azcore.ResponseError with status %d", what, err, status)
		return
	}
	if re.StatusCode != status || (code != "" && re.ErrorCode != code) {
		t.Errorf("%s: got status %d code %q; want %d %q (%v)", what, re.StatusCode, re.ErrorCode, status, code, err)
	}
}

// pollOpts is the fastest polling PollUntilDone accepts.
var pollOpts = &runtime.PollUntilDoneOptions{Frequency: time.Second}

// testCtx returns a context cancelled when the test ends or after d.
func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// deref returns *p or the zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// testLogWriter forwards server logs to the test log until stop, so late
// log lines after the test finished cannot panic.
type testLogWriter struct {
	mu      sync.Mutex
	t       *testing.T
	stopped bool
}

func (w *testLogWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log("server: " + strings.TrimRight(string(b), "\n"))
	}
	return len(b), nil
}

func (w *testLogWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}

var _ io.Writer = (*testLogWriter)(nil)
