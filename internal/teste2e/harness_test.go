package teste2e

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
)

// Bootstrap principal of every test server.
const (
	testClientID     = "e2e-admin"
	testClientSecret = "e2e-secret-0123456789abcdef"
	testSubscription = "00000000-0000-0000-0000-00000000e2e0"
	// testAudience is what the SDK asks tokens for (scope <audience>/.default).
	testAudience = "https://management.lockstream.test"
)

// harness is one running Lockstream node plus SDK clients bound to it.
type harness struct {
	t    *testing.T
	Core *core.Core
	// APIURL is the management API base URL ("http://127.0.0.1:port").
	APIURL string
	// OriginAddr is the streaming origin's host:port.
	OriginAddr string
	Sub        string

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
// data dir (embedded SQLite, local blob store) and returns SDK clients for
// it. mutate, when non-nil, adjusts the configuration before start (e.g. to
// select the postgres store). The node is closed when the test ends.
func startServer(t *testing.T, mutate func(*conf.Conf)) *harness {
	t.Helper()
	c := conf.Default()
	c.DataDir = t.TempDir()
	c.API.Listen = "127.0.0.1:0"
	c.Origin.Listen = "127.0.0.1:0"
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

	h := &harness{
		t:          t,
		Core:       n,
		APIURL:     "http://" + n.Addr("api"),
		OriginAddr: n.Addr("origin"),
		Sub:        testSubscription,
		Cred:       newBootstrapCredential(testClientID, testClientSecret),
	}
	h.Options = sdkOptions(h.APIURL)
	h.newClients()
	return h
}

// sdkOptions points the ARM pipeline at a Lockstream API base URL.
func sdkOptions(apiURL string) *arm.ClientOptions {
	cfg := cloud.Configuration{
		// Unused by the bootstrap credential; azidentity will need it (https).
		ActiveDirectoryAuthorityHost: "https://sts.lockstream.test/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: apiURL, Audience: testAudience},
		},
	}
	return &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud: cfg,
			// The server speaks plain http for now; without this the bearer
			// policy refuses to send the token.
			InsecureAllowCredentialWithHTTP: true,
			// Quick retries: a refused request should fail the test fast,
			// while a transient 5xx/429 still gets retried as in production.
			Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: 20 * time.Millisecond, MaxRetryDelay: 200 * time.Millisecond},
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
// Credential — THE ONE PLACE test authentication lives.
//
// Until the identity issue lands, the management API accepts the bootstrap
// principal as "Authorization: Bearer <clientId>:<secret>", so the
// credential hands the SDK that string as its access token. When OAuth2
// client credentials arrive, replace newBootstrapCredential with
// azidentity.NewClientSecretCredential (cloud config from sdkOptions,
// DisableInstanceDiscovery: true, a transport trusting the test CA) and
// nothing else in this package changes.
// ---------------------------------------------------------------------------

// bootstrapCredential is an azcore.TokenCredential returning
// "<clientId>:<secret>" as the bearer token.
type bootstrapCredential struct{ token string }

func newBootstrapCredential(clientID, secret string) azcore.TokenCredential {
	return &bootstrapCredential{token: clientID + ":" + secret}
}

// GetToken implements azcore.TokenCredential.
func (c *bootstrapCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if len(opts.Scopes) != 1 || opts.Scopes[0] != testAudience+"/.default" {
		return azcore.AccessToken{}, fmt.Errorf("bootstrap credential: unexpected scopes %q", opts.Scopes)
	}
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
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
