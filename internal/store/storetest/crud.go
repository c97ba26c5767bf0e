package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

func testCreateGet(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	full := &store.Resource{
		Kind: store.KindAsset, Scope: acctScope, Name: "My-Asset", ID: "0b8e9f1c-1111-4a4a-9c9c-000000000001",
		Created:  t0.Add(123456789 * time.Nanosecond).In(time.FixedZone("x", 3600)),
		Modified: t0.Add(time.Hour + 987654321*time.Nanosecond),
		// Spacing and member order are kept byte for byte.
		Doc:    []byte(`{"b": "x",  "a":1, "nested":{"k":[1,2,{"z":null}]}, "s":"\u003ctag\u003e \ud83d\ude00"}`),
		Meta:   []byte(`{"tags":{"a":"b"}}`),
		Secret: []byte{0, 1, 2, 0xff},
	}
	bare := &store.Resource{Kind: store.KindAsset, Scope: acctScope, Name: "bare", Created: t0, Modified: t0}
	mustCreate(t, s, full)
	mustCreate(t, s, bare)
	if full.Version != 1 || bare.Version != 1 {
		t.Fatalf("Create set versions %d, %d; want 1", full.Version, bare.Version)
	}

	tests := []struct {
		name string
		get  func(r store.Reader) (*store.Resource, error)
		want *store.Resource
		err  error
	}{
		{"by name", func(r store.Reader) (*store.Resource, error) { return r.Get(ctx, asset("My-Asset")) }, full, nil},
		{"by name other case", func(r store.Reader) (*store.Resource, error) { return r.Get(ctx, asset("MY-ASSET")) }, full, nil},
		{"by id", func(r store.Reader) (*store.Resource, error) { return r.GetByID(ctx, store.KindAsset, full.ID) }, full, nil},
		{"nil doc, meta, secret", func(r store.Reader) (*store.Resource, error) { return r.Get(ctx, asset("bare")) }, bare, nil},
		{"missing name", func(r store.Reader) (*store.Resource, error) { return r.Get(ctx, asset("nope")) }, nil, store.ErrNotFound},
		{"other scope", func(r store.Reader) (*store.Resource, error) {
			return r.Get(ctx, key(store.KindAsset, acctScope+"x", "My-Asset"))
		}, nil, store.ErrNotFound},
		{"other kind", func(r store.Reader) (*store.Resource, error) {
			return r.Get(ctx, key(store.KindTransform, acctScope, "My-Asset"))
		}, nil, store.ErrNotFound},
		{"missing id", func(r store.Reader) (*store.Resource, error) { return r.GetByID(ctx, store.KindAsset, "nope") }, nil, store.ErrNotFound},
		{"empty id", func(r store.Reader) (*store.Resource, error) { return r.GetByID(ctx, store.KindAsset, "") }, nil, store.ErrNotFound},
		{"id of other kind", func(r store.Reader) (*store.Resource, error) { return r.GetByID(ctx, store.KindTransform, full.ID) }, nil, store.ErrNotFound},
		{"name with NUL", func(r store.Reader) (*store.Resource, error) { return r.Get(ctx, asset("a\x00b")) }, nil, store.ErrNotFound},
		{"name not UTF-8", func(r store.Reader) (*store.Resource, error) { return r.Get(ctx, asset("a\xffb")) }, nil, store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(where string, got *store.Resource, err error) {
				t.Helper()
				wantErr(t, where, err, tt.err)
				if tt.want != nil {
					if err := sameResource(got, tt.want); err != nil {
						t.Fatalf("%s: %v", where, err)
					}
				}
			}
			got, err := tt.get(s)
			check("store", got, err)
			mustTx(t, s, func(tx store.Tx) error {
				got, err := tt.get(tx)
				check("tx", got, err)
				return nil
			})
		})
	}
}

func testUniqueness(t *testing.T, open func(t *testing.T) store.Store) {
	existing := func() *store.Resource {
		r := newRes(asset("Alpha"))
		r.ID = "id-1"
		return r
	}
	tests := []struct {
		name string
		r    func() *store.Resource
		err  error
	}{
		{"same name", func() *store.Resource { return newRes(asset("Alpha")) }, store.ErrConflict},
		{"same name other case", func() *store.Resource { return newRes(asset("aLPHA")) }, store.ErrConflict},
		{"same id other name", func() *store.Resource { r := newRes(asset("Beta")); r.ID = "id-1"; return r }, store.ErrConflict},
		{"id is case-sensitive", func() *store.Resource { r := newRes(asset("Beta")); r.ID = "ID-1"; return r }, nil},
		{"same name other scope", func() *store.Resource { return newRes(key(store.KindAsset, acctScope+"2", "alpha")) }, nil},
		{"same name other kind", func() *store.Resource { return newRes(key(store.KindTransform, acctScope, "alpha")) }, nil},
		{"same id other kind", func() *store.Resource {
			r := newRes(key(store.KindTransform, acctScope, "t"))
			r.ID = "id-1"
			return r
		}, nil},
		{"empty ids never conflict", func() *store.Resource { return newRes(asset("Gamma")) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			mustCreate(t, s, existing())
			mustCreate(t, s, newRes(asset("no-id")))
			r := tt.r()
			// A conflict must leave the transaction usable (PostgreSQL
			// aborts a transaction on any statement error).
			var createErr error
			mustTx(t, s, func(tx store.Tx) error {
				createErr = tx.Create(t.Context(), r, nil)
				return tx.Create(t.Context(), newRes(asset("after")), nil)
			})
			wantErr(t, "create", createErr, tt.err)
			if !exists(t, s, asset("after")) {
				t.Fatal("create after the conflict was not committed")
			}
			got, err := s.Get(t.Context(), existing().Key())
			if err != nil || got.Name != "Alpha" || got.ID != "id-1" {
				t.Fatalf("existing resource changed: %+v, %v", got, err)
			}
		})
	}
}

