package identity_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
	"github.com/lockstream/lockstream/internal/store"
)

var b64 = base64.RawURLEncoding

func kidOf(t *testing.T, tok string) string {
	t.Helper()
	raw, err := b64.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

func jwksKids(t *testing.T, svc *identity.Service) []string {
	t.Helper()
	set, err := svc.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	slices.Sort(kids)
	return kids
}

func sorted(s ...string) []string { slices.Sort(s); return s }

func verifier(t *testing.T, env *identitytest.Env, svc *identity.Service) *auth.JWT {
	t.Helper()
	j, err := auth.NewJWT(auth.JWTConfig{Keys: svc, Directory: svc, Issuers: []string{env.Issuer()},
		Audience: identitytest.Audience, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func keyRecords(t *testing.T, env *identitytest.Env) []*store.Resource {
	t.Helper()
	rs, err := env.Store.List(context.Background(), store.ListQuery{Kind: identity.KindSigningKey, Scope: identity.DefaultScope})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// es256 makes key generation cheap and covers the second algorithm.
func es256(c *identity.Config) { c.Keys.Algorithm = "ES256" }

func TestForcedRotation(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, es256)
	clientID, secret := env.NewClient(t, "Reader", "*")
	j := verifier(t, env, env.Svc)

	old := env.Token(t, nil, clientID, secret)
	oldKid := kidOf(t, old)
	newKid, err := env.Svc.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh := env.Token(t, nil, clientID, secret)
	if kidOf(t, fresh) != newKid || newKid == oldKid {
		t.Fatalf("after Rotate tokens use %s, want %s (old %s)", kidOf(t, fresh), newKid, oldKid)
	}
	if got := jwksKids(t, env.Svc); !slices.Equal(got, sorted(oldKid, newKid)) {
		t.Fatalf("JWKS during overlap %v", got)
	}
	// The old token verifies until it expires.
	env.Clock.Advance(59 * time.Minute)
	if _, err := j.Verify(ctx, old); err != nil {
		t.Fatalf("old token 59 min after rotation: %v", err)
	}
	env.Clock.Advance(2 * time.Minute)
	if _, err := j.Verify(ctx, old); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("old token after expiry: %v", err)
	}
	// After the overlap the old key leaves the JWKS and Maintain deletes it.
	env.Clock.Advance(5 * time.Minute)
	if got := jwksKids(t, env.Svc); !slices.Equal(got, []string{newKid}) {
		t.Fatalf("JWKS after overlap %v", got)
	}
	if err := env.Svc.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(keyRecords(t, env)); n != 1 {
		t.Errorf("%d key records after clean-up, want 1", n)
	}
}

func TestRemoveKey(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, es256)
	clientID, secret := env.NewClient(t, "Reader", "*")
	j := verifier(t, env, env.Svc)
	tok := env.Token(t, nil, clientID, secret)
	kid := kidOf(t, tok)
	if _, err := j.Verify(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := env.Svc.RemoveKey(ctx, kid); err != nil {
		t.Fatal(err)
	}
	_, err := j.Verify(ctx, tok)
	var te *auth.TokenError
	if !errors.As(err, &te) || te.Description != "unknown signing key" {
		t.Fatalf("token of a removed key: %v", err)
	}
	// A new key took over at once.
	next := env.Token(t, nil, clientID, secret)
	if kidOf(t, next) == kid {
		t.Fatal("removed key still signs")
	}
	if _, err := j.Verify(ctx, next); err != nil {
		t.Fatal(err)
	}
	if got := jwksKids(t, env.Svc); slices.Contains(got, kid) {
		t.Errorf("removed key still in JWKS %v", got)
	}
	if err := env.Svc.RemoveKey(ctx, "no-such-kid"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RemoveKey(unknown) = %v", err)
	}
}

func TestScheduledRotationAcrossNodes(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, func(c *identity.Config) {
		es256(c)
		c.Keys.Lifetime = 24 * time.Hour
		c.Keys.PrePublish = time.Hour
	})
	nodeA, nodeB := env.Svc, env.Another(t, nil)
	clientID, secret := env.NewClient(t, "Reader", "*")
	first := kidOf(t, env.Token(t, nodeA, clientID, secret))
	if kidOf(t, env.Token(t, nodeB, clientID, secret)) != first {
		t.Fatal("nodes sign with different keys")
	}

	// At Lifetime − PrePublish both nodes run maintenance at once; exactly
	// one successor appears, published but not yet signing.
	env.Clock.Advance(23 * time.Hour)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = []*identity.Service{nodeA, nodeB}[i%2].Maintain(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if n := len(keyRecords(t, env)); n != 2 {
		t.Fatalf("%d key records after concurrent maintenance, want 2", n)
	}
	kids := jwksKids(t, nodeB)
	if len(kids) != 2 {
		t.Fatalf("JWKS before activation %v", kids)
	}
	old := env.Token(t, nodeB, clientID, secret)
	if kidOf(t, old) != first {
		t.Fatal("successor signs before its activation")
	}

	// At Lifetime the successor signs on every node; the old key verifies
	// its tokens until they expire.
	env.Clock.Advance(time.Hour)
	second := kidOf(t, env.Token(t, nodeA, clientID, secret))
	if second == first || kidOf(t, env.Token(t, nodeB, clientID, secret)) != second {
		t.Fatal("nodes disagree on the new signing key")
	}
	if _, err := verifier(t, env, nodeA).Verify(ctx, old); err != nil {
		t.Fatalf("token signed just before the switch: %v", err)
	}

	// A restarted node reads the same keys from the store.
	restarted := env.Another(t, nil)
	if kidOf(t, env.Token(t, restarted, clientID, secret)) != second {
		t.Fatal("restart changed the signing key")
	}
	if n := len(keyRecords(t, env)); n != 2 {
		t.Errorf("%d key records, want 2", n)
	}
}

func TestUnknownKidReloadsAcrossNodes(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, es256)
	clientID, secret := env.NewClient(t, "Reader", "*")
	nodeA, nodeB := env.Svc, env.Another(t, nil)
	j := verifier(t, env, nodeA)
	if _, err := j.Verify(ctx, env.Token(t, nodeA, clientID, secret)); err != nil {
		t.Fatal(err) // node A has now cached the first key
	}
	if _, err := nodeB.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	// Node A's cache is fresh but lacks the new kid: one reload finds it.
	if _, err := j.Verify(ctx, env.Token(t, nodeB, clientID, secret)); err != nil {
		t.Fatalf("token signed by a key another node rotated in: %v", err)
	}
}

// countingKeys counts forced reloads of a key set.
type countingKeys struct {
	auth.KeySet
	mu      sync.Mutex
	reloads int
}

func (c *countingKeys) VerificationKey(ctx context.Context, kid string, reload bool) (auth.VerificationKey, error) {
	if reload {
		c.mu.Lock()
		c.reloads++
		c.mu.Unlock()
	}
	return c.KeySet.VerificationKey(ctx, kid, reload)
}

func TestUnknownKidReloadIsRateLimited(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, es256)
	clientID, secret := env.NewClient(t, "Reader", "*")
	tok := env.Token(t, nil, clientID, secret)
	keys := &countingKeys{KeySet: env.Svc}
	j, err := auth.NewJWT(auth.JWTConfig{Keys: keys, Directory: env.Svc, Issuers: []string{env.Issuer()},
		Audience: identitytest.Audience, Now: env.Clock.Now, ReloadInterval: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Split(tok, ".")
	forged := func(kid string) string {
		return b64.EncodeToString([]byte(`{"alg":"ES256","typ":"JWT","kid":"`+kid+`"}`)) + "." + s[1] + "." + s[2]
	}
	for i := range 50 {
		if _, err := j.Verify(ctx, forged("junk-"+string(rune('a'+i%26)))); err == nil {
			t.Fatal("forged kid accepted")
		}
	}
	if keys.reloads != 1 {
		t.Errorf("%d reloads for 50 unknown kids within the interval, want 1", keys.reloads)
	}
	env.Clock.Advance(11 * time.Second)
	_, _ = j.Verify(ctx, forged("junk-z"))
	if keys.reloads != 2 {
		t.Errorf("%d reloads after the interval, want 2", keys.reloads)
	}
}

func TestFirstKeyCreatedOnceAcrossNodes(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, es256)
	nodes := []*identity.Service{env.Svc, env.Another(t, nil), env.Another(t, nil)}
	var wg sync.WaitGroup
	kids := make([][]string, 9)
	for i := range kids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			set, err := nodes[i%3].JWKS(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			for _, k := range set.Keys {
				kids[i] = append(kids[i], k.KeyID)
			}
		}()
	}
	wg.Wait()
	if n := len(keyRecords(t, env)); n != 1 {
		t.Fatalf("%d keys after concurrent first use, want 1", n)
	}
	for i, k := range kids {
		if !slices.Equal(k, kids[0]) || len(k) != 1 {
			t.Errorf("node view %d: %v, want %v", i, k, kids[0])
		}
	}
}
