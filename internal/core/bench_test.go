package core_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
)

// benchNode starts a demo node and returns the demo account URL and a
// bearer token.
func benchNode(b *testing.B) (acct, tok string, stop func()) {
	b.Helper()
	c := testConf(nil, b.TempDir())
	n := start(b, c)
	api := "http://" + n.Addr("api")
	tok = token(b, api)
	acct = api + "/subscriptions/" + c.Demo.Subscription + "/resourceGroups/" + c.Demo.ResourceGroup + "/providers/Microsoft.Media/mediaServices/" + c.Demo.Account
	return acct, tok, func() { _ = n.Close(context.Background()) }
}

func benchGet(b *testing.B, method, u, tok string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(method, u, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

// BenchmarkGetAsset: one authenticated, authorized GET of an asset over
// loopback HTTP (JWT verification, RBAC lookup, SQLite read, JSON).
func BenchmarkGetAsset(b *testing.B) {
	acct, tok, stop := benchNode(b)
	defer stop()
	benchGet(b, http.MethodGet, acct+"/assets/demo?api-version=2022-08-01", tok)
}

// BenchmarkListStreamingPolicies: a list page (six built-ins).
func BenchmarkListStreamingPolicies(b *testing.B) {
	acct, tok, stop := benchNode(b)
	defer stop()
	benchGet(b, http.MethodGet, acct+"/streamingPolicies?api-version=2022-08-01", tok)
}

// BenchmarkListContentKeys: unsealing a content key (AES-256-GCM) per call.
func BenchmarkListContentKeys(b *testing.B) {
	acct, tok, stop := benchNode(b)
	defer stop()
	benchGet(b, http.MethodPost, acct+"/streamingLocators/demo-aes/listContentKeys?api-version=2022-08-01", tok)
}

// BenchmarkTokenIssue: the client-credentials grant, dominated on purpose
// by the argon2id check of the client secret.
func BenchmarkTokenIssue(b *testing.B) {
	c := testConf(nil, b.TempDir())
	c.Demo.Enabled = false
	c.RateLimit.TokensPerIP = 0 // measures the grant, not the limiter
	n := start(b, c)
	defer n.Close(context.Background())
	u := "http://" + n.Addr("api") + "/" + conf.Default().Identity.TenantID + "/oauth2/v2.0/token"
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {conf.Default().Identity.Audience + "/.default"}}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := http.PostForm(u, form)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
