package signkeys

import (
	"context"
	"errors"

	"github.com/lockstream/lockstream/internal/store"
)

// Signer returns the key that signs now, creating the first key or the
// next one when due. Across nodes only one creates each key: the record
// name is its sequence number, and a losing Create just reloads.
func (r *Ring) Signer(ctx context.Context) (*Key, error) {
	set, err := r.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	now := r.cfg.Now()
	if need, _ := set.plan(now); need {
		if err := r.ensure(ctx); err != nil {
			return nil, err
		}
		if set, err = r.snapshot(ctx, true); err != nil {
			return nil, err
		}
		// The new key activates at the time ensure read, which is after
		// the now above.
		now = r.cfg.Now()
	}
	k := set.signerAt(now)
	if k == nil {
		return nil, r.errorf("no signing key available")
	}
	return k, nil
}

// ensure creates the next key if the store (not this node's cache) says
// one is due.
func (r *Ring) ensure(ctx context.Context) error {
	ks, err := r.load(ctx, r.cfg.Store)
	if err != nil {
		return err
	}
	if need, _ := newKeySet(ks, r.cfg.Now(), r.timing()).plan(r.cfg.Now()); !need {
		return nil
	}
	// Generating is slow (RSA): do it before the transaction so that the
	// store's write lock is not held meanwhile. A node that then loses the
	// race discards its key.
	priv, err := r.generate()
	if err != nil {
		return err
	}
	var created string
	err = r.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		created = "" // the store may run this function again
		ks, err := r.load(ctx, tx)
		if err != nil {
			return err
		}
		now := r.cfg.Now()
		need, act := newKeySet(ks, now, r.timing()).plan(now)
		if !need {
			return nil
		}
		res, kid, err := r.record(priv, maxSeq(ks)+1, act)
		if err != nil {
			return err
		}
		if err := tx.Create(ctx, res, nil); errors.Is(err, store.ErrConflict) {
			return nil // another node created this key first
		} else if err != nil {
			return err
		}
		created = kid + " activates " + store.FormatTime(act)
		return nil
	})
	if err != nil {
		return r.errorf("create signing key: %w", err)
	}
	if created != "" {
		r.cfg.Log.Info(r.cfg.LogPrefix+"signing key created", "kid", created)
	}
	return nil
}

// Rotate creates a new signing key that signs from now on and returns its
// kid. Older keys stay published for Overlap, so tokens they signed keep
// verifying until they expire. The kid may be set even with an error (the
// record was built but not stored), for the caller's audit.
func (r *Ring) Rotate(ctx context.Context) (string, error) {
	priv, err := r.generate()
	if err != nil {
		return "", err
	}
	var kid string
	// A conflict means another node created a key concurrently: number
	// ours after it.
	for range 3 {
		err = r.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
			ks, err := r.load(ctx, tx)
			if err != nil {
				return err
			}
			var res *store.Resource
			if res, kid, err = r.record(priv, maxSeq(ks)+1, r.cfg.Now()); err != nil {
				return err
			}
			return tx.Create(ctx, res, nil)
		})
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return kid, r.errorf("rotate signing key: %w", err)
	}
	if _, err = r.snapshot(ctx, true); err != nil {
		return kid, err
	}
	r.cfg.Log.Info(r.cfg.LogPrefix+"signing key rotated", "kid", kid)
	return kid, nil
}
