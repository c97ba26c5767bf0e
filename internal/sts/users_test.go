package sts_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/sts"
)

// TestEntitlementChanges checks that every change to a user shows in its
// next token, and that credential changes take effect at once.
func TestEntitlementChanges(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	u, secret := e.user("heidi", "basic")
	claims := func(secret string) map[string]any {
		t.Helper()
		c, err := verify(e.passwordToken("heidi", secret, nil), e.discover(), e.cfg.Issuer, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	status := func(secret string) int {
		t.Helper()
		return e.post(url.Values{"grant_type": {"password"}, "username": {"heidi"}, "password": {secret}}, nil).status
	}

	if _, err := e.svc.AddGroup(ctx, "HEIDI", "premium"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RemoveGroup(ctx, "heidi", "basic"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RemoveGroup(ctx, "heidi", "basic"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing a group twice: %v", err)
	}
	if _, err := e.svc.SetClaim(ctx, "heidi", "region", json.RawMessage(`["eu","us"]`)); err != nil {
		t.Fatal(err)
	}
	c := claims(secret)
	if !slices.Equal(c["groups"].([]any), []any{"premium"}) || !slices.Equal(c["region"].([]any), []any{"eu", "us"}) {
		t.Fatalf("claims %v", c)
	}
	if _, err := e.svc.SetClaim(ctx, "heidi", "region", json.RawMessage(`null`)); err != nil {
		t.Fatal(err)
	}
	if _, ok := claims(secret)["region"]; ok {
		t.Fatal("removed claim still issued")
	}
	if _, err := e.svc.RemoveGroup(ctx, "heidi", "premium"); err != nil {
		t.Fatal(err)
	}
	if _, ok := claims(secret)["groups"]; ok {
		t.Fatal("groups claim without groups")
	}

	// Reserved and malformed claims are refused.
	for _, name := range []string{"sub", "groups", "exp", sts.MaxUsesClaim, sts.ContentKeyIDClaim, "", "a\x01"} {
		if _, err := e.svc.SetClaim(ctx, "heidi", name, json.RawMessage(`"x"`)); !errors.Is(err, sts.ErrInvalid) {
			t.Errorf("SetClaim %q: %v", name, err)
		}
	}
	if _, err := e.svc.SetClaim(ctx, "heidi", "bad", json.RawMessage(`{`)); !errors.Is(err, sts.ErrInvalid) {
		t.Errorf("SetClaim with bad JSON: %v", err)
	}
	if _, err := e.svc.SetClaim(ctx, "nobody", "a", json.RawMessage(`1`)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetClaim on a missing user: %v", err)
	}

	// A new secret replaces the old one at once.
	next, err := e.svc.SetSecret(ctx, "heidi", "")
	if err != nil || next == "" || next == secret {
		t.Fatalf("SetSecret: %q, %v", next, err)
	}
	if s := status(secret); s != http.StatusUnauthorized {
		t.Fatalf("old secret: %d", s)
	}
	claims(next)
	chosen := "correct horse battery staple"
	if out, err := e.svc.SetSecret(ctx, "heidi", chosen); err != nil || out != "" {
		t.Fatalf("SetSecret chosen: %q, %v", out, err)
	}
	claims(chosen)
	if _, err := e.svc.SetSecret(ctx, "heidi", "short"); !errors.Is(err, sts.ErrInvalid) {
		t.Fatalf("short secret: %v", err)
	}
	// The store holds the hash sealed, not even the PHC string in clear.
	rec, err := e.store.GetUser(ctx, "heidi")
	if err != nil || len(rec.Secret) == 0 || bytes.Contains(rec.Secret, []byte("argon2")) || bytes.Contains(rec.Secret, []byte(chosen)) {
		t.Fatalf("stored secret %q, %v", rec.Secret, err)
	}
	if err := e.svc.ClearSecret(ctx, "heidi"); err != nil {
		t.Fatal(err)
	}
	if s := status(chosen); s != http.StatusUnauthorized {
		t.Fatalf("after ClearSecret: %d", s)
	}
	got, err := e.svc.GetUser(ctx, "heidi")
	if err != nil || got.HasSecret || got.ID != u.ID {
		t.Fatalf("GetUser: %+v, %v", got, err)
	}

	if err := e.svc.DeleteUser(ctx, "heidi"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetUser(ctx, "heidi"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetUser after delete: %v", err)
	}
}

func TestCreateUser(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	u, secret, err := e.svc.CreateUser(ctx, sts.UserOptions{Name: "ivan@example.com", DisplayName: "Ivan",
		Secret: "operator chosen secret", Groups: []string{"b", "a", "b"},
		Claims: map[string]json.RawMessage{"tier": json.RawMessage(`"gold"`)}})
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		t.Fatal("a chosen secret was echoed back")
	}
	if !u.HasSecret || !slices.Equal(u.Groups, []string{"a", "b"}) || string(u.Claims["tier"]) != `"gold"` || u.ID == "" {
		t.Fatalf("user %+v", u)
	}
	e.passwordToken("Ivan@Example.com", "operator chosen secret", nil)

	bad := []sts.UserOptions{
		{Name: ""},
		{Name: "has space"},
		{Name: "slash/name"},
		{Name: "ivan@example.com"}, // taken
		{Name: "x", Secret: "short"},
		{Name: "x", Groups: []string{""}},
		{Name: "x", Groups: []string{"a\nb"}},
		{Name: "x", Claims: map[string]json.RawMessage{"iss": json.RawMessage(`"me"`)}},
		{Name: "x", DisplayName: "bell\a"},
	}
	for _, o := range bad {
		if _, _, err := e.svc.CreateUser(ctx, o); err == nil {
			t.Errorf("CreateUser %+v succeeded", o)
		}
	}
	for i := range 5 {
		if _, _, err := e.svc.CreateUser(ctx, sts.UserOptions{Name: "u" + string(rune('0'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	page, next, err := e.svc.ListUsers(ctx, "", 4)
	if err != nil || len(page) != 4 || next != page[3].Name {
		t.Fatalf("first page: %d, %q, %v", len(page), next, err)
	}
	page, next, err = e.svc.ListUsers(ctx, next, 4)
	if err != nil || len(page) != 2 || next != "" {
		t.Fatalf("second page: %d, %q, %v", len(page), next, err)
	}
}