func testReplace(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := t.Context()
	replace := func(s store.Store, r *store.Resource, refs ...store.Ref) error {
		return s.WithTx(ctx, func(tx store.Tx) error { return tx.Replace(ctx, r, refs) })
	}
	setup := func(t *testing.T) store.Store {
		s := open(t)
		r := newRes(asset("a"))
		r.ID, r.Secret = "id-a", []byte("secret")
		mustCreate(t, s, r)
		o := newRes(asset("other"))
		o.ID = "id-other"
		mustCreate(t, s, o)
		return s
	}
	t.Run("bumps version and overwrites", func(t *testing.T) {
		s := setup(t)
		r := &store.Resource{Kind: store.KindAsset, Scope: acctScope, Name: "A", ID: "id-a2",
			Created: t0, Modified: t0.Add(time.Minute), Doc: []byte(`{"x":"y"}`), Meta: []byte(`{}`), Version: 1}
		if err := replace(s, r); err != nil {
			t.Fatal(err)
		}
		if r.Version != 2 {
			t.Fatalf("version after replace = %d, want 2", r.Version)
		}
		got, err := s.Get(ctx, asset("a"))
		if err != nil {
			t.Fatal(err)
		}
		if err := sameResource(got, r); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetByID(ctx, store.KindAsset, "id-a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old id still found: %v", err)
		}
		r.Version = 0 // unconditional
		if err := replace(s, r); err != nil || r.Version != 3 {
			t.Fatalf("unconditional replace: version %d, err %v", r.Version, err)
		}
	})
	tests := []struct {
		name string
		r    func() *store.Resource
		err  error
	}{
		{"stale version", func() *store.Resource { r := newRes(asset("a")); r.Version = 7; return r }, store.ErrStale},
		{"missing", func() *store.Resource { return newRes(asset("nope")) }, store.ErrNotFound},
		{"id taken", func() *store.Resource { r := newRes(asset("a")); r.ID = "id-other"; return r }, store.ErrConflict},
		{"invalid doc", func() *store.Resource { r := newRes(asset("a")); r.Doc = []byte(`{`); return r }, store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setup(t)
			var rErr error
			mustTx(t, s, func(tx store.Tx) error {
				rErr = tx.Replace(ctx, tt.r(), nil)
				// The transaction stays usable after the failure.
				return tx.Create(ctx, newRes(asset("after")), nil)
			})
			wantErr(t, "replace", rErr, tt.err)
			got, err := s.Get(ctx, asset("a"))
			if err != nil || got.Version != 1 || string(got.Secret) != "secret" || got.ID != "id-a" {
				t.Fatalf("failed replace changed the resource: %+v, %v", got, err)
			}
			if !exists(t, s, asset("after")) {
				t.Fatal("create after the failed replace was not committed")
			}
		})
	}
	t.Run("replaces refs", func(t *testing.T) {
		s := setup(t)
		loc := newRes(key(store.KindStreamingLocator, acctScope, "loc"))
		mustCreate(t, s, loc, asset("a"))
		if err := replace(s, newRes(loc.Key()), asset("other")); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "delete formerly referenced", del(t, s, asset("a")), nil)
		wantErr(t, "delete referenced", del(t, s, asset("other")), store.ErrReferenced)
	})
}

func testValidation(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	tests := []struct {
		name string
		r    func() *store.Resource
		refs []store.Ref
	}{
		{"empty name", func() *store.Resource { return newRes(asset("")) }, nil},
		{"empty kind", func() *store.Resource { return newRes(key("", acctScope, "x")) }, nil},
		{"NUL in name", func() *store.Resource { return newRes(asset("a\x00")) }, nil},
		{"invalid UTF-8 in scope", func() *store.Resource { return newRes(key(store.KindAsset, "/\xff", "x")) }, nil},
		{"NUL in id", func() *store.Resource { r := newRes(asset("x")); r.ID = "\x00"; return r }, nil},
		{"year 10000", func() *store.Resource {
			r := newRes(asset("x"))
			r.Created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			return r
		}, nil},
		{"negative year", func() *store.Resource {
			r := newRes(asset("x"))
			r.Modified = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
			return r
		}, nil},
		{"invalid ref", func() *store.Resource { return newRes(asset("x")) }, []store.Ref{key(store.KindAsset, acctScope, "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := create(t.Context(), s, tt.r(), tt.refs...)
			wantErr(t, "create", err, store.ErrInvalid)
		})
	}
	got, err := s.List(t.Context(), store.ListQuery{Kind: store.KindAsset, Scope: acctScope})
	if err != nil || len(got) != 0 {
		t.Fatalf("invalid resources were stored: %v, %v", names(got), err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("ping: %v", err)
	}
}
