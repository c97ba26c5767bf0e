package events_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// validationURL returns the validationUrl of the last validation event rc
// received.
func (rc *receiver) validationURL() string {
	rc.t.Helper()
	for _, r := range rc.Requests() {
		if r.Header.Get("aeg-event-type") != "SubscriptionValidation" {
			continue
		}
		var evs []struct {
			EventType string `json:"eventType"`
			Subject   *string
			Data      struct {
				ValidationCode string `json:"validationCode"`
				ValidationURL  string `json:"validationUrl"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &evs); err != nil || len(evs) != 1 || evs[0].EventType != events.TypeSubscriptionValidation {
			rc.t.Fatalf("validation event: %s", r.Body)
		}
		return evs[0].Data.ValidationURL
	}
	rc.t.Fatal("no validation event received")
	return ""
}

// TestManualValidation: a receiver that answers 200 without the code
// leaves the subscription AwaitingManualAction; a GET on validationUrl
// completes it, a wrong code does not, and events flow after.
func TestManualValidation(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	rc := newReceiver(t)
	rc.manual = true
	e.putSubscription("manual", rc.URL(), "")
	e.waitState("manual", "AwaitingManualAction")
	// Events of the meantime are not for it (it does not exist yet, as in
	// Event Grid).
	e.createLocator("a0", "before")

	vu := rc.validationURL()
	u, err := url.Parse(vu)
	if err != nil || !strings.HasPrefix(vu, e.HTTP.URL+events.ValidatePath+"?") {
		t.Fatalf("validationUrl %q", vu)
	}
	wrong := *u
	q := wrong.Query()
	q.Set("id", "00000000-0000-0000-0000-000000000000")
	wrong.RawQuery = q.Encode()
	if resp, err := http.Get(wrong.String()); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("validation with a wrong code: %v %v", resp, err)
	}
	if s := e.getSubscription("manual"); s.Properties.ProvisioningState != "AwaitingManualAction" {
		t.Fatalf("a wrong code changed the state to %s", s.Properties.ProvisioningState)
	}
	resp, err := http.Get(vu)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("manual validation: %d %s", resp.StatusCode, body)
	}
	e.waitState("manual", "Succeeded")
	e.createLocator("a1", "after")
	got := rc.waitEvents(events.TypeStreamingLocatorCreated, 1)
	if got[0]["subject"] != "streamingLocators/after" {
		t.Fatalf("got %v", got[0]["subject"])
	}
	if n := len(rc.eventsOf(events.TypeStreamingLocatorCreated)); n != 1 {
		t.Fatalf("%d locator events, want only the one after validation", n)
	}
}

// TestValidationFails: a receiver that never validates is Failed after
// the window; one that answers an error is Failed at once (after one
// retry); a CloudEvents endpoint without consent is Failed.
func TestValidationFails(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	silent := newReceiver(t)
	silent.manual = true
	e.putSubscription("silent", silent.URL(), "")
	e.waitState("silent", "AwaitingManualAction")
	e.clock.Advance(2 * time.Minute) // past the 1-minute window of the test API
	e.waitState("silent", "Failed")
	// The URL no longer validates.
	if resp, err := http.Get(silent.validationURL()); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("validation after the window: %v %v", resp, err)
	}

	// A fresh environment: the engine clock above was advanced past the
	// API's, so its sweep would find the next subscriptions' windows over
	// at once and could fail one before its handshake's retry was sent.
	e = newEnv(t, openSQLite(t))
	broken := newReceiver(t)
	broken.respond = func(*http.Request, int) int { return 500 }
	broken.manual = true
	brokenSrv := broken.srv
	brokenSrv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		broken.serve(&statusOverride{ResponseWriter: w, status: http.StatusInternalServerError}, r)
	})
	e.putSubscription("broken", broken.URL(), "")
	e.waitState("broken", "Failed")
	if n := len(broken.Requests()); n != 2 {
		t.Fatalf("validation requests to a failing endpoint: %d, want 2 (one retry)", n)
	}

	refusing := newReceiver(t)
	none := ""
	refusing.allowOrigin = &none
	e.putSubscription("ce-refused", refusing.URL(), `"eventDeliverySchema":"CloudEventSchemaV1_0"`)
	e.waitState("ce-refused", "Failed")
}

// statusOverride turns every answer into status.
type statusOverride struct {
	http.ResponseWriter
	status int
}

func (s *statusOverride) WriteHeader(int) { s.ResponseWriter.WriteHeader(s.status) }
func (s *statusOverride) Write(b []byte) (int, error) {
	return len(b), nil
}

// TestAADWebhook: a subscription with an Azure AD application gets every
// request (handshake included) with a bearer token for that audience,
// issued by Lockstream's identity provider, which the receiver verifies
// against the JWKS it publishes.
func TestAADWebhook(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	rc := newReceiver(t)
	const aud = "api://receiver-app"
	e.subscribe("aad", rc.URL(), `"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"`+rc.URL()+`",
		"azureActiveDirectoryTenantId":"`+identitytest.Tenant+`","azureActiveDirectoryApplicationIdOrUri":"`+aud+`"}}`)
	e.createLocator("a", "l")
	rc.waitEvents(events.TypeStreamingLocatorCreated, 1)

	// The receiver's side: fetch the JWKS over HTTP, verify each token.
	resp, err := http.Get(e.HTTP.URL + "/" + identitytest.Tenant + "/discovery/v2.0/keys")
	if err != nil {
		t.Fatal(err)
	}
	var jwks jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqs := rc.Requests()
	if len(reqs) < 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			t.Fatalf("%s %s without a bearer token", r.Method, r.Header.Get("aeg-event-type"))
		}
		parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		var claims jwt.Claims
		var extra struct {
			AppID string   `json:"appid"`
			Roles []string `json:"roles"`
			Tid   string   `json:"tid"`
		}
		if err := parsed.Claims(jwks, &claims, &extra); err != nil {
			t.Fatalf("token does not verify against the JWKS: %v", err)
		}
		err = claims.Validate(jwt.Expected{AnyAudience: jwt.Audience{aud}, Issuer: e.Identity.Svc.Issuer(e.HTTP.URL), Time: e.Identity.Clock.Now()})
		if err != nil {
			t.Fatalf("claims: %v", err)
		}
		if extra.AppID != identity.EventGridAppID || extra.Tid != identitytest.Tenant || len(extra.Roles) != 1 || extra.Roles[0] != identity.EventGridWebhookRole {
			t.Fatalf("claims: %+v", extra)
		}
	}
	// A subscription may not obtain tokens for Lockstream's own API: its
	// handshake fails.
	rc2 := newReceiver(t)
	e.putSubscription("self", rc2.URL(), `"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"`+rc2.URL()+`",
		"azureActiveDirectoryApplicationIdOrUri":"`+identitytest.Audience+`"}}`)
	e.waitState("self", "Failed")
	if n := len(rc2.Requests()); n != 0 {
		t.Fatalf("the endpoint got %d requests", n)
	}
}

// TestSweepStartsHandshake: a subscription stored without waking an
// engine (by the CLI, or on a node without delivery) is validated by the
// next sweep of a running engine.
func TestSweepStartsHandshake(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	e.API.Events = nil // nobody is told about the new subscription
	rc := newReceiver(t)
	e.putSubscription("swept", rc.URL(), "")
	e.waitState("swept", "Succeeded")
	e.createLocator("a", "l")
	rc.waitEvents(events.TypeStreamingLocatorCreated, 1)
}
