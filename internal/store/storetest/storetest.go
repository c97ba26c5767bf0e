package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// Run runs the conformance suite. open must return a fresh, empty store
// and arrange for it to be closed when t ends; it is called once or more
// per subtest, and subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"CreateGet", testCreateGet},
		{"Uniqueness", testUniqueness},
		{"Replace", testReplace},
		{"Delete", testDelete},
		{"Referrers", testReferrers},
		{"Validation", testValidation},
		{"DocMembers", testDocMembers},
		{"ListFilter", testListFilter},
		{"ListOrder", testListOrder},
		{"ScopePrefix", testScopePrefix},
		{"ConcurrentPaging", testConcurrentPaging},
		{"ContentKeys", testContentKeys},
		{"SealedItems", testSealedItems},
		{"Rollback", testRollback},
		{"ConcurrentTx", testConcurrentTx},
		{"Users", testUsers},
		{"UserGroups", testUserGroups},
		{"UserValidation", testUserValidation},
		{"TokenUses", testTokenUses},
		{"ConcurrentTokenUses", testConcurrentTokenUses},
		{"JobQueueOrder", testJobQueueOrder},
		{"JobQueuePriority", testJobQueuePriority},
		{"JobQueueExpiry", testJobQueueExpiry},
		{"JobQueueRelease", testJobQueueRelease},
		{"JobQueueCancel", testJobQueueCancel},
		{"JobQueueDelete", testJobQueueDelete},
		{"JobQueueConcurrent", testJobQueueConcurrent},
		{"JobQueueResubmit", testJobQueueResubmit},
		{"JobQueueStats", testJobQueueStats},
		{"CPIXKeys", testCPIXKeys},
		{"Outbox", testOutbox},
		{"DeliveryLeases", testDeliveryLeases},
		{"ReleaseDeliveries", testReleaseDeliveries},
		{"QueueStats", testQueueStats},
		{"ConcurrentLeases", testConcurrentLeases},
		{"DeliveryLeaseLimit", testDeliveryLeaseLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open)
		})
	}
}

// Fixture keys: an account in rg1, its children under its Path.
const (
	sub = "/subscriptions/s1"
	rg1 = sub + "/resourcegroups/rg1"
	rg2 = sub + "/resourcegroups/rg2"
)

var (
	t0   = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	acct = store.Key{Kind: store.KindAccount, Scope: rg1, Name: "Acct"}
	// acctScope is the scope of acct's children.
	acctScope = acct.Path()
)

func key(kind store.Kind, scope, name string) store.Key {
	return store.Key{Kind: kind, Scope: scope, Name: name}
}

func asset(name string) store.Key { return key(store.KindAsset, acctScope, name) }

// newRes returns a resource at k with an empty object document.
func newRes(k store.Key) *store.Resource {
	return &store.Resource{Kind: k.Kind, Scope: k.Scope, Name: k.Name, Created: t0, Modified: t0, Doc: []byte(`{}`)}
}

func tx(t *testing.T, s store.Store, fn func(tx store.Tx) error) error {
	t.Helper()
	return s.WithTx(t.Context(), fn)
}

func mustTx(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := tx(t, s, fn); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
}

func create(ctx context.Context, s store.Store, r *store.Resource, refs ...store.Ref) error {
	return s.WithTx(ctx, func(tx store.Tx) error { return tx.Create(ctx, r, refs) })
}

func mustCreate(t *testing.T, s store.Store, r *store.Resource, refs ...store.Ref) *store.Resource {
	t.Helper()
	if err := create(t.Context(), s, r, refs...); err != nil {
		t.Fatalf("create %s %q: %v", r.Kind, r.Name, err)
	}
	return r
}

func del(t *testing.T, s store.Store, k store.Key) error {
	t.Helper()
	return tx(t, s, func(tx store.Tx) error { return tx.Delete(t.Context(), k) })
}

func exists(t *testing.T, r store.Reader, k store.Key) bool {
	t.Helper()
	_, err := r.Get(t.Context(), k)
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrNotFound):
		return false
	}
	t.Fatalf("get %v: %v", k, err)
	return false
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// stored is what a backend hands back for r: times in UTC at the 100ns
// resolution of store.TimeLayout.
func stored(r store.Resource) store.Resource {
	r.Created = r.Created.UTC().Truncate(100 * time.Nanosecond)
	r.Modified = r.Modified.UTC().Truncate(100 * time.Nanosecond)
	return r
}

func sameResource(got, want *store.Resource) error {
	w := stored(*want)
	switch {
	case got.Kind != w.Kind || got.Scope != w.Scope || got.Name != w.Name || got.ID != w.ID:
		return fmt.Errorf("identity: got %s %s/%s id %q, want %s %s/%s id %q", got.Kind, got.Scope, got.Name, got.ID, w.Kind, w.Scope, w.Name, w.ID)
	case !got.Created.Equal(w.Created) || got.Created.Location() != time.UTC:
		return fmt.Errorf("created: got %v, want %v", got.Created, w.Created)
	case !got.Modified.Equal(w.Modified) || got.Modified.Location() != time.UTC:
		return fmt.Errorf("modified: got %v, want %v", got.Modified, w.Modified)
	case string(got.Doc) != string(w.Doc) || (got.Doc == nil) != (len(w.Doc) == 0):
		return fmt.Errorf("doc: got %q, want %q", got.Doc, w.Doc)
	case string(got.Meta) != string(w.Meta) || (got.Meta == nil) != (len(w.Meta) == 0):
		return fmt.Errorf("meta: got %q, want %q", got.Meta, w.Meta)
	case string(got.Secret) != string(w.Secret) || (got.Secret == nil) != (len(w.Secret) == 0):
		return fmt.Errorf("secret: got %x, want %x", got.Secret, w.Secret)
	case got.Version != w.Version:
		return fmt.Errorf("version: got %d, want %d", got.Version, w.Version)
	}
	return nil
}

func names(rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}
