package events_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/api"
	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/blob/local"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/postgres"
	"github.com/lockstream/lockstream/internal/store/sqlite"
	"github.com/lockstream/lockstream/internal/test/pgtest"
	"github.com/lockstream/lockstream/internal/test/proctest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	testSub     = "00000000-0000-0000-0000-0000000000e1"
	testRG      = "rg1"
	testAccount = "acct1"
	mediaAV     = "api-version=2022-08-01"
	gridAV      = "api-version=2022-06-15"
	acctPath    = "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaServices/" + testAccount
	subsPath    = acctPath + "/providers/Microsoft.EventGrid/eventSubscriptions"
)

// testSchedule is Event Grid's schedule scaled down 1000 times (10 ms,
// 30 ms, 60 ms, …) so retries happen within a test.
var testSchedule = func() []time.Duration {
	out := make([]time.Duration, len(events.DefaultSchedule))
	for i, d := range events.DefaultSchedule {
		out[i] = d / 1000
	}
	return out
}()

// loopbackClient is the outbound client of the tests: receivers run on
// loopback, which the production guard refuses, so the tests allow it
// explicitly with a plain client.
type loopbackClient struct{ c *http.Client }

func (l loopbackClient) Client() *http.Client { return l.c }

func newLoopbackClient() loopbackClient {
	return loopbackClient{c: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// env is a management API with an events engine over one store.
type env struct {
	t        testing.TB
	Store    store.Store
	Blob     *local.Store
	Sealer   keys.Sealer
	Identity *identitytest.Env
	API      *api.Server
	HTTP     *httptest.Server
	Engine   *events.Engine
	bearer   string
	log      *proctest.Buffer
	clock    *engineClock
}

// engineClock is real time plus an offset a test can move forward (the
// event time-to-live is at least a minute).
type engineClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *engineClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *engineClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

type envOption func(*events.Config)

func openSQLite(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lockstream.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openPostgres(t testing.TB, dsn string) store.Store {
	t.Helper()
	st, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newEnv starts the API (with the identity provider as fallback handler,
// as core mounts it) and an events engine on st.
func newEnv(t testing.TB, st store.Store, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, Store: st, log: &proctest.Buffer{}, clock: &engineClock{}}
	kek, err := keys.NewKEK(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.NewKeyring(rand.Reader, kek)
	if err != nil {
		t.Fatal(err)
	}
	e.Sealer = ring
	signing := make([]byte, local.MinSigningKeyBytes)
	_, _ = rand.Read(signing)
	bs, err := local.New(local.Config{Root: filepath.Join(t.TempDir(), "blob"), PublicBaseURL: "http://blob.lockstream.test", SigningKey: signing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bs.Close() })
	e.Blob = bs
	log := slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.Identity = identitytest.New(t, func(c *identity.Config) { c.Store, c.Sealer = st, ring })
	svc := e.Identity.Svc
	secret := hex.EncodeToString(signing[:16])
	if err := svc.EnsureBootstrap(t.Context(), "owner", secret); err != nil {
		t.Fatal(err)
	}
	if err := svc.Maintain(t.Context()); err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewJWT(auth.JWTConfig{Keys: svc, Directory: svc, Issuers: []string{svc.Issuer("https://" + identitytest.Host)},
		Audience: svc.Audience(), TenantID: svc.TenantID(), Now: e.Identity.Clock.Now, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	e.API = &api.Server{Store: st, Blob: bs, Sealer: ring, Auth: verifier, Log: log, Location: "westus",
		OriginHost: "origin.lockstream.test", EventValidationWindow: time.Minute}
	mux := http.NewServeMux()
	mux.Handle("/subscriptions/", e.API)
	e.HTTP = httptest.NewServer(mux)
	t.Cleanup(e.HTTP.Close)
	e.API.PublicURL = e.HTTP.URL
	e.Engine = e.newEngine("node-a", opts...)
	mux.Handle(events.ValidatePath, e.Engine.ValidationHandler())
	mux.Handle("/", svc.Handler())
	e.API.Events = e.Engine
	e.bearer = "Bearer " + e.Identity.Token(t, nil, "owner", secret)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", e.log.String())
		}
	})
	e.mustDo(http.MethodPut, acctPath, mediaAV, `{"location":"westus","properties":{}}`, 200, 201)
	return e
}

// newEngine builds and starts another engine on the env's store (another
// node).
func (e *env) newEngine(node string, opts ...envOption) *events.Engine {
	e.t.Helper()
	cfg := events.Config{
		Store: e.Store, Sealer: e.Sealer, Blob: e.Blob, HTTP: newLoopbackClient(),
		Tokens:    tokens{svc: e.Identity.Svc, base: e.HTTP.URL},
		PublicURL: e.HTTP.URL, Node: node,
		Log:              slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", node),
		Schedule:         testSchedule,
		Poll:             20 * time.Millisecond,
		Timeout:          5 * time.Second,
		ValidationRetry:  50 * time.Millisecond,
		ValidationWindow: time.Minute,
		Now:              e.clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	eng, err := events.NewEngine(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := eng.Initialize(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(eng.Close)
	return eng
}

type tokens struct {
	svc  *identity.Service
	base string
}

func (t tokens) WebhookToken(ctx context.Context, aud string) (string, time.Time, error) {
	return t.svc.WebhookToken(ctx, t.base, aud)
}

type response struct {
	Status int
	Body   []byte
}

func (e *env) do(method, path, query, body string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path+"?"+query, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", e.bearer)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: b}
}

func (e *env) mustDo(method, path, query, body string, want ...int) response {
	e.t.Helper()
	r := e.do(method, path, query, body)
	for _, w := range want {
		if r.Status == w {
			return r
		}
	}
	e.t.Fatalf("%s %s: status %d, want %v: %s", method, path, r.Status, want, r.Body)
	return r
}

// subscription is the part of a subscription GET the tests read.
type subscription struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Properties struct {
		Topic             string `json:"topic"`
		ProvisioningState string `json:"provisioningState"`
		Destination       struct {
			EndpointType string         `json:"endpointType"`
			Properties   map[string]any `json:"properties"`
		} `json:"destination"`
		LockstreamStatus struct {
			PendingEvents      int64  `json:"pendingEvents"`
			DeadLetteredEvents int64  `json:"deadLetteredEvents"`
			DeliveredEvents    int64  `json:"deliveredEvents"`
			FailedAttempts     int64  `json:"failedAttempts"`
			DeadLetteredTotal  int64  `json:"deadLetteredTotal"`
			LastFailureReason  string `json:"lastFailureReason"`
		} `json:"lockstreamStatus"`
	} `json:"properties"`
}

func (e *env) getSubscription(name string) subscription {
	e.t.Helper()
	r := e.mustDo(http.MethodGet, subsPath+"/"+name, gridAV, "", 200)
	var s subscription
	if err := json.Unmarshal(r.Body, &s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// waitFor polls cond until it holds; the deadline only bounds a hung
// test, the assertions are on what happened.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *env) waitState(name, want string) subscription {
	e.t.Helper()
	var s subscription
	waitFor(e.t, "subscription "+name+" "+want, func() bool {
		s = e.getSubscription(name)
		return s.Properties.ProvisioningState == want
	})
	return s
}

// subscribe creates a subscription to url with extra properties (JSON
// members without braces, may be empty) and waits for it to be validated.
func (e *env) subscribe(name, url, extra string) subscription {
	e.t.Helper()
	e.putSubscription(name, url, extra)
	return e.waitState(name, "Succeeded")
}

func (e *env) putSubscription(name, url, extra string) response {
	e.t.Helper()
	// extra may bring its own destination (the API refuses a member given
	// twice); otherwise the plain webhook to url is added.
	dest := fmt.Sprintf(`"destination":{"endpointType":"WebHook","properties":{"endpointUrl":%q}}`, url)
	switch {
	case strings.Contains(extra, `"destination"`):
		dest = extra
	case extra != "":
		dest += "," + extra
	}
	body := `{"properties":{` + dest + `}}`
	return e.mustDo(http.MethodPut, subsPath+"/"+name, gridAV, body, 201, 200)
}

// Resources that publish events.
func (e *env) createLocator(asset, name string) {
	e.t.Helper()
	e.mustDo(http.MethodPut, acctPath+"/assets/"+asset, mediaAV, `{"properties":{}}`, 200, 201)
	e.mustDo(http.MethodPut, acctPath+"/streamingLocators/"+name, mediaAV,
		fmt.Sprintf(`{"properties":{"assetName":%q,"streamingPolicyName":"Predefined_ClearStreamingOnly"}}`, asset), 201)
}

func (e *env) deleteLocator(name string) {
	e.t.Helper()
	e.mustDo(http.MethodDelete, acctPath+"/streamingLocators/"+name, mediaAV, "", 200)
}

// receiver is a plain net/http webhook on loopback that records what it
// gets. Its behaviour is set per test.
type receiver struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	requests []received
	events   []map[string]any
	// respond decides the answer to a notification (default 200).
	respond func(r *http.Request, n int) int
	// validation decides the answer to a validation event (default: echo
	// the code); manual makes it answer 200 without the code.
	manual bool
	// allowOrigin is the CloudEvents consent (default "*"; "" refuses).
	allowOrigin *string
	// onEvent, when set, sees each accepted event instead of the list.
	onEvent func(map[string]any)
}

type received struct {
	Method string
	Header http.Header
	Body   []byte
	At     time.Time
}

func newReceiver(t testing.TB) *receiver {
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) URL() string { return rc.srv.URL + "/hook?code=s3cr3t-query" }

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.requests = append(rc.requests, received{Method: r.Method, Header: r.Header.Clone(), Body: body, At: time.Now()})
	n := len(rc.requests)
	rc.mu.Unlock()
	switch {
	case r.Method == http.MethodOptions:
		origin := "*"
		if rc.allowOrigin != nil {
			origin = *rc.allowOrigin
		}
		if origin != "" {
			w.Header().Set("WebHook-Allowed-Origin", origin)
		}
		w.Header().Set("Allow", "POST")
		w.WriteHeader(http.StatusOK)
		return
	case r.Header.Get("aeg-event-type") == "SubscriptionValidation":
		var evs []struct {
			Data struct {
				ValidationCode string `json:"validationCode"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &evs); err != nil || len(evs) != 1 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if rc.manual {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"validationResponse": evs[0].Data.ValidationCode})
		return
	}
	status := http.StatusOK
	if rc.respond != nil {
		status = rc.respond(r, n)
	}
	if status >= 200 && status <= 204 {
		var evs []map[string]any
		if strings.Contains(r.Header.Get("Content-Type"), "cloudevents+json") {
			var one map[string]any
			if json.Unmarshal(body, &one) == nil {
				evs = append(evs, one)
			}
		} else {
			_ = json.Unmarshal(body, &evs)
		}
		if rc.onEvent != nil {
			for _, ev := range evs {
				rc.onEvent(ev)
			}
		} else {
			rc.mu.Lock()
			rc.events = append(rc.events, evs...)
			rc.mu.Unlock()
		}
	}
	w.WriteHeader(status)
}

func (rc *receiver) Events() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.events...)
}

func (rc *receiver) Requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

// eventsOf returns the received events of a type (Event Grid eventType or
// CloudEvents type).
func (rc *receiver) eventsOf(typ string) []map[string]any {
	var out []map[string]any
	for _, ev := range rc.Events() {
		if ev["eventType"] == typ || ev["type"] == typ {
			out = append(out, ev)
		}
	}
	return out
}

func (rc *receiver) waitEvents(typ string, n int) []map[string]any {
	rc.t.Helper()
	var got []map[string]any
	waitFor(rc.t, fmt.Sprintf("%d %s events", n, typ), func() bool {
		got = rc.eventsOf(typ)
		return len(got) >= n
	})
	return got
}
