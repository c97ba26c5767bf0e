package kxtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
)

const (
	clientID = "speke-admin"
	secret   = "speke-secret-0123456789"
)

// Node is one Lockstream node shared by the tests of this package: a
// real API listener with its identity provider, store and key delivery.
type Node struct {
	API   string // base URL
	MSID  string // demo account's mediaServiceId
	Acct  string // demo account's ARM path
	Owner string // Owner bearer token
	core  *core.Core
}

var (
	nodeOnce sync.Once
	shared   *Node
	nodeErr  string
)

// Close stops the shared node; call it from TestMain after m.Run.
func Close() {
	if shared != nil {
		_ = shared.core.Close(context.Background())
	}
}

// Start returns the node shared by the test binary, starting it once.
func Start(t testing.TB) *Node {
	t.Helper()
	nodeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "speke-node-*")
		if err != nil {
			nodeErr = err.Error()
			return
		}
		c := conf.Default()
		c.DataDir = dir
		c.API.Listen = "127.0.0.1:0"
		c.Origin.Listen = "127.0.0.1:0"
		c.Blob.Listen = "127.0.0.1:0"
		c.Bootstrap.ClientID = clientID
		c.Bootstrap.ClientSecret = secret
		c.Demo.Enabled = true
		n := &core.Core{Conf: c, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := n.Initialize(context.Background()); err != nil {
			nodeErr = "initialize: " + err.Error()
			return
		}
		s := &Node{API: "http://" + n.Addr("api"), core: n,
			Acct: "/subscriptions/" + c.Demo.Subscription + "/resourceGroups/" + c.Demo.ResourceGroup + "/providers/Microsoft.Media/mediaServices/" + c.Demo.Account}
		tok, err := clientToken(s.API, clientID, secret)
		if err != nil {
			nodeErr = err.Error()
			return
		}
		s.Owner = tok
		var acct struct {
			Properties struct {
				MediaServiceID string `json:"mediaServiceId"`
			} `json:"properties"`
		}
		if code, b := s.Do(t, http.MethodGet, s.Acct+"?api-version=2022-08-01", s.Owner, "", nil); code != 200 || json.Unmarshal(b, &acct) != nil {
			nodeErr = "get account: " + string(b)
			return
		}
		s.MSID = acct.Properties.MediaServiceID
		shared = s
	})
	if shared == nil {
		t.Fatal(nodeErr)
	}
	return shared
}

func clientToken(api, id, sec string) (string, error) {
	c := conf.Default()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {sec},
		"scope": {c.Identity.Audience + "/.default"}}
	resp, err := http.PostForm(api+"/"+c.Identity.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return "", &tokenErr{resp.StatusCode}
	}
	return out.AccessToken, nil
}

type tokenErr struct{ status int }

func (e *tokenErr) Error() string { return "token endpoint answered " + http.StatusText(e.status) }

// Do sends one request; hdr adds headers. It returns status and body.
func (n *Node) Do(t testing.TB, method, path, bearer, body string, hdr http.Header) (int, []byte) {
	t.Helper()
	code, b, _ := n.DoFull(t, method, path, bearer, body, hdr)
	return code, b
}

// DoFull is Do that also returns the answer's headers.
func (n *Node) DoFull(t testing.TB, method, path, bearer, body string, hdr http.Header) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, n.API+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// Speke posts a CPIX request with X-Speke-Version.
func (n *Node) Speke(t testing.TB, version, bearer string, doc []byte, hdr http.Header) (int, []byte, http.Header) {
	t.Helper()
	h := http.Header{"Content-Type": {"application/xml"}}
	if version != "" {
		h.Set("X-Speke-Version", version)
	}
	for k, v := range hdr {
		h[k] = v
	}
	return n.DoFull(t, http.MethodPost, "/speke/v2/"+n.MSID, bearer, string(doc), h)
}

// Principal creates a service principal with one role on the demo
// account and returns its token.
func (n *Node) Principal(t testing.TB, role string) string {
	t.Helper()
	const sps = "/providers/Lockstream.Identity/servicePrincipals"
	code, b := n.Do(t, http.MethodPost, sps+"?api-version=2022-08-01", n.Owner, `{"displayName":"`+role+`"}`, http.Header{"Content-Type": {"application/json"}})
	var p struct {
		AppID string `json:"appId"`
	}
	if code != 201 || json.Unmarshal(b, &p) != nil {
		t.Fatalf("create principal: %d %s", code, b)
	}
	code, b = n.Do(t, http.MethodPost, sps+"/"+p.AppID+"/secrets?api-version=2022-08-01", n.Owner, `{}`, http.Header{"Content-Type": {"application/json"}})
	var s struct {
		SecretText string `json:"secretText"`
	}
	if code != 201 || json.Unmarshal(b, &s) != nil {
		t.Fatalf("add secret: %d %s", code, b)
	}
	scope := strings.ToLower(n.Acct)
	if code, b := n.Do(t, http.MethodPost, sps+"/"+p.AppID+"/roleAssignments?api-version=2022-08-01", n.Owner,
		`{"role":"`+role+`","scope":"`+scope+`"}`, http.Header{"Content-Type": {"application/json"}}); code != 201 {
		t.Fatalf("assign role: %d %s", code, b)
	}
	tok, err := clientToken(n.API, p.AppID, s.SecretText)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Recipient makes an RSA key and a self-signed certificate for it.
func Recipient(t testing.TB, bits int) (*rsa.PrivateKey, []byte) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "encryptor"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	return priv, der
}
