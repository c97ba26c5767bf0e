package licensetest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

// Token issuer and audience of the test policies.
const (
	Issuer   = "https://sts.example.test/"
	Audience = "urn:lockstream:license-test"
)

const apiVersion = "?api-version=2023-01-01"

// Node is a running node and the test's credentials.
type Node struct {
	T      testing.TB
	Node   *nodetest.Node
	Token  string
	MSID   string
	HMAC   []byte
	Client *http.Client
}

// Start runs a node; mutate adjusts its configuration.
//
// License servers are called through the node's outbound guard, so the
// node trusts httptest's TLS certificate and admits loopback contract
// servers, as an operator would admit an internal license server with
// --outbound-ca-file and --outbound-allow-hosts. Contract servers must be
// httptest.NewTLSServer.
func Start(t testing.TB, mutate ...func(*conf.Conf)) *Node {
	t.Helper()
	ca := contractCA(t)
	mutate = append([]func(*conf.Conf){func(c *conf.Conf) {
		c.Outbound.CAFile = ca
		c.Outbound.AllowHosts = append(c.Outbound.AllowHosts, "127.0.0.1")
	}}, mutate...)
	n := nodetest.Start(t, slog.LevelDebug, mutate...)
	e := &Node{T: t, Node: n, Token: n.Token(t), HMAC: make([]byte, 32), Client: &http.Client{Timeout: time.Minute}}
	_, _ = rand.Read(e.HMAC)
	var a struct {
		Properties struct {
			MediaServiceID string `json:"mediaServiceId"`
		} `json:"properties"`
	}
	e.Mgmt(http.MethodGet, "", nil, &a, 200)
	e.MSID = a.Properties.MediaServiceID
	return e
}

// Mgmt calls the management API at the demo account's path + sub and
// decodes the answer into out; want is the expected status (0: any 2xx).
// It returns the status and body.
func (e *Node) Mgmt(method, sub string, body, out any, want int) (int, []byte) {
	e.T.Helper()
	st, b, _ := e.MgmtHeader(method, sub, body, out, want)
	return st, b
}

// MgmtHeader is Mgmt that also returns the answer's headers.
func (e *Node) MgmtHeader(method, sub string, body, out any, want int) (int, []byte, http.Header) {
	e.T.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.Node.API+e.Node.Account+sub+apiVersion, rd)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if (want == 0 && resp.StatusCode/100 != 2) || (want != 0 && resp.StatusCode != want) {
		e.T.Fatalf("%s %s: %d %s", method, sub, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.T.Fatal(err)
		}
	}
	return resp.StatusCode, b, resp.Header
}

// Restriction is a token restriction requiring groups=group.
func (e *Node) Restriction(group string) map[string]any {
	return map[string]any{
		"@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
		"issuer":      Issuer, "audience": Audience,
		"primaryVerificationKey": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey",
			"keyValue": base64.StdEncoding.EncodeToString(e.HMAC)},
		"alternateVerificationKeys": []any{},
		"requiredClaims":            []any{map[string]any{"claimType": "groups", "claimValue": group}},
		"restrictionTokenType":      "Jwt",
	}
}

// Option is a content key policy option.
func Option(name string, configuration, restriction map[string]any) map[string]any {
	return map[string]any{"name": name, "configuration": configuration, "restriction": restriction}
}

// Policy creates a content key policy.
func (e *Node) Policy(name string, options ...map[string]any) {
	e.T.Helper()
	e.Mgmt(http.MethodPut, "/contentKeyPolicies/"+name, map[string]any{"properties": map[string]any{"options": options}}, nil, 0)
}

// JWT signs an HS256 token with groups, valid for an hour.
func (e *Node) JWT(groups ...string) string {
	e.T.Helper()
	now := time.Now()
	c, _ := json.Marshal(map[string]any{"iss": Issuer, "aud": Audience, "nbf": now.Add(-time.Minute).Unix(),
		"exp": now.Add(time.Hour).Unix(), "groups": groups})
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: e.HMAC}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		e.T.Fatal(err)
	}
	jws, err := sig.Sign(c)
	if err != nil {
		e.T.Fatal(err)
	}
	tok, _ := jws.CompactSerialize()
	return tok
}

// Locator publishes an asset and returns its key of keyType
// (CommonEncryptionCenc, CommonEncryptionCbcs).
func (e *Node) Locator(name, streamingPolicy, ckp, keyType string) (keys.KID, keys.Key) {
	e.T.Helper()
	e.Mgmt(http.MethodPut, "/assets/"+name, map[string]any{"properties": map[string]any{}}, nil, 0)
	e.Mgmt(http.MethodPut, "/streamingLocators/"+name, map[string]any{"properties": map[string]any{
		"assetName": name, "streamingPolicyName": streamingPolicy, "defaultContentKeyPolicyName": ckp}}, nil, 0)
	var out struct {
		ContentKeys []struct{ ID, Value, Type string } `json:"contentKeys"`
	}
	e.Mgmt(http.MethodPost, "/streamingLocators/"+name+"/listContentKeys", nil, &out, 0)
	for _, k := range out.ContentKeys {
		if k.Type == keyType {
			kid, err := keys.ParseKID(k.ID)
			if err != nil {
				e.T.Fatal(err)
			}
			key, err := keys.ParseKeyBase64(k.Value)
			if err != nil {
				e.T.Fatal(err)
			}
			return kid, key
		}
	}
	e.T.Fatalf("locator %s has no %s key", name, keyType)
	return keys.KID{}, keys.Key{}
}

// Post calls key delivery below /keydelivery/{msid}/ with header pairs.
func (e *Node) Post(path string, body []byte, hdr ...string) (*http.Response, []byte) {
	e.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.Node.API+"/keydelivery/"+e.MSID+"/"+path, bytes.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// ErrorCode decodes {"error":{"code"}}.
func ErrorCode(b []byte) string {
	var v struct {
		Error struct{ Code, Message string }
	}
	_ = json.Unmarshal(b, &v)
	if v.Error.Message == "" {
		return ""
	}
	return v.Error.Code
}

// NoLeak fails when the node's log holds any of secrets (keys, signing
// keys, tokens) in any of the usual encodings.
func (e *Node) NoLeak(secrets ...[]byte) {
	e.T.Helper()
	logs := e.Node.Logs.String()
	for i, s := range secrets {
		for _, enc := range []string{string(s), base64.StdEncoding.EncodeToString(s), base64.RawURLEncoding.EncodeToString(s), hex.EncodeToString(s)} {
			if len(enc) >= 8 && strings.Contains(logs, enc) {
				e.T.Errorf("the node log holds secret #%d", i)
			}
		}
	}
}

// contractCA writes httptest's TLS certificate (the same for every
// httptest.NewTLSServer) to a PEM file and returns its path.
func contractCA(t testing.TB) string {
	t.Helper()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	der := srv.Certificate().Raw
	srv.Close()
	p := filepath.Join(t.TempDir(), "contract-ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
