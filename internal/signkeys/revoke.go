package signkeys

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// Remove revokes a signing key at once: it leaves the JWKS and tokens it
// signed stop verifying (on other nodes within CacheTTL). When it was the
// key signing now, a new key replaces it immediately. revoked reports
// whether the store change committed (err may then still report a failed
// reload). Errors wrap store.ErrNotFound for an unknown kid.
func (r *Ring) Remove(ctx context.Context, kid string) (revoked bool, err error) {
	set, err := r.snapshot(ctx, true)
	if err != nil {
		return false, err
	}
	// A replacement is needed only when kid signs; generate it outside the
	// transaction when that is already known.
	var priv crypto.Signer
	if k := set.signerAt(r.cfg.Now()); k != nil && k.doc.KID == kid {
		if priv, err = r.generate(); err != nil {
			return false, err
		}
	}
	err = r.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		res, err := tx.GetByID(ctx, r.cfg.Kind, kid)
		if err != nil {
			return err
		}
		ks, err := r.load(ctx, tx)
		if err != nil {
			return err
		}
		now := r.cfg.Now()
		cur := newKeySet(ks, now, r.timing()).signerAt(now)
		if err := revoke(res, now); err != nil {
			return err
		}
		if err := tx.Replace(ctx, res, nil); err != nil {
			return err
		}
		if cur == nil || cur.doc.KID != kid {
			return nil
		}
		if priv == nil { // became the signer since the check above
			if priv, err = r.generate(); err != nil {
				return err
			}
		}
		next, _, err := r.record(priv, maxSeq(ks)+1, now)
		if err != nil {
			return err
		}
		return tx.Create(ctx, next, nil)
	})
	if err != nil {
		return false, r.errorf("remove signing key %.64q: %w", kid, err)
	}
	_, err = r.snapshot(ctx, true)
	return true, err
}

// revoke marks a key record revoked. The record stays (until clean-up) so
// that its sequence number is not reused.
func revoke(res *store.Resource, now time.Time) error {
	var doc keyDoc
	if err := json.Unmarshal(res.Doc, &doc); err != nil {
		return fmt.Errorf("decode key record: %w", err)
	}
	doc.Revoked = true
	var err error
	if res.Doc, err = json.Marshal(doc); err != nil {
		return fmt.Errorf("encode key record: %w", err)
	}
	res.Modified = now
	return nil
}

// gc deletes revoked and retired key records, always keeping the newest
// record so that sequence numbers never repeat.
func (r *Ring) gc(ctx context.Context, now time.Time) error {
	ks, err := r.load(ctx, r.cfg.Store)
	if err != nil {
		return err
	}
	set := newKeySet(ks, now, r.timing())
	var dead []store.Key
	for _, k := range ks {
		if k.doc.Seq != maxSeq(ks) && (k.doc.Revoked || set.retired(k, now)) {
			dead = append(dead, store.Key{Kind: r.cfg.Kind, Scope: r.cfg.Scope, Name: k.name})
		}
	}
	if len(dead) == 0 {
		return nil
	}
	err = r.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		for _, k := range dead {
			// Another node's clean-up may have deleted it first.
			if err := tx.Delete(ctx, k); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return r.errorf("delete %d retired signing keys: %w", len(dead), err)
	}
	return nil
}
