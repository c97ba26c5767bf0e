package policy_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/policy"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestOIDCRollover walks an issuer through a key rollover: old key only,
// old and new during the overlap, new only; and checks exactly when the
// JWKS is fetched.
func TestOIDCRollover(t *testing.T) {
	k := fixtures()
	oldKey, newKey := k.rsa, k.rsaAlt
	idp := newOIDCServer(t, jwk("old", "RS256", &oldKey.PublicKey))
	clock := &fakeClock{t: testNow}
	const minRefresh, maxAge = time.Minute, 10 * time.Minute
	e := newEvaluator(t, policy.Config{
		AllowInsecureDiscovery: true,
		Now:                    clock.Now,
		JWKSMinRefreshInterval: minRefresh,
		JWKSMaxAge:             maxAge,
	})
	p := single(idp.restriction())
	claims := baseClaims().with("exp", testNow.Add(time.Hour).Unix())
	oldTok := joseJWT(t, jose.RS256, oldKey, "old", claims)
	newTok := joseJWT(t, jose.RS256, newKey, "new", claims)

	step := func(name, tok string, wantOK bool, wantJWKSHits int64) {
		t.Helper()
		_, err := evaluate(e, p, tok)
		if (err == nil) != wantOK {
			t.Fatalf("%s: err = %v, want ok=%v", name, err, wantOK)
		}
		if got := idp.jwksHits.Load(); got != wantJWKSHits {
			t.Fatalf("%s: %d JWKS fetches, want %d", name, got, wantJWKSHits)
		}
		if got := idp.discoveryHits.Load(); got != wantJWKSHits {
			t.Fatalf("%s: %d discovery fetches, want %d (one per key set fetch)", name, got, wantJWKSHits)
		}
	}
	// burst sends n tokens with made-up kids at once; all must fail.
	burst := func(n int) {
		t.Helper()
		var wg sync.WaitGroup
		for i := range n {
			tok := joseJWT(t, jose.RS256, k.rsaOther, fmt.Sprintf("made-up-%d", i), claims)
			wg.Go(func() {
				if _, err := evaluate(e, p, tok); !errors.Is(err, policy.ErrUnauthenticated) {
					t.Errorf("made-up kid: err = %v", err)
				}
			})
		}
		wg.Wait()
	}

	step("first token fetches the set", oldTok, true, 1)
	step("cached", oldTok, true, 1)
	step("foreign issuer fetches nothing", joseJWT(t, jose.RS256, oldKey, "zzz", claims.with("iss", "https://elsewhere/")), false, 1)

	idp.setKeys(jwk("old", "RS256", &oldKey.PublicKey), jwk("new", "RS256", &newKey.PublicKey))
	step("new kid within the rate limit", newTok, false, 1)
	clock.Advance(minRefresh)
	step("new kid refreshes once", newTok, true, 2)
	step("old kid during the overlap", oldTok, true, 2)
	step("new kid cached", newTok, true, 2)

	burst(50)
	if got := idp.jwksHits.Load(); got != 2 {
		t.Fatalf("burst within the rate limit fetched %d times, want none", got-2)
	}
	clock.Advance(minRefresh)
	burst(50)
	if got := idp.jwksHits.Load(); got != 3 {
		t.Fatalf("burst after the interval fetched %d times, want exactly 1", got-2)
	}

	idp.setKeys(jwk("new", "RS256", &newKey.PublicKey))
	step("retired key still cached", oldTok, true, 3)
	clock.Advance(maxAge)
	step("aged set is fetched again; old key gone", oldTok, false, 4)
	step("new key keeps working", newTok, true, 4)

	idp.fail.Store(true)
	clock.Advance(maxAge)
	step("failed refresh keeps the previous set", newTok, true, 5)
	step("and is rate-limited too", newTok, true, 5)
}

