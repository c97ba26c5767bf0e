package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

func newUser(name, id string, secret []byte) *store.User {
	return &store.User{Name: name, ID: id, DisplayName: "User " + name, Secret: secret,
		Claims: []byte(`{"tier":"gold","n":2}`), Created: t0, Modified: t0}
}

func sameUser(got, want *store.User, groups ...string) error {
	if groups == nil {
		groups = []string{}
	}
	switch {
	case got.Name != want.Name || got.ID != want.ID || got.DisplayName != want.DisplayName:
		return fmt.Errorf("identity: got %q/%q/%q, want %q/%q/%q", got.Name, got.ID, got.DisplayName, want.Name, want.ID, want.DisplayName)
	case string(got.Secret) != string(want.Secret) || (got.Secret == nil) != (len(want.Secret) == 0):
		return fmt.Errorf("secret: got %x, want %x", got.Secret, want.Secret)
	case string(got.Claims) != string(want.Claims) || (got.Claims == nil) != (len(want.Claims) == 0):
		return fmt.Errorf("claims: got %q, want %q", got.Claims, want.Claims)
	case !got.Created.Equal(want.Created.Truncate(100*time.Nanosecond)) || !got.Modified.Equal(want.Modified.Truncate(100*time.Nanosecond)):
		return fmt.Errorf("times: got %v/%v, want %v/%v", got.Created, got.Modified, want.Created, want.Modified)
	case got.Version != want.Version:
		return fmt.Errorf("version: got %d, want %d", got.Version, want.Version)
	case !slices.Equal(got.Groups, groups):
		return fmt.Errorf("groups: got %q, want %q", got.Groups, groups)
	}
	return nil
}

func testUsers(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	alice := newUser("Alice", "id-alice", []byte("sealed\x00\xff"))
	mustTx(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx, alice) })
	if alice.Version != 1 {
		t.Fatalf("version after create: %d", alice.Version)
	}
	got, err := s.GetUser(ctx, "aLICE")
	if err != nil {
		t.Fatal(err)
	}
	if err := sameUser(got, alice); err != nil {
		t.Fatal(err)
	}

	conflicts := []struct {
		name string
		u    *store.User
	}{
		{"same name other case", newUser("ALICE", "id-other", nil)},
		{"same id", newUser("carol", "id-alice", nil)},
	}
	for _, tt := range conflicts {
		err := tx(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx, tt.u) })
		wantErr(t, tt.name, err, store.ErrConflict)
	}
	// A conflict must leave the transaction usable (PostgreSQL aborts a
	// transaction on a constraint error).
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, newUser("alice", "x", nil)); err == nil {
			return fmt.Errorf("duplicate created")
		}
		return tx.CreateUser(ctx, newUser("bob", "id-bob", nil))
	})

	upd := *alice
	upd.Name, upd.DisplayName, upd.Secret, upd.Claims = "ALICE", "Alice B.", nil, nil
	upd.Modified = t0.Add(time.Hour)
	mustTx(t, s, func(tx store.Tx) error { return tx.ReplaceUser(ctx, &upd) })
	if upd.Version != 2 {
		t.Fatalf("version after replace: %d", upd.Version)
	}
	got, err = s.GetUser(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := sameUser(got, &upd); err != nil {
		t.Fatal(err)
	}
	stale := *alice // still version 1
	err = tx(t, s, func(tx store.Tx) error { return tx.ReplaceUser(ctx, &stale) })
	wantErr(t, "stale replace", err, store.ErrStale)
	err = tx(t, s, func(tx store.Tx) error { return tx.ReplaceUser(ctx, newUser("nobody", "n", nil)) })
	wantErr(t, "replace missing", err, store.ErrNotFound)

	for i := range 5 {
		mustTx(t, s, func(tx store.Tx) error {
			return tx.CreateUser(ctx, newUser(fmt.Sprintf("user-%d", i), fmt.Sprintf("id-%d", i), nil))
		})
	}
	var pages [][]string
	after := ""
	for {
		us, err := s.ListUsers(ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(us) == 0 {
			break
		}
		var ns []string
		for _, u := range us {
			ns = append(ns, u.Name)
		}
		pages = append(pages, ns)
		after = us[len(us)-1].Name
	}
	want := [][]string{{"ALICE", "bob", "user-0"}, {"user-1", "user-2", "user-3"}, {"user-4"}}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Fatalf("pages %q, want %q", pages, want)
	}
	if all, err := s.ListUsers(ctx, "", 0); err != nil || len(all) != 7 {
		t.Fatalf("list all: %d users, %v", len(all), err)
	}

	mustTx(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx, "Bob") })
	_, err = s.GetUser(ctx, "bob")
	wantErr(t, "get deleted", err, store.ErrNotFound)
	err = tx(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx, "bob") })
	wantErr(t, "delete twice", err, store.ErrNotFound)
	// The name and id are free again.
	mustTx(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx, newUser("bob", "id-bob", nil)) })

	// Writes in a rolled-back transaction leave nothing behind.
	errBoom := fmt.Errorf("boom")
	err = tx(t, s, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, newUser("ghost", "id-ghost", nil)); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(t, "rollback", err, errBoom)
	_, err = s.GetUser(ctx, "ghost")
	wantErr(t, "get rolled back", err, store.ErrNotFound)
}

