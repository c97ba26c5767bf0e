package identity_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

const tenant = identitytest.Tenant

// do sends a request to svc's handler in process.
func do(svc *identity.Service, method, target string, form url.Values, hdr map[string]string) *httptest.ResponseRecorder {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	svc.Handler().ServeHTTP(w, r)
	return w
}

func decode(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	return m
}

func TestDiscovery(t *testing.T) {
	env := identitytest.New(t, nil)
	tests := []struct {
		name, path, host string
		tls, xfp         bool
		wantIssuer       string
		wantToken        string
	}{
		{"v2 over tls", "/" + tenant + "/v2.0/.well-known/openid-configuration", "sts.example.com", true, false,
			"https://sts.example.com/" + tenant + "/v2.0", "https://sts.example.com/" + tenant + "/oauth2/v2.0/token"},
		{"v1 behind a proxy", "/" + strings.ToUpper(tenant) + "/.well-known/openid-configuration", "STS.Example.com:8443", false, true,
			"https://sts.example.com:8443/" + tenant + "/v2.0", "https://sts.example.com:8443/" + tenant + "/oauth2/token"},
		{"plain http", "/" + tenant + "/v2.0/.well-known/openid-configuration", "127.0.0.1:8080", false, false,
			"http://127.0.0.1:8080/" + tenant + "/v2.0", "http://127.0.0.1:8080/" + tenant + "/oauth2/v2.0/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.path, nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tt.xfp {
				r.Header.Set("X-Forwarded-Proto", "https")
			}
			w := httptest.NewRecorder()
			env.Svc.Handler().ServeHTTP(w, r)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body.String())
			}
			d := decode(t, w)
			if d["issuer"] != tt.wantIssuer || d["token_endpoint"] != tt.wantToken {
				t.Errorf("issuer %v token_endpoint %v", d["issuer"], d["token_endpoint"])
			}
			for _, k := range []string{"authorization_endpoint", "jwks_uri", "id_token_signing_alg_values_supported", "token_endpoint_auth_methods_supported"} {
				if d[k] == nil {
					t.Errorf("missing %s", k)
				}
			}
		})
	}

	t.Run("jwks", func(t *testing.T) {
		w := do(env.Svc, http.MethodGet, "https://sts.example.com/"+tenant+"/discovery/v2.0/keys", nil, nil)
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil || len(set.Keys) != 1 {
			t.Fatalf("%d %s", w.Code, w.Body.String())
		}
		k := set.Keys[0]
		if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["kid"] == "" || k["d"] != nil || k["p"] != nil {
			t.Errorf("key %v", k)
		}
	})

	t.Run("ignore forwarded proto", func(t *testing.T) {
		svc := env.Another(t, func(c *identity.Config) { c.IgnoreForwardedProto = true })
		w := do(svc, http.MethodGet, "http://sts.example.com/"+tenant+"/v2.0/.well-known/openid-configuration", nil, map[string]string{"X-Forwarded-Proto": "https"})
		if iss := decode(t, w)["issuer"]; iss != "http://sts.example.com/"+tenant+"/v2.0" {
			t.Errorf("issuer %v", iss)
		}
	})

	t.Run("hosts allow-list", func(t *testing.T) {
		svc := env.Another(t, func(c *identity.Config) { c.Hosts = []string{"sts.example.com"} })
		if w := do(svc, http.MethodGet, "https://sts.example.com/"+tenant+"/discovery/keys", nil, nil); w.Code != 200 {
			t.Errorf("listed host: %d", w.Code)
		}
		if w := do(svc, http.MethodGet, "https://evil.example/"+tenant+"/discovery/keys", nil, nil); w.Code != 400 {
			t.Errorf("other host: %d", w.Code)
		}
	})
}

