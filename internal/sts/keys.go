package sts

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/store"
)

// ErrKeyNotFound reports an unknown, revoked or retired signing key.
var ErrKeyNotFound = errors.New("sts: signing key not found")

// newHMACKey wraps the configured HS256 key. Its kid is derived from the
// key, so every node names it alike without sharing state, and a changed
// key gets a new kid.
func newHMACKey(key []byte) *signingKey {
	sum := sha256.Sum256(append([]byte("lockstream sts hs256 kid\x00"), key...))
	kid := base64.RawURLEncoding.EncodeToString(sum[:16])
	return &signingKey{doc: keyDoc{KID: kid, Alg: AlgHS256}, priv: slices.Clone(key)}
}

// generateKey makes a new private key for the configured algorithm.
func (s *Service) generateKey() (crypto.Signer, error) {
	if s.cfg.Keys.Algorithm == AlgES256 {
		k, err := ecdsa.GenerateKey(elliptic.P256(), lockedRand{s})
		if err != nil {
			return nil, fmt.Errorf("sts: generate ES256 key: %w", err)
		}
		return k, nil
	}
	k, err := rsa.GenerateKey(lockedRand{s}, s.cfg.Keys.RSABits)
	if err != nil {
		return nil, fmt.Errorf("sts: generate RS256 key: %w", err)
	}
	return k, nil
}

// keyResource builds the store record of key number seq.
func (s *Service) keyResource(priv crypto.Signer, seq int64, activates time.Time) (*store.Resource, string, error) {
	jwk := jose.JSONWebKey{Key: priv.Public(), Algorithm: s.cfg.Keys.Algorithm, Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, "", fmt.Errorf("sts: key thumbprint: %w", err)
	}
	// RFC 7638 thumbprint: stable, unique per key, reveals nothing.
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	pub, err := jwk.MarshalJSON()
	if err != nil {
		return nil, "", fmt.Errorf("sts: encode public key: %w", err)
	}
	doc, err := json.Marshal(keyDoc{KID: jwk.KeyID, Alg: s.cfg.Keys.Algorithm, Seq: seq,
		Activates: store.FormatTime(activates), JWK: pub})
	if err != nil {
		return nil, "", fmt.Errorf("sts: encode key record: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, "", fmt.Errorf("sts: encode private key: %w", err)
	}
	defer clear(der)
	now := s.now()
	res := &store.Resource{Kind: KindSigningKey, Scope: s.cfg.Scope, Name: keyName(seq), ID: jwk.KeyID,
		Created: now, Modified: now, Doc: doc}
	if res.Secret, err = s.cfg.Sealer.Seal(der, aad(res.Key())); err != nil {
		return nil, "", fmt.Errorf("sts: seal private key: %w", err)
	}
	return res, jwk.KeyID, nil
}

// signer returns the key that signs now, creating the first key or the
// next one when due. Across nodes only one creates each key: the record
// name is its sequence number, and a losing Create just reloads.
func (s *Service) signer(ctx context.Context) (*signingKey, error) {
	if s.hmac != nil {
		return s.hmac, nil
	}
	snap, err := s.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if need, _ := snap.plan(now); need {
		if err := s.ensureKey(ctx); err != nil {
			return nil, err
		}
		if snap, err = s.snapshot(ctx, true); err != nil {
			return nil, err
		}
		now = s.now()
	}
	k := snap.signerAt(now)
	if k == nil {
		return nil, errors.New("sts: no signing key available")
	}
	return k, nil
}

// ensureKey creates the next key if the store (not this node's cache)
// says one is due.
func (s *Service) ensureKey(ctx context.Context) error {
	ks, err := s.loadKeys(ctx, s.cfg.Store)
	if err != nil {
		return err
	}
	if need, _ := newSnapshot(ks, s.now(), &s.cfg.Keys).plan(s.now()); !need {
		return nil
	}
	// Generating is slow (RSA): do it before the transaction so that the
	// store's write lock is not held meanwhile. A node that then loses the
	// race discards its key.
	priv, err := s.generateKey()
	if err != nil {
		return err
	}
	var created string
	err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		created = ""
		ks, err := s.loadKeys(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		need, act := newSnapshot(ks, now, &s.cfg.Keys).plan(now)
		if !need {
			return nil
		}
		res, kid, err := s.keyResource(priv, maxSeq(ks)+1, act)
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
		return fmt.Errorf("sts: create signing key: %w", err)
	}
	if created != "" {
		s.cfg.Log.Info("sts signing key created", "kid", created)
	}
	return nil
}

// Rotate creates a new signing key that signs from now on and returns its
// kid. Older keys stay published for Keys.Overlap, so tokens they signed
// keep verifying until they expire. Scheduled rotation needs no call; this
// is for operators and tests. HS256 keys rotate through configuration.
func (s *Service) Rotate(ctx context.Context) (string, error) {
	if s.hmac != nil {
		return "", fmt.Errorf("%w: HS256 keys rotate through configuration", ErrInvalid)
	}
	priv, err := s.generateKey()
	if err != nil {
		return "", err
	}
	var kid string
	// A conflict means another node created a key concurrently: number
	// ours after it.
	for range 3 {
		err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
			ks, err := s.loadKeys(ctx, tx)
			if err != nil {
				return err
			}
			var res *store.Resource
			if res, kid, err = s.keyResource(priv, maxSeq(ks)+1, s.now()); err != nil {
				return err
			}
			return tx.Create(ctx, res, nil)
		})
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("sts: rotate signing key: %w", err)
	}
	if _, err := s.snapshot(ctx, true); err != nil {
		return "", err
	}
	s.cfg.Log.Info("sts signing key rotated", "kid", kid)
	return kid, nil
}

