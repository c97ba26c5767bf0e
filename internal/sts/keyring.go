package sts

import (
	"cmp"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/store"
)

// KindSigningKey is the store kind of signing key records, under
// Config.Scope.
const KindSigningKey store.Kind = "stsSigningKeys"

// keyDoc is the public document of a signing key record. The record's
// name is the zero-padded sequence number, so two nodes racing to create
// "the next key" collide on the name and only one wins; its ID is the kid.
// The private key is the record's sealed Secret (PKCS #8).
type keyDoc struct {
	KID       string          `json:"kid"`
	Alg       string          `json:"alg"`
	Seq       int64           `json:"seq"`
	Activates string          `json:"activates"` // store.FormatTime: when it starts signing
	Revoked   bool            `json:"revoked,omitempty"`
	JWK       json.RawMessage `json:"jwk"` // public key only
}

// signingKey is a loaded key. The private part stays sealed until the key
// first signs.
type signingKey struct {
	name      string
	doc       keyDoc
	activates time.Time
	jwk       jose.JSONWebKey // public
	sealed    []byte
	aad       []byte

	mu   sync.Mutex
	priv any // crypto.Signer, or []byte for HS256
}

func keyName(seq int64) string { return fmt.Sprintf("%016d", seq) }

// keySnapshot is one node's view of the key set at a moment.
type keySnapshot struct {
	loaded time.Time
	keys   []*signingKey // ascending seq
	byKID  map[string]*signingKey
	cfg    *KeyConfig
}

func newSnapshot(ks []*signingKey, loaded time.Time, cfg *KeyConfig) *keySnapshot {
	snap := &keySnapshot{loaded: loaded, keys: ks, byKID: make(map[string]*signingKey, len(ks)), cfg: cfg}
	for _, k := range ks {
		snap.byKID[k.doc.KID] = k
	}
	return snap
}

// signerAt is the key that signs at now: the highest-numbered live key
// already active. A newer key wins even if an older one activated later
// (a forced rotation overtakes a pre-published key).
func (snap *keySnapshot) signerAt(now time.Time) *signingKey {
	for i := len(snap.keys) - 1; i >= 0; i-- {
		if k := snap.keys[i]; !k.doc.Revoked && !k.activates.After(now) {
			return k
		}
	}
	return nil
}

// retired reports whether k may no longer verify at now: a newer live key
// activated more than Overlap ago, so every token k signed has expired.
func (snap *keySnapshot) retired(k *signingKey, now time.Time) bool {
	for _, j := range snap.keys {
		if j.doc.Seq > k.doc.Seq && !j.doc.Revoked && !j.activates.Add(snap.cfg.Overlap).After(now) {
			return true
		}
	}
	return false
}

// published returns the keys the JWKS lists at now: live and not retired,
// including a successor that does not sign yet.
func (snap *keySnapshot) published(now time.Time) []*signingKey {
	var out []*signingKey
	for _, k := range snap.keys {
		if !k.doc.Revoked && !snap.retired(k, now) {
			out = append(out, k)
		}
	}
	return out
}

// plan decides whether a new key is due at now and when it should start
// signing: immediately when nothing can sign, otherwise PrePublish before
// the newest key's lifetime ends, activating when it ends.
func (snap *keySnapshot) plan(now time.Time) (need bool, activates time.Time) {
	if snap.signerAt(now) == nil {
		return true, now
	}
	var newest *signingKey
	for _, k := range snap.keys {
		if !k.doc.Revoked {
			newest = k
		}
	}
	if newest.activates.After(now) {
		return false, time.Time{} // the successor is already published
	}
	if now.Before(newest.activates.Add(snap.cfg.Lifetime - snap.cfg.PrePublish)) {
		return false, time.Time{}
	}
	act := newest.activates.Add(snap.cfg.Lifetime)
	if act.Before(now) {
		act = now // after downtime: nothing to pre-publish for
	}
	return true, act
}

func maxSeq(ks []*signingKey) int64 {
	if len(ks) == 0 {
		return 0
	}
	return ks[len(ks)-1].doc.Seq
}

// aad binds a sealed private key to its record.
func aad(k store.Key) []byte { return []byte(store.ResourceAAD(k.Kind, k.Scope, k.Name)) }

// loadKeys reads every key record with r.
func (s *Service) loadKeys(ctx context.Context, r store.Reader) ([]*signingKey, error) {
	rs, err := r.List(ctx, store.ListQuery{Kind: KindSigningKey, Scope: s.cfg.Scope})
	if err != nil {
		return nil, fmt.Errorf("sts: list signing keys: %w", err)
	}
	ks := make([]*signingKey, 0, len(rs))
	for _, res := range rs {
		k := &signingKey{name: res.Name, sealed: res.Secret, aad: aad(res.Key())}
		if err := json.Unmarshal(res.Doc, &k.doc); err != nil {
			return nil, fmt.Errorf("sts: decode signing key %s: %w", res.Name, err)
		}
		if k.activates, err = time.Parse(store.TimeLayout, k.doc.Activates); err != nil {
			return nil, fmt.Errorf("sts: signing key %s activation: %w", res.Name, err)
		}
		if err := k.jwk.UnmarshalJSON(k.doc.JWK); err != nil || !k.jwk.IsPublic() || k.jwk.KeyID != k.doc.KID {
			return nil, fmt.Errorf("sts: signing key %s: bad public JWK", res.Name)
		}
		switch pub := k.jwk.Key.(type) {
		case *rsa.PublicKey:
			if k.doc.Alg != AlgRS256 {
				return nil, fmt.Errorf("sts: signing key %s: RSA key with alg %s", res.Name, k.doc.Alg)
			}
		case *ecdsa.PublicKey:
			if k.doc.Alg != AlgES256 || pub.Curve != elliptic.P256() {
				return nil, fmt.Errorf("sts: signing key %s: EC key with alg %s", res.Name, k.doc.Alg)
			}
		default:
			return nil, fmt.Errorf("sts: signing key %s: unsupported key type %T", res.Name, k.jwk.Key)
		}
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b *signingKey) int { return cmp.Compare(a.doc.Seq, b.doc.Seq) })
	return ks, nil
}

// snapshot returns this node's key set, re-reading the store when forced
// or when the copy is older than CacheTTL. Unsealed private keys carry
// over to the new copy.
func (s *Service) snapshot(ctx context.Context, force bool) (*keySnapshot, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	now := s.now()
	if old := s.keySnap; !force && old != nil {
		if age := now.Sub(old.loaded); age >= 0 && age < s.cfg.Keys.CacheTTL {
			return old, nil
		}
	}
	ks, err := s.loadKeys(ctx, s.cfg.Store)
	if err != nil {
		return nil, err
	}
	if old := s.keySnap; old != nil {
		for _, k := range ks {
			if o := old.byKID[k.doc.KID]; o != nil {
				o.mu.Lock()
				k.priv = o.priv
				o.mu.Unlock()
			}
		}
	}
	s.keySnap = newSnapshot(ks, now, &s.cfg.Keys)
	return s.keySnap, nil
}

// private unseals k's private key once.
func (k *signingKey) private(s *Service) (any, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.priv != nil {
		return k.priv, nil
	}
	der, err := s.cfg.Sealer.Open(k.sealed, k.aad)
	if err != nil {
		return nil, fmt.Errorf("sts: open signing key %s: %w", k.doc.KID, err)
	}
	defer clear(der)
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("sts: parse signing key %s: %w", k.doc.KID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("sts: signing key %s is a %T", k.doc.KID, priv)
	}
	k.priv = signer
	return signer, nil
}
