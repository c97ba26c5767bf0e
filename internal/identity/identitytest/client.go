package identitytest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/identity"
)

// Host is the host name requests made by PostToken carry; with
// X-Forwarded-Proto https the issuer is Issuer().
const Host = "sts.lockstream.test"

// Issuer returns the issuer of tokens obtained through PostToken and Token.
func (e *Env) Issuer() string { return e.Svc.Issuer("https://" + Host) }

// PostToken sends a v2 token request with form to svc's handler in
// process, as https://Host.
func PostToken(svc *identity.Service, form url.Values, basic ...string) *httptest.ResponseRecorder {
	return PostTokenFrom(svc, "192.0.2.1:1234", form, basic...)
}

// PostTokenFrom is PostToken from the client address remote (ip:port).
func PostTokenFrom(svc *identity.Service, remote string, form url.Values, basic ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "https://"+Host+"/"+Tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Forwarded-Proto", "https")
	r.RemoteAddr = remote
	if len(basic) == 2 {
		r.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	w := httptest.NewRecorder()
	svc.Handler().ServeHTTP(w, r)
	return w
}

// SecretForm is a v2 client-credentials request for the default audience.
func SecretForm(clientID, secret string) url.Values {
	return url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {Audience + "/.default openid offline_access profile"},
	}
}

// Token obtains an access token from svc (e.Svc when nil) or fails t.
func (e *Env) Token(t testing.TB, svc *identity.Service, clientID, secret string) string {
	t.Helper()
	if svc == nil {
		svc = e.Svc
	}
	w := PostToken(svc, SecretForm(clientID, secret))
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &body) != nil || body.AccessToken == "" {
		t.Fatalf("token request: %d %s", w.Code, w.Body.String())
	}
	return body.AccessToken
}

// NewClient creates a principal with a secret and the given role
// assignments (role, scope pairs) and returns its client id and secret.
func (e *Env) NewClient(t testing.TB, roleScope ...string) (clientID, secret string) {
	t.Helper()
	ctx := context.Background()
	p, err := e.Svc.CreatePrincipal(ctx, identity.CreatePrincipalOptions{DisplayName: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	if _, secret, err = e.Svc.AddSecret(ctx, p.ClientID, identity.SecretOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(roleScope); i += 2 {
		if _, err := e.Svc.AssignRole(ctx, p.ClientID, roleScope[i], roleScope[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return p.ClientID, secret
}
