package sts_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/sts"
)

// FuzzTokenRequest sends arbitrary bodies, content types and
// Authorization headers to the token endpoint: none may get a token (no
// credential is guessable) or cause a server error.
func FuzzTokenRequest(f *testing.F) {
	e := newEnv(f, nil)
	if _, _, err := e.svc.CreateUser(f.Context(), sts.UserOptions{Name: "alice", GenerateSecret: true}); err != nil {
		f.Fatal(err)
	}
	h := e.svc.Handler()
	f.Add("application/x-www-form-urlencoded", "grant_type=password&username=alice&password=x", "")
	f.Add("application/json", `{"grant_type":"client_credentials","client_id":"alice","client_secret":"x","maxuses":"1"}`, "")
	f.Add("application/json", `{"grant_type":"password","maxuses":1e3}`, "Basic YWxpY2U6eA==")
	f.Add("application/x-www-form-urlencoded", "grant_type=urn%3Alockstream%3Aparams%3Aoauth%3Agrant-type%3Aon-behalf-of&user=alice", "Bearer x")
	f.Add("text/plain", "%%%", "Basic ")
	f.Fuzz(func(t *testing.T, ct, body, authz string) {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/token", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code == http.StatusOK || w.Code >= 500 || strings.Contains(w.Body.String(), "access_token") {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}
