package identity_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// stsRecorder wraps the identity handler and records what clients send,
// minus credential values.
type stsRecorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []string // "METHOD path [form keys]"
	cae  int      // token requests carrying the claims parameter
}

func (s *stsRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	line := r.Method + " " + r.URL.Path
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		var keys []string
		for k := range form {
			keys = append(keys, k)
		}
		line += " " + strings.Join(keys, ",")
		if strings.Contains(form.Get("claims"), "CP1") {
			s.mu.Lock()
			s.cae++
			s.mu.Unlock()
		}
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, line)
	s.mu.Unlock()
	s.next.ServeHTTP(w, r)
}

// newTLSSTS serves the identity endpoints and, under /subscriptions/, a
// stand-in ARM API that authenticates with auth.JWT and answers 404.
func newTLSSTS(t *testing.T, env *identitytest.Env) (*httptest.Server, *stsRecorder, *auth.JWT, *[]auth.Principal) {
	t.Helper()
	rec := &stsRecorder{next: env.Svc.Handler()}
	var (
		mu   sync.Mutex
		seen []auth.Principal
		jwt  *auth.JWT
	)
	mux := http.NewServeMux()
	mux.Handle("/", rec)
	mux.HandleFunc("/subscriptions/", func(w http.ResponseWriter, r *http.Request) {
		p, err := jwt.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", auth.Challenge(jwt.Realm(), err))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-ms-error-code", "ResourceNotFound")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"code":"ResourceNotFound","message":"not found"}}`))
	})
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	var err error
	jwt, err = auth.NewJWT(auth.JWTConfig{Keys: env.Svc, Directory: env.Svc,
		Issuers: []string{env.Svc.Issuer(srv.URL)}, Audience: identitytest.Audience})
	if err != nil {
		t.Fatal(err)
	}
	return srv, rec, jwt, &seen
}

func cloudConfig(srv *httptest.Server) cloud.Configuration {
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: srv.URL + "/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: srv.URL, Audience: identitytest.Audience},
		},
	}
}

// realTime makes the service use the wall clock: MSAL stamps assertions
// and caches tokens with time.Now.
func realTime(c *identity.Config) { c.Now = time.Now }

func TestAzidentityClientSecretCredential(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, realTime)
	clientID, secret := env.NewClient(t, "Contributor", "*")
	srv, rec, jwt, seen := newTLSSTS(t, env)

	cred, err := azidentity.NewClientSecretCredential(identitytest.Tenant, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloudConfig(srv), Transport: srv.Client()},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	scope := []string{identitytest.Audience + "/.default"}
	tok1, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scope})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	// CAE tokens are cached separately, so this is a second token request,
	// carrying claims={"access_token":{"xms_cc":{"values":["CP1"]}}}.
	tok2, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scope, EnableCAE: true})
	if err != nil {
		t.Fatalf("GetToken with CAE: %v", err)
	}
	if rec.cae == 0 {
		t.Errorf("no token request carried the CAE claims parameter; requests: %q", rec.reqs)
	}
	if until := time.Until(tok1.ExpiresOn); until < 55*time.Minute || until > time.Hour+time.Minute {
		t.Errorf("ExpiresOn in %v", until)
	}
	for i, tok := range []azcore.AccessToken{tok1, tok2} {
		p, err := jwt.Verify(ctx, tok.Token)
		if err != nil {
			t.Fatalf("token %d does not verify: %v", i+1, err)
		}
		if p.ID != clientID || len(p.Roles) != 1 || p.Roles[0].Role != auth.RoleContributor {
			t.Errorf("token %d principal %+v", i+1, p)
		}
	}
	var tokenCalls int
	for _, r := range rec.reqs {
		if strings.HasPrefix(r, "POST /"+identitytest.Tenant+"/oauth2/v2.0/token") {
			tokenCalls++
		}
	}
	if tokenCalls != 2 {
		t.Errorf("%d token requests, want 2: %q", tokenCalls, rec.reqs)
	}

	// The ARM pipeline (armmediaservices) gets a token through the same
	// credential and presents it; the stand-in API accepts it and answers
	// 404, which the SDK reports as a ResponseError.
	accounts, err := armmediaservices.NewClient("00000000-0000-0000-0000-000000000001", cred, &arm.ClientOptions{
		ClientOptions:         policy.ClientOptions{Cloud: cloudConfig(srv), Transport: srv.Client()},
		DisableRPRegistration: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = accounts.Get(ctx, "rg", "acct", nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusNotFound {
		t.Fatalf("ARM call: %v, want the stand-in's 404", err)
	}
	if len(*seen) != 1 || (*seen)[0].ID != clientID {
		t.Fatalf("API saw principals %+v", *seen)
	}
}

func TestAzidentityWrongSecret(t *testing.T) {
	env := identitytest.New(t, realTime)
	clientID, _ := env.NewClient(t)
	srv, _, _, _ := newTLSSTS(t, env)
	cred, err := azidentity.NewClientSecretCredential(identitytest.Tenant, clientID, "wrong-secret-value",
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloudConfig(srv), Transport: srv.Client()},
			DisableInstanceDiscovery: true,
		})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{identitytest.Audience + "/.default"}})
	var ae *azidentity.AuthenticationFailedError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("err %v, want an AuthenticationFailedError with AADSTS7000215", err)
	}
}

// selfSigned returns a certificate and key for client-assertion tests.
func selfSigned(t *testing.T, notBefore, notAfter time.Time) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lockstream test client"},
		NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestAzidentityClientCertificateCredential(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, realTime)
	clientID, _ := env.NewClient(t, "Reader", "*")
	cert, key := selfSigned(t, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	if _, err := env.Svc.AddCertificate(ctx, clientID, cert.Raw); err != nil {
		t.Fatal(err)
	}
	srv, rec, jwt, _ := newTLSSTS(t, env)
	cred, err := azidentity.NewClientCertificateCredential(identitytest.Tenant, clientID, []*x509.Certificate{cert}, key,
		&azidentity.ClientCertificateCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cloudConfig(srv), Transport: srv.Client()},
			DisableInstanceDiscovery: true,
			SendCertificateChain:     true, // x5c must be tolerated and ignored
		})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{identitytest.Audience + "/.default"}})
	if err != nil {
		t.Fatalf("GetToken: %v (requests %q)", err, rec.reqs)
	}
	p, err := jwt.Verify(ctx, tok.Token)
	if err != nil || p.ID != clientID {
		t.Fatalf("verify: %+v %v", p, err)
	}
	// Each MSAL request carries a fresh jti, so a second (CAE) request
	// works too.
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{identitytest.Audience + "/.default"}, EnableCAE: true}); err != nil {
		t.Fatalf("second GetToken: %v", err)
	}
}
