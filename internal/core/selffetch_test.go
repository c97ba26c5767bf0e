package core

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSelfTransport: the own STS is answered in-process; any other http://
// URL is refused before a connection is made (unless allowed), so
// admitting http:// in the evaluator for the own STS opens nothing else.
func TestSelfTransport(t *testing.T) {
	hits := 0
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer other.Close()
	own := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "own "+r.URL.Path) })
	tr := &selfTransport{prefixes: []string{"http://127.0.0.1:1/sts"}, handler: own, next: http.DefaultTransport}
	c := &http.Client{Transport: tr}

	resp, err := c.Get("http://127.0.0.1:1/sts/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "own /.well-known/openid-configuration" {
		t.Fatalf("own STS: %d %q", resp.StatusCode, b)
	}
	for _, u := range []string{other.URL + "/x", "http://127.0.0.1:1/stsx/jwks"} {
		if _, err := c.Get(u); err == nil || !strings.Contains(err.Error(), "scheme http not allowed") {
			t.Fatalf("GET %s: err = %v, want refusal", u, err)
		}
	}
	if hits != 0 {
		t.Fatalf("%d requests reached the other server", hits)
	}
	tr.allowHTTP = true
	if resp, err := c.Get(other.URL + "/x"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("allowed http: %v", err)
	}
	if hits != 1 {
		t.Fatalf("hits = %d", hits)
	}
}