func testUserGroups(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	alice := newUser("alice", "id-alice", nil)
	bob := newUser("bob", "id-bob", nil)
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, alice); err != nil {
			return err
		}
		return tx.CreateUser(ctx, bob)
	})
	// Bytewise order: upper case before lower case, then non-ASCII.
	for _, g := range []string{"premium", "Admins", "ünicode", "premium", "beta"} {
		mustTx(t, s, func(tx store.Tx) error { return tx.AddGroup(ctx, "ALICE", g) })
	}
	mustTx(t, s, func(tx store.Tx) error { return tx.AddGroup(ctx, "bob", "beta") })
	got, err := s.GetUser(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := sameUser(got, alice, "Admins", "beta", "premium", "ünicode"); err != nil {
		t.Fatal(err)
	}
	us, err := s.ListUsers(ctx, "", 0)
	if err != nil || len(us) != 2 {
		t.Fatalf("list: %v, %v", us, err)
	}
	if !slices.Equal(us[0].Groups, []string{"Admins", "beta", "premium", "ünicode"}) || !slices.Equal(us[1].Groups, []string{"beta"}) {
		t.Fatalf("listed groups: %q, %q", us[0].Groups, us[1].Groups)
	}
	// Groups compare exactly: "Premium" is another group.
	err = tx(t, s, func(tx store.Tx) error { return tx.RemoveGroup(ctx, "alice", "Premium") })
	wantErr(t, "remove other case", err, store.ErrNotFound)
	mustTx(t, s, func(tx store.Tx) error { return tx.RemoveGroup(ctx, "alice", "premium") })
	err = tx(t, s, func(tx store.Tx) error { return tx.RemoveGroup(ctx, "alice", "premium") })
	wantErr(t, "remove twice", err, store.ErrNotFound)
	err = tx(t, s, func(tx store.Tx) error { return tx.AddGroup(ctx, "carol", "beta") })
	wantErr(t, "add to missing user", err, store.ErrNotFound)
	err = tx(t, s, func(tx store.Tx) error { return tx.RemoveGroup(ctx, "carol", "beta") })
	wantErr(t, "remove from missing user", err, store.ErrNotFound)
	for _, g := range []string{"", "a\x00b", string(make([]byte, store.MaxGroupNameLen+1))} {
		err = tx(t, s, func(tx store.Tx) error { return tx.AddGroup(ctx, "alice", g) })
		wantErr(t, fmt.Sprintf("add group %.10q", g), err, store.ErrInvalid)
	}
	// Replacing a user keeps its groups.
	got.DisplayName = "changed"
	mustTx(t, s, func(tx store.Tx) error { return tx.ReplaceUser(ctx, got) })
	if got, err = s.GetUser(ctx, "alice"); err != nil || !slices.Equal(got.Groups, []string{"Admins", "beta", "ünicode"}) {
		t.Fatalf("groups after replace: %+v, %v", got, err)
	}
	// Deleting a user ends its memberships; a new user of the same name
	// starts with none.
	mustTx(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx, "alice") })
	mustTx(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx, newUser("alice", "id-alice-2", nil)) })
	if got, err = s.GetUser(ctx, "alice"); err != nil || len(got.Groups) != 0 {
		t.Fatalf("recreated user: %+v, %v", got, err)
	}
}

func testUserValidation(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	long := string(make([]byte, store.MaxUserNameLen+1))
	tests := []struct {
		name string
		mod  func(u *store.User)
	}{
		{"empty name", func(u *store.User) { u.Name = "" }},
		{"long name", func(u *store.User) { u.Name = long }},
		{"NUL in name", func(u *store.User) { u.Name = "a\x00" }},
		{"bad UTF-8 name", func(u *store.User) { u.Name = "a\xff" }},
		{"empty id", func(u *store.User) { u.ID = "" }},
		{"NUL in display name", func(u *store.User) { u.DisplayName = "\x00" }},
		{"claims not JSON", func(u *store.User) { u.Claims = []byte(`{`) }},
		{"claims an array", func(u *store.User) { u.Claims = []byte(`["a"]`) }},
		{"claims with NUL escape", func(u *store.User) { u.Claims = []byte(`{"a":"\u0000"}`) }},
		{"claims too large", func(u *store.User) {
			u.Claims = []byte(`{"a":"` + string(make([]byte, store.MaxClaimsBytes)) + `"}`)
		}},
		{"year 10000", func(u *store.User) { u.Created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUser("valid", "id-valid", nil)
			tt.mod(u)
			err := tx(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx, u) })
			wantErr(t, "create", err, store.ErrInvalid)
		})
	}
	for _, name := range []string{"", "a\x00", long} {
		_, err := s.GetUser(ctx, name)
		wantErr(t, "get invalid name", err, store.ErrNotFound)
	}
}