// RemoveKey revokes a signing key at once: it leaves the JWKS, so tokens
// it signed stop verifying wherever verifiers refresh their key set. When
// it was the key signing now, a new key replaces it immediately. Errors
// wrap store.ErrNotFound for an unknown kid.
func (s *Service) RemoveKey(ctx context.Context, kid string) error {
	if s.hmac != nil {
		return fmt.Errorf("%w: HS256 keys rotate through configuration", ErrInvalid)
	}
	// A replacement may be needed; generate it outside the transaction.
	priv, err := s.generateKey()
	if err != nil {
		return err
	}
	err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		res, err := tx.GetByID(ctx, KindSigningKey, kid)
		if err != nil {
			return err
		}
		ks, err := s.loadKeys(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		cur := newSnapshot(ks, now, &s.cfg.Keys).signerAt(now)
		var doc keyDoc
		if err := json.Unmarshal(res.Doc, &doc); err != nil {
			return fmt.Errorf("decode key record: %w", err)
		}
		doc.Revoked = true
		if res.Doc, err = json.Marshal(doc); err != nil {
			return fmt.Errorf("encode key record: %w", err)
		}
		res.Modified = now
		if err := tx.Replace(ctx, res, nil); err != nil {
			return err
		}
		if cur == nil || cur.doc.KID != kid {
			return nil
		}
		next, _, err := s.keyResource(priv, maxSeq(ks)+1, now)
		if err != nil {
			return err
		}
		return tx.Create(ctx, next, nil)
	})
	if err != nil {
		return fmt.Errorf("sts: remove signing key %.64q: %w", kid, err)
	}
	_, err = s.snapshot(ctx, true)
	s.cfg.Log.Info("sts signing key revoked", "kid", kid)
	return err
}

// gcKeys deletes revoked and retired key records, always keeping the
// newest record so that sequence numbers never repeat.
func (s *Service) gcKeys(ctx context.Context, now time.Time) error {
	ks, err := s.loadKeys(ctx, s.cfg.Store)
	if err != nil {
		return err
	}
	snap := newSnapshot(ks, now, &s.cfg.Keys)
	var dead []store.Key
	for _, k := range ks {
		if k.doc.Seq != maxSeq(ks) && (k.doc.Revoked || snap.retired(k, now)) {
			dead = append(dead, store.Key{Kind: KindSigningKey, Scope: s.cfg.Scope, Name: k.name})
		}
	}
	if len(dead) == 0 {
		return nil
	}
	err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		for _, k := range dead {
			if err := tx.Delete(ctx, k); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sts: delete %d retired signing keys: %w", len(dead), err)
	}
	return nil
}

// JWKS returns the published public keys, creating the first key if the
// store has none yet. Symmetric keys are never published: the set is
// empty under HS256.
func (s *Service) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	if s.hmac != nil {
		return set, nil
	}
	if _, err := s.signer(ctx); err != nil {
		return set, err
	}
	snap, err := s.snapshot(ctx, false)
	if err != nil {
		return set, err
	}
	for _, k := range snap.published(s.now()) {
		set.Keys = append(set.Keys, k.jwk)
	}
	return set, nil
}