func TestTokenEndpointErrors(t *testing.T) {
	env := identitytest.New(t, nil)
	clientID, secret := env.NewClient(t, "Reader", "*")
	v2 := "https://" + identitytest.Host + "/" + tenant + "/oauth2/v2.0/token"
	good := func() url.Values { return identitytest.SecretForm(clientID, secret) }
	with := func(k, v string) url.Values {
		f := good()
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name   string
		method string
		target string
		form   url.Values
		hdr    map[string]string
		status int
		code   string
		aadsts int
	}{
		{name: "ok", form: good(), status: 200},
		{name: "claims parameter tolerated", form: with("claims", `{"access_token":{"xms_cc":{"values":["CP1"]}}}`), status: 200},
		{name: "audience with trailing slash", form: with("scope", identitytest.Audience+"//.default"), status: 200},
		{name: "only the resource scope", form: with("scope", identitytest.Audience+"/.default"), status: 200},
		{name: "wrong tenant", target: "https://" + identitytest.Host + "/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token", form: good(), status: 400, code: "invalid_request", aadsts: 90002},
		{name: "common tenant", target: "https://" + identitytest.Host + "/common/oauth2/v2.0/token", form: good(), status: 400, code: "invalid_request", aadsts: 90002},
		{name: "GET", method: http.MethodGet, status: 405, code: "invalid_request", aadsts: 900561},
		{name: "json body", form: good(), hdr: map[string]string{"Content-Type": "application/json"}, status: 400, code: "invalid_request", aadsts: 9002313},
		{name: "missing grant_type", form: with("grant_type", ""), status: 400, code: "invalid_request", aadsts: 900144},
		{name: "password grant", form: with("grant_type", "password"), status: 400, code: "unsupported_grant_type", aadsts: 70003},
		{name: "missing scope", form: with("scope", ""), status: 400, code: "invalid_request", aadsts: 900144},
		{name: "scope without .default", form: with("scope", identitytest.Audience+"/user_impersonation"), status: 400, code: "invalid_scope", aadsts: 1002012},
		{name: "only openid", form: with("scope", "openid profile"), status: 400, code: "invalid_scope", aadsts: 1002012},
		{name: "two resources", form: with("scope", identitytest.Audience+"/.default https://graph.microsoft.com/.default"), status: 400, code: "invalid_scope", aadsts: 70011},
		{name: "other audience", form: with("scope", "https://management.azure.com/.default"), status: 400, code: "invalid_resource", aadsts: 500011},
		{name: "missing client_id", form: with("client_id", ""), status: 400, code: "invalid_request", aadsts: 900144},
		{name: "no credential", form: with("client_secret", ""), status: 401, code: "invalid_client", aadsts: 7000216},
		{name: "empty secret", form: with("client_secret", "="), status: 401, code: "invalid_client", aadsts: 7000216},
		{name: "basic and form secret", form: good(), hdr: map[string]string{"Authorization": "Basic " + basic(clientID, secret)}, status: 400, code: "invalid_request", aadsts: 9002313},
		{name: "bearer authorization", form: good(), hdr: map[string]string{"Authorization": "Bearer x"}, status: 400, code: "invalid_request", aadsts: 9002313},
		{name: "assertion with wrong type", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
			"scope": {identitytest.Audience + "/.default"}, "client_assertion": {"a.b.c"}, "client_assertion_type": {"urn:x"}}, status: 400, code: "invalid_request", aadsts: 9002313},
		{name: "malformed assertion", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
			"scope": {identitytest.Audience + "/.default"}, "client_assertion": {"a.b.c"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}, status: 401, code: "invalid_client", aadsts: 700027},
		{name: "secret and assertion", form: with("client_assertion", "a.b.c"), status: 400, code: "invalid_request", aadsts: 9002313},
		{name: "repeated parameter", form: url.Values{"grant_type": {"client_credentials", "client_credentials"}, "client_id": {clientID},
			"client_secret": {secret}, "scope": {identitytest.Audience + "/.default"}}, status: 400, code: "invalid_request", aadsts: 9002313},
		{name: "unknown path", target: "https://" + identitytest.Host + "/" + tenant + "/oauth2/v2.0/authorize", form: good(), status: 404, code: "invalid_request", aadsts: 9002313},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, target := tt.method, tt.target
			if method == "" {
				method = http.MethodPost
			}
			if target == "" {
				target = v2
			}
			form := tt.form
			if tt.name == "empty secret" {
				form = good()
				form.Set("client_secret", "")
			}
			hdr := map[string]string{"X-Forwarded-Proto": "https", "client-request-id": "5a4ddbd0-4f1c-4a0d-9d3b-3d2d2f8f0e11"}
			for k, v := range tt.hdr {
				hdr[k] = v
			}
			r := httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range hdr {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			env.Svc.Handler().ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body.String())
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			m := decode(t, w)
			if tt.status == 200 {
				if m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) || m["ext_expires_in"] != float64(3600) || m["access_token"] == "" {
					t.Errorf("response %v", m)
				}
				if _, ok := m["refresh_token"]; ok {
					t.Error("refresh token issued")
				}
				return
			}
			assertAADError(t, m, tt.code, tt.aadsts)
			if m["correlation_id"] != "5a4ddbd0-4f1c-4a0d-9d3b-3d2d2f8f0e11" {
				t.Errorf("correlation_id %v, want the client-request-id", m["correlation_id"])
			}
		})
	}
}

