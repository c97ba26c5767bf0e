package keydelivery_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/test/nodetest"
)

const (
	apiVer   = "?api-version=2023-01-01"
	issuer   = "https://sts.example.test/"
	audience = "urn:lockstream:test"
)

// node is a running Lockstream (all roles, demo account) plus what the
// test learned: every key-delivery answer, so that leaks can be checked
// at the end, and every token and key that must never leak.
type node struct {
	t     testing.TB
	api   string // http://host:port
	acct  string // demo account ARM path
	msid  string // demo account mediaServiceId
	token string // management API token
	logs  *nodetest.Buffer
	hmac  []byte // symmetric verification key of the token policies
	// handler is the API listener's whole handler, for in-process runs.
	handler http.Handler
	level   slog.Level // of the node's log

	mu      sync.Mutex
	answers []answer
	secrets []leak // tokens and key encodings
}

// leak is a value that must not appear where it does not belong.
type leak struct {
	s     string
	token bool // a token never appears in any answer; a key only in grants
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func startNode(t testing.TB, mutate ...func(*conf.Conf)) *node {
	t.Helper()
	return startNodeAt(t, slog.LevelDebug, mutate...)
}

// startNodeAt is startNode logging at level.
func startNodeAt(t testing.TB, level slog.Level, mutate ...func(*conf.Conf)) *node {
	t.Helper()
	n := nodetest.Start(t, level, mutate...)
	nd := &node{t: t, api: n.API, logs: n.Logs, hmac: make([]byte, 32), acct: n.Account, handler: n.Core.Handler("api"), level: level}
	_, _ = rand.Read(nd.hmac)
	// Registered after the node's own cleanup, so it runs first: the
	// leak check reads the log while the node is still up.
	t.Cleanup(nd.checkLeaks)
	nd.token = n.Token(t)
	nd.msid = nd.mediaServiceID(nd.acct)
	return nd
}

// mgmt calls the management API at an ARM path and decodes the answer.
func (n *node) mgmt(method, path string, body any, out any) {
	n.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, n.api+path+apiVer, rd)
	req.Header.Set("Authorization", "Bearer "+n.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		n.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			n.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
}

func (n *node) mediaServiceID(acct string) string {
	var a struct {
		Properties struct {
			MediaServiceID string `json:"mediaServiceId"`
		} `json:"properties"`
	}
	n.mgmt(http.MethodGet, acct, nil, &a)
	if a.Properties.MediaServiceID == "" {
		n.t.Fatalf("account %s has no mediaServiceId", acct)
	}
	return a.Properties.MediaServiceID
}

// policy creates a content key policy of the demo account.
func (n *node) policy(name string, options ...map[string]any) {
	n.t.Helper()
	n.mgmt(http.MethodPut, n.acct+"/contentKeyPolicies/"+name, map[string]any{"properties": map[string]any{"options": options}}, nil)
}

func option(name string, configuration, restriction map[string]any) map[string]any {
	return map[string]any{"name": name, "configuration": configuration, "restriction": restriction}
}

func clearKeyConfig() map[string]any {
	return map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"}
}

func widevineConfig() map[string]any {
	return map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyWidevineConfiguration", "widevineTemplate": "{}"}
}

func openRestriction() map[string]any {
	return map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"}
}

// tokenRestriction accepts HS256 JWTs of the test issuer carrying
// groups=group.
func (n *node) tokenRestriction(group string) map[string]any {
	return map[string]any{
		"@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
		"issuer":      issuer,
		"audience":    audience,
		"primaryVerificationKey": map[string]any{
			"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey",
			"keyValue":    base64.StdEncoding.EncodeToString(n.hmac),
		},
		"alternateVerificationKeys": []any{},
		"requiredClaims":            []any{map[string]any{"claimType": "groups", "claimValue": group}},
		"restrictionTokenType":      "Jwt",
	}
}

// locator publishes a fresh asset under streamingPolicy with content key
// policy ckp and returns its one content key (from listContentKeys).
func (n *node) locator(name, streamingPolicy, ckp string) (keys.KID, keys.Key) {
	n.t.Helper()
	n.mgmt(http.MethodPut, n.acct+"/assets/"+name, map[string]any{"properties": map[string]any{}}, nil)
	n.mgmt(http.MethodPut, n.acct+"/streamingLocators/"+name, map[string]any{"properties": map[string]any{
		"assetName": name, "streamingPolicyName": streamingPolicy, "defaultContentKeyPolicyName": ckp}}, nil)
	var out struct {
		ContentKeys []struct {
			ID    string `json:"id"`
			Value string `json:"value"`
		} `json:"contentKeys"`
	}
	n.mgmt(http.MethodPost, n.acct+"/streamingLocators/"+name+"/listContentKeys", nil, &out)
	if len(out.ContentKeys) != 1 {
		n.t.Fatalf("locator %s has %d content keys, want 1", name, len(out.ContentKeys))
	}
	kid, err := keys.ParseKID(out.ContentKeys[0].ID)
	if err != nil {
		n.t.Fatal(err)
	}
	key, err := keys.ParseKeyBase64(out.ContentKeys[0].Value)
	if err != nil {
		n.t.Fatal(err)
	}
	n.secret(false, base64.StdEncoding.EncodeToString(key[:]), base64.RawURLEncoding.EncodeToString(key[:]),
		hex.EncodeToString(key[:]), strings.ToUpper(hex.EncodeToString(key[:])), string(key[:]))
	return kid, key
}

func (n *node) secret(token bool, s ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, v := range s {
		n.secrets = append(n.secrets, leak{s: v, token: token})
	}
}

// jwt signs claims with HS256 under the test key, valid for an hour
// unless claims say otherwise; the token is remembered as a secret.
func (n *node) jwt(claims map[string]any) string {
	n.t.Helper()
	now := time.Now()
	c := map[string]any{"iss": issuer, "aud": audience, "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range claims {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: n.hmac}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		n.t.Fatal(err)
	}
	payload, _ := json.Marshal(c)
	jws, err := sig.Sign(payload)
	if err != nil {
		n.t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		n.t.Fatal(err)
	}
	n.secret(true, tok, tok[strings.LastIndexByte(tok, '.')+1:])
	return tok
}

// kd calls key delivery: path below /keydelivery/{msid}/, optional body,
// then header name/value pairs.
func (n *node) kd(method, msid, path string, body []byte, hdr ...string) (*http.Response, []byte) {
	n.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, n.api+"/keydelivery/"+msid+"/"+path, rd)
	if err != nil {
		n.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n.mu.Lock()
	n.answers = append(n.answers, answer{status: resp.StatusCode, header: resp.Header.Clone(), body: b})
	n.mu.Unlock()
	return resp, b
}

// wantError checks a refusal: status, JSON error body with the code and
// a message, and the headers every answer carries.
func wantError(t *testing.T, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != status || e.Error.Message == "" || (code != "" && e.Error.Code != code) {
		t.Fatalf("%s %s: got %d %s; want %d %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, body, status, code)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%d answer headers: %v", status, resp.Header)
	}
	if status == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 without a Bearer challenge: %v", resp.Header)
	}
}

// checkLeaks fails when a token or a key shows up in the node's log, or
// in any answer other than a granted key or license (which carry keys by
// design, never tokens).
func (n *node) checkLeaks() {
	logs := n.logs.String()
	// Refusals are logged at info: a quieter node has none to show.
	if n.level <= slog.LevelInfo && !strings.Contains(logs, "key request refused") {
		n.t.Errorf("the log has no refusal line; was it captured?")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, l := range n.secrets {
		if strings.Contains(logs, l.s) {
			n.t.Errorf("the node log holds a secret of the test (token %v, %d bytes)", l.token, len(l.s))
		}
		for _, a := range n.answers {
			if !l.token && a.status == http.StatusOK {
				continue
			}
			var hdr bytes.Buffer
			_ = a.header.Write(&hdr)
			if bytes.Contains(a.body, []byte(l.s)) || strings.Contains(hdr.String(), l.s) {
				n.t.Errorf("a %d answer holds a secret of the test (token %v, %d bytes)", a.status, l.token, len(l.s))
			}
		}
	}
}
