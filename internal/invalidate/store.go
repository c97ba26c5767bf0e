package invalidate

import (
	"context"
	"slices"

	"github.com/lockstream/lockstream/internal/store"
)

// watched are the kinds whose rows the caches hold (origin locator info
// and protections, key delivery's accounts and policies).
var watched = map[store.Kind]bool{
	store.KindAccount: true, store.KindAsset: true, store.KindAssetFilter: true, store.KindAccountFilter: true,
	store.KindContentKeyPolicy: true, store.KindStreamingPolicy: true, store.KindStreamingLocator: true,
	store.KindStreamingEndpoint: true, store.KindLicenseServer: true,
}

// Store publishes on its bus after each committed transaction that wrote
// a watched kind; everything else passes through the embedded Store.
type Store struct {
	store.Store
	bus   Bus
	extra []store.Kind
}

// WrapStore returns st publishing changes on bus; extra kinds are
// watched besides the cached resource kinds (e.g. signing-key records of
// the identity provider and the STS).
func WrapStore(st store.Store, bus Bus, extra ...store.Kind) *Store {
	return &Store{Store: st, bus: bus, extra: extra}
}

// WithTx runs fn and, when it committed a write of a watched kind,
// publishes. A backend retry runs fn again with a fresh record.
func (s *Store) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	var wrote bool
	err := s.Store.WithTx(ctx, func(tx store.Tx) error {
		t := &recTx{Tx: tx, extra: s.extra}
		err := fn(t)
		wrote = t.wrote
		return err
	})
	if err == nil && wrote {
		s.bus.Publish(context.WithoutCancel(ctx))
	}
	return err
}

// recTx records whether a watched kind was written.
type recTx struct {
	store.Tx
	extra []store.Kind
	wrote bool
}

func (t *recTx) watches(k store.Kind) bool { return watched[k] || slices.Contains(t.extra, k) }

func (t *recTx) Create(ctx context.Context, r *store.Resource, refs []store.Ref) error {
	t.wrote = t.wrote || t.watches(r.Kind)
	return t.Tx.Create(ctx, r, refs)
}

func (t *recTx) Replace(ctx context.Context, r *store.Resource, refs []store.Ref) error {
	t.wrote = t.wrote || t.watches(r.Kind)
	return t.Tx.Replace(ctx, r, refs)
}

func (t *recTx) Delete(ctx context.Context, k store.Key) error {
	t.wrote = t.wrote || t.watches(k.Kind)
	return t.Tx.Delete(ctx, k)
}

func (t *recTx) PutContentKeys(ctx context.Context, keys []store.ContentKey) error {
	t.wrote = true
	return t.Tx.PutContentKeys(ctx, keys)
}