func TestOIDCFailures(t *testing.T) {
	k := fixtures()
	tok := joseJWT(t, jose.RS256, k.rsa, "k1", baseClaims())
	unavailable := func(t *testing.T, e *policy.Evaluator, url, want string) {
		t.Helper()
		rr := jwtRestriction(nil)
		rr.OpenIDConnectDiscoveryDocument = url
		_, err := evaluate(e, single(rr), tok)
		if !errors.Is(err, policy.ErrUnavailable) || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want ErrUnavailable mentioning %q", err, want)
		}
	}

	t.Run("discovery issuer differs", func(t *testing.T) {
		idp := newOIDCServer(t, jwk("k1", "RS256", &k.rsa.PublicKey))
		idp.setDocIssuer("https://other-tenant.example.com/")
		e := newEvaluator(t, policy.Config{AllowInsecureDiscovery: true})
		unavailable(t, e, idp.discoveryURL(), "issuer")
		if n := idp.jwksHits.Load(); n != 0 {
			t.Fatalf("JWKS of a mismatched issuer fetched %d times", n)
		}
	})
	t.Run("document too large", func(t *testing.T) {
		many := make([]jose.JSONWebKey, 20)
		for i := range many {
			many[i] = jwk(fmt.Sprint(i), "RS256", &k.rsa.PublicKey)
		}
		idp := newOIDCServer(t, many...)
		e := newEvaluator(t, policy.Config{AllowInsecureDiscovery: true, MaxDocumentBytes: 4096})
		unavailable(t, e, idp.discoveryURL(), "larger than")
	})
	t.Run("no usable key", func(t *testing.T) {
		idp := newOIDCServer(t, jose.JSONWebKey{Key: k.hs, KeyID: "k1"}, jwk("k2", "RS256", k.rsa)) // oct and a private key
		e := newEvaluator(t, policy.Config{AllowInsecureDiscovery: true})
		unavailable(t, e, idp.discoveryURL(), "none of 2 keys")
	})
	t.Run("slow server times out", func(t *testing.T) {
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(slow.Close)
		t.Cleanup(func() { close(release) })
		e := newEvaluator(t, policy.Config{AllowInsecureDiscovery: true, FetchTimeout: 50 * time.Millisecond})
		unavailable(t, e, slow.URL, "deadline")
	})
	t.Run("https discovery, http jwks_uri", func(t *testing.T) {
		plain := newOIDCServer(t, jwk("k1", "RS256", &k.rsa.PublicKey))
		tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, testIssuer, plain.srv.URL+"/jwks")
		}))
		t.Cleanup(tls.Close)
		e := newEvaluator(t, policy.Config{Outbound: localGuard(false, tls)})
		unavailable(t, e, tls.URL, "scheme")
		if n := plain.jwksHits.Load(); n != 0 {
			t.Fatalf("http JWKS fetched %d times", n)
		}
	})
	t.Run("redirect to http", func(t *testing.T) {
		plain := newOIDCServer(t, jwk("k1", "RS256", &k.rsa.PublicKey))
		tls := httptest.NewTLSServer(http.RedirectHandler(plain.discoveryURL(), http.StatusFound))
		t.Cleanup(tls.Close)
		e := newEvaluator(t, policy.Config{Outbound: localGuard(false, tls)})
		unavailable(t, e, tls.URL, "redirect")
		if n := plain.discoveryHits.Load(); n != 0 {
			t.Fatalf("redirect target fetched %d times", n)
		}
	})
	t.Run("https end to end", func(t *testing.T) {
		var srv *httptest.Server
		srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/jwks" {
				set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk("k1", "RS256", &k.rsa.PublicKey)}}
				_, _ = w.Write([]byte(mustJSON(set)))
				return
			}
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, testIssuer, srv.URL+"/jwks")
		}))
		t.Cleanup(srv.Close)
		e := newEvaluator(t, policy.Config{Outbound: localGuard(false, srv)})
		rr := jwtRestriction(nil)
		rr.OpenIDConnectDiscoveryDocument = srv.URL + "/.well-known/openid-configuration"
		if _, err := evaluate(e, single(rr), tok); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("cancelled caller does not poison the shared fetch", func(t *testing.T) {
		idp := newOIDCServer(t, jwk("k1", "RS256", &k.rsa.PublicKey))
		e := newEvaluator(t, policy.Config{AllowInsecureDiscovery: true})
		p := single(idp.restriction())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _ = e.Evaluate(ctx, policy.Request{Policy: p, Kind: policy.KindEnvelope, KID: testKID, Token: tok})
		if _, err := evaluate(e, p, tok); err != nil {
			t.Fatal(err)
		}
		if n := idp.jwksHits.Load(); n != 1 {
			t.Fatalf("%d JWKS fetches, want 1", n)
		}
	})
}
