package policy_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/defs"
)

// oidcServer is an OpenID Connect discovery document and JWKS whose keys
// a test can swap, counting every hit.
type oidcServer struct {
	srv *httptest.Server

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	docIssuer string
	fail      atomic.Bool // JWKS answers 500 while set

	discoveryHits, jwksHits atomic.Int64
}

func newOIDCServer(t testing.TB, keys ...jose.JSONWebKey) *oidcServer {
	t.Helper()
	s := &oidcServer{keys: keys, docIssuer: testIssuer}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		s.discoveryHits.Add(1)
		s.mu.Lock()
		doc := map[string]string{"issuer": s.docIssuer, "jwks_uri": s.srv.URL + "/jwks"}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		s.jwksHits.Add(1)
		if s.fail.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		s.mu.Lock()
		set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), s.keys...)}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *oidcServer) setKeys(keys ...jose.JSONWebKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *oidcServer) setDocIssuer(iss string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docIssuer = iss
}

func (s *oidcServer) discoveryURL() string { return s.srv.URL + "/.well-known/openid-configuration" }

// restriction is a Jwt restriction whose keys come from this server only.
func (s *oidcServer) restriction() *defs.ContentKeyPolicyTokenRestriction {
	r := jwtRestriction(nil)
	r.OpenIDConnectDiscoveryDocument = s.discoveryURL()
	return r
}

// jwk is the public JWK of a signing key.
func jwk(kid, alg string, pub any) jose.JSONWebKey {
	return jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"}
}

// hitCounter is an attacker's server: any request to it is a failure.
type hitCounter struct {
	srv  *httptest.Server
	hits atomic.Int64
}

func newHitCounter(t testing.TB) *hitCounter {
	h := &hitCounter{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		http.Error(w, "attacker", http.StatusTeapot)
	}))
	t.Cleanup(h.srv.Close)
	return h
}
