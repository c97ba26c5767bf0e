package teste2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// TestMaxUsesAcrossProcesses runs two `lockstream serve` processes on one
// PostgreSQL database and fires concurrent key requests with one
// maxuses=k token at both: exactly k succeed, because uses are counted by
// one atomic statement in the shared store, not per process.
func TestMaxUsesAcrossProcesses(t *testing.T) {
	dsn := pgtest.Start(t)
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := t.TempDir()
	bin := filepath.Join(dir, "lockstream")
	build := exec.Command("go", "build", "-o", bin, "./cmd/lockstream")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	const id, secret = "mu-admin", "mu-secret-0123456789abcdef"
	start := func(name string, demo bool) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		args := []string{"serve", "--api-listen", addr, "--origin-listen", "127.0.0.1:0", "--blob-listen", "127.0.0.1:0"}
		if demo {
			args = append(args, "--demo")
		}
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "LOCKSTREAM_DATA_DIR="+filepath.Join(dir, name), "LOCKSTREAM_STORE_DRIVER=postgres",
			"LOCKSTREAM_STORE_DSN="+dsn, "LOCKSTREAM_KEK="+hex.EncodeToString(kek), "LOCKSTREAM_LOG_LEVEL=warn",
			"LOCKSTREAM_BOOTSTRAP_CLIENT_ID="+id, "LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET="+secret)
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cancel()
			_ = cmd.Wait()
			if t.Failed() {
				t.Logf("%s log:\n%s", name, logs.String())
			}
		})
		base := "http://" + addr
		for i := 0; ; i++ {
			if resp, err := http.Get(base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return base
				}
			}
			if i > 300 {
				t.Fatalf("%s did not become ready", name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	n1 := start("n1", true)
	n2 := start("n2", false)

	// Management calls on node 1: a token-restricted policy and a locator.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {"https://management.lockstream.local/.default"}}
	resp, err := http.PostForm(n1+"/00000000-0000-0000-0000-00000000a11d/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" {
		t.Fatalf("management token: %d", resp.StatusCode)
	}
	acct := n1 + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	call := func(method, path string, body any, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, acct+path+"?api-version=2023-01-01", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rb, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, rb)
		}
		if out != nil {
			_ = json.Unmarshal(rb, out)
		}
	}
	hmacKey := make([]byte, 32)
	_, _ = rand.Read(hmacKey)
	call(http.MethodPut, "/contentKeyPolicies/maxuses", map[string]any{"properties": map[string]any{"options": []any{map[string]any{
		"name":          "token",
		"configuration": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
		"restriction": map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
			"issuer": "urn:lockstream:test", "audience": "urn:lockstream:test:playback", "restrictionTokenType": "Jwt",
			"primaryVerificationKey":    map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey", "keyValue": base64.StdEncoding.EncodeToString(hmacKey)},
			"alternateVerificationKeys": []any{}, "requiredClaims": []any{}},
	}}}}, nil)
	call(http.MethodPut, "/streamingLocators/maxuses", map[string]any{"properties": map[string]any{
		"assetName": "demo", "streamingPolicyName": "Predefined_ClearKey", "defaultContentKeyPolicyName": "maxuses"}}, nil)
	var keys struct {
		ContentKeys []struct{ ID, Value string } `json:"contentKeys"`
	}
	call(http.MethodPost, "/streamingLocators/maxuses/listContentKeys", nil, &keys)
	var account struct {
		Properties struct {
			MediaServiceID string `json:"mediaServiceId"`
		} `json:"properties"`
	}
	call(http.MethodGet, "", nil, &account)
	if len(keys.ContentKeys) != 1 || account.Properties.MediaServiceID == "" {
		t.Fatalf("keys %+v account %+v", keys, account)
	}
	kid, want := keys.ContentKeys[0].ID, keys.ContentKeys[0].Value

	const k, n = 5, 24
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: hmacKey}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := json.Marshal(map[string]any{"iss": "urn:lockstream:test", "aud": "urn:lockstream:test:playback",
		"exp": time.Now().Add(30 * time.Minute).Unix(), "nbf": time.Now().Add(-time.Minute).Unix(),
		"urn:microsoft:azure:mediaservices:maxuses": k})
	jws, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := jws.CompactSerialize()

	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		base := n1
		if i%2 == 1 {
			base = n2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/keydelivery/%s/?kid=%s", base, account.Properties.MediaServiceID, kid), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			switch resp.StatusCode {
			case http.StatusOK:
				if base64.StdEncoding.EncodeToString(b) != want {
					t.Errorf("key delivery answered a key that is not the locator's")
				}
				ok.Add(1)
			case http.StatusUnauthorized:
				refused.Add(1)
			default:
				t.Errorf("status %d: %s", resp.StatusCode, b)
			}
		}()
	}
	close(gate)
	wg.Wait()
	if ok.Load() != k || refused.Load() != n-k {
		t.Fatalf("%d concurrent requests with a maxuses=%d token over two processes: %d succeeded, %d refused", n, k, ok.Load(), refused.Load())
	}
}
