package sts_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/sts"
)

func kids(set jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	return out
}

// TestRollover follows one key through its life with a stepped clock: the
// successor is published before it signs, a token signed just before the
// switch verifies until it expires, the retired key leaves the JWKS and
// its tokens are refused, a restarted node keeps the keys, and a revoked
// key is refused at once.
func TestRollover(t *testing.T) {
	e := newEnv(t, func(c *sts.Config) {
		c.TokenLifetime = 10 * time.Minute
		c.Keys = sts.KeyConfig{Lifetime: 2 * time.Hour, PrePublish: 30 * time.Minute, CacheTTL: time.Second}
	})
	u, secret := e.user("viewer", "premium")
	token := func() (string, string) {
		tok := e.passwordToken(u.Name, secret, nil)
		return tok, header(t, tok).KeyID
	}

	_, k1 := token()
	if got := kids(e.discover()); !slices.Equal(got, []string{k1}) {
		t.Fatalf("JWKS %v, want [%s]", got, k1)
	}

	// Within PrePublish of the key's end: the successor is published but
	// does not sign yet.
	e.clock.Advance(90*time.Minute + time.Second)
	if _, kid := token(); kid != k1 {
		t.Fatalf("signed with %s before the successor's activation, want %s", kid, k1)
	}
	set := e.discover()
	if len(set.Keys) != 2 || set.Keys[0].KeyID != k1 {
		t.Fatalf("JWKS %v: want %s and its successor", kids(set), k1)
	}
	k2 := set.Keys[1].KeyID

	// The last token of k1, just before the switch.
	e.clock.Advance(29*time.Minute - time.Second) // t0+1h59m
	last, kid := token()
	if kid != k1 {
		t.Fatalf("last token signed with %s", kid)
	}
	lastExp := e.clock.Now().Add(10 * time.Minute)

	e.clock.Advance(time.Minute) // t0+2h: k2 signs
	fresh, kid := token()
	if kid != k2 {
		t.Fatalf("after activation signed with %s, want %s", kid, k2)
	}
	e.clock.Advance(8*time.Minute + 30*time.Second) // 30 s before last expires
	set = e.discover()
	for _, tok := range []string{last, fresh} {
		if _, err := verify(tok, set, e.cfg.Issuer, e.clock.Now()); err != nil {
			t.Fatalf("token before expiry: %v", err)
		}
	}
	if _, err := verify(last, set, e.cfg.Issuer, lastExp); err == nil {
		t.Fatal("token verified at its expiry")
	}

	// Overlap (TokenLifetime + 5 min) after k2's activation, k1 retires.
	e.clock.Advance(7 * time.Minute)
	if err := e.svc.Maintain(t.Context()); err != nil {
		t.Fatal(err)
	}
	set = e.discover()
	if got := kids(set); !slices.Equal(got, []string{k2}) {
		t.Fatalf("JWKS after retirement %v, want [%s]", got, k2)
	}
	// Even a verifier whose clock still accepts its exp refuses it.
	if _, err := verify(last, set, e.cfg.Issuer, lastExp.Add(-time.Minute)); err == nil {
		t.Fatal("token of a retired key verified")
	}
	rs, err := e.store.List(t.Context(), store.ListQuery{Kind: sts.KindSigningKey, Scope: sts.DefaultScope})
	if err != nil || len(rs) != 1 {
		t.Fatalf("key records after gc: %d, %v", len(rs), err)
	}

	// A restarted node (or another one) signs with the stored key.
	other := e.newService()
	otherSet, err := other.JWKS(t.Context())
	if err != nil || !slices.Equal(kids(otherSet), []string{k2}) {
		t.Fatalf("restarted node JWKS %v, %v", kids(otherSet), err)
	}
	rec, err := e.store.GetUser(t.Context(), u.Name)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := other.Issue(t.Context(), rec, sts.Options{})
	if err != nil || tok.KID != k2 {
		t.Fatalf("restarted node signs with %s, %v", tok.KID, err)
	}

	// Revocation: the key leaves the JWKS at once and a new key signs.
	if err := e.svc.RemoveKey(t.Context(), k2); err != nil {
		t.Fatal(err)
	}
	set = e.discover()
	if slices.Contains(kids(set), k2) || len(set.Keys) != 1 {
		t.Fatalf("JWKS after revoking %s: %v", k2, kids(set))
	}
	if _, err := verify(fresh, set, e.cfg.Issuer, e.clock.Now()); err == nil {
		t.Fatal("token of a revoked key verified")
	}
	if _, kid := token(); kid != set.Keys[0].KeyID {
		t.Fatalf("after revocation signed with %s, want %s", kid, set.Keys[0].KeyID)
	}
	if err := e.svc.RemoveKey(t.Context(), "no-such-kid"); err == nil {
		t.Fatal("removing an unknown kid succeeded")
	}

	// Rotate: the new key signs at once, the old one stays published.
	before := set.Keys[0].KeyID
	k4, err := e.svc.Rotate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, kid := token(); kid != k4 {
		t.Fatalf("after Rotate signed with %s, want %s", kid, k4)
	}
	if got := kids(e.discover()); !slices.Equal(got, []string{before, k4}) {
		t.Fatalf("JWKS after Rotate %v", got)
	}
}

// TestNodesAgree starts several nodes on one store at once: exactly one
// first key is created and every node signs with it.
func TestNodesAgree(t *testing.T) {
	e := newEnv(t, func(c *sts.Config) { c.Keys.Algorithm = sts.AlgES256 })
	nodes := []*sts.Service{e.svc, e.newService(), e.newService(), e.newService()}
	var wg sync.WaitGroup
	errs := make([]error, len(nodes))
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = n.Maintain(t.Context())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rs, err := e.store.List(t.Context(), store.ListQuery{Kind: sts.KindSigningKey, Scope: sts.DefaultScope})
	if err != nil || len(rs) != 1 {
		t.Fatalf("%d key records, %v; want 1", len(rs), err)
	}
	if _, _, err := e.svc.CreateUser(t.Context(), sts.UserOptions{Name: "grace"}); err != nil {
		t.Fatal(err)
	}
	rec, err := e.store.GetUser(t.Context(), "grace")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		tok, err := n.Issue(t.Context(), rec, sts.Options{})
		if err != nil || tok.KID != rs[0].ID {
			t.Fatalf("node signs with %q, %v; want %q", tok.KID, err, rs[0].ID)
		}
	}
}