// assertAADError checks Entra ID's error body shape.
func assertAADError(t *testing.T, m map[string]any, code string, aadsts int) {
	t.Helper()
	if m["error"] != code {
		t.Errorf("error %v, want %s", m["error"], code)
	}
	codes, _ := m["error_codes"].([]any)
	if len(codes) != 1 || codes[0] != float64(aadsts) {
		t.Errorf("error_codes %v, want [%d]", m["error_codes"], aadsts)
	}
	desc, _ := m["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS") || !strings.Contains(desc, "Trace ID: ") {
		t.Errorf("error_description %q", desc)
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("missing %s", k)
		}
	}
}

func basic(id, secret string) string {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func TestTokenV1AndBasic(t *testing.T) {
	env := identitytest.New(t, nil)
	clientID, secret := env.NewClient(t, "Reader", "*")
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {identitytest.Audience + "/"}}
	w := do(env.Svc, http.MethodPost, "https://"+identitytest.Host+"/"+tenant+"/oauth2/token", form,
		map[string]string{"Authorization": "Basic " + basic(clientID, secret), "X-Forwarded-Proto": "https"})
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	m := decode(t, w)
	if m["expires_in"] != "3600" || m["resource"] != identitytest.Audience || m["access_token"] == "" || m["expires_on"] == "" {
		t.Errorf("v1 response %v", m)
	}
	// Wrong secret over Basic: 401 with a Basic challenge (RFC 6749 §5.2).
	w = do(env.Svc, http.MethodPost, "https://"+identitytest.Host+"/"+tenant+"/oauth2/token", form,
		map[string]string{"Authorization": "Basic " + basic(clientID, "nope-nope-nope")})
	if w.Code != 401 || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("bad Basic: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	assertAADError(t, decode(t, w), "invalid_client", 7000215)
}

func TestTokenAudited(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, nil)
	start := env.Clock.Now()
	clientID, secret := env.NewClient(t, "Reader", "*")
	env.Token(t, nil, clientID, secret)
	identitytest.PostToken(env.Svc, identitytest.SecretForm(clientID, "wrong"))
	identitytest.PostToken(env.Svc, identitytest.SecretForm("no-such-client", "wrong"))
	events, err := env.Svc.ListAudit(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Action == "token/issue" {
			got = append(got, e.Principal+" "+e.Outcome+" "+strings.Fields(e.Detail + " -")[0])
			if e.RequestID == "" || e.Resource != identitytest.Audience {
				t.Errorf("event %+v", e)
			}
		}
	}
	want := []string{clientID + " success kid", clientID + " failure AADSTS7000215", "no-such-client failure AADSTS7000215"}
	if !slices.Equal(got, want) {
		t.Errorf("token audit %q, want %q", got, want)
	}
	if len(events) < 6 { // create, addPassword, assignRole + 3 token events
		t.Errorf("only %d audit events", len(events))
	}
}

func TestAuditRetention(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, nil)
	start := env.Clock.Now()
	if err := env.Svc.Audit(ctx, identity.Event{Principal: "p", Action: "assets/write", Resource: "/x", Outcome: identity.OutcomeSuccess, Status: 201}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(91 * 24 * time.Hour)
	if err := env.Svc.Audit(ctx, identity.Event{Principal: "p", Action: "assets/delete", Resource: "/x", Outcome: identity.OutcomeSuccess}); err != nil {
		t.Fatal(err)
	}
	if err := env.Svc.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	events, err := env.Svc.ListAudit(ctx, start, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if e.Principal == "p" {
			actions = append(actions, e.Action)
		}
	}
	if !slices.Equal(actions, []string{"assets/delete"}) {
		t.Errorf("after retention: %q", actions)
	}
}
