package signkeys

import (
	"crypto"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keyDoc is the public document of a signing key record. The record's
// name is the zero-padded sequence number, so two nodes racing to create
// "the next key" collide on the name and only one wins; its ID is the kid.
// The private key is the record's sealed Secret (PKCS #8). Existing
// databases hold these documents: the JSON names must not change.
type keyDoc struct {
	KID       string          `json:"kid"`
	Alg       string          `json:"alg"`
	Seq       int64           `json:"seq"`
	Activates string          `json:"activates"` // store.FormatTime: when it starts signing
	Revoked   bool            `json:"revoked,omitempty"`
	JWK       json.RawMessage `json:"jwk"` // public key only
}

// Key is a loaded signing key. The private part stays sealed until the key
// first signs.
type Key struct {
	ring      *Ring
	name      string
	doc       keyDoc
	activates time.Time
	pub       crypto.PublicKey
	jwk       jose.JSONWebKey // public
	sealed    []byte
	aad       []byte

	mu   sync.Mutex
	priv crypto.Signer
}

// KID is the key's id: its RFC 7638 thumbprint.
func (k *Key) KID() string { return k.doc.KID }

// Alg is the key's JWS algorithm, RS256 or ES256.
func (k *Key) Alg() string { return k.doc.Alg }

func keyName(seq int64) string { return fmt.Sprintf("%016d", seq) }

// timing is the part of Config the rotation decisions read.
type timing struct {
	lifetime, prePublish, overlap time.Duration
}

// keySet is one node's view of the key set at a moment. Its methods are
// pure: every rotation decision is made here, from the records alone, so
// that all nodes reading the same records decide alike.
type keySet struct {
	loaded time.Time
	keys   []*Key // ascending seq
	byKID  map[string]*Key
	t      timing
}

func newKeySet(ks []*Key, loaded time.Time, t timing) *keySet {
	set := &keySet{loaded: loaded, keys: ks, byKID: make(map[string]*Key, len(ks)), t: t}
	for _, k := range ks {
		set.byKID[k.doc.KID] = k
	}
	return set
}

// signerAt is the key that signs at now: the highest-numbered live key
// already active. A newer key wins even if an older one activated later
// (a forced rotation overtakes a pre-published key).
func (set *keySet) signerAt(now time.Time) *Key {
	for i := len(set.keys) - 1; i >= 0; i-- {
		if k := set.keys[i]; !k.doc.Revoked && !k.activates.After(now) {
			return k
		}
	}
	return nil
}

// retired reports whether k may no longer verify at now: a newer live key
// activated more than Overlap ago, so every token k signed has expired.
func (set *keySet) retired(k *Key, now time.Time) bool {
	for _, j := range set.keys {
		if j.doc.Seq > k.doc.Seq && !j.doc.Revoked && !j.activates.Add(set.t.overlap).After(now) {
			return true
		}
	}
	return false
}

// published returns the keys the JWKS lists at now: live and not retired,
// including a successor that does not sign yet.
func (set *keySet) published(now time.Time) []*Key {
	var out []*Key
	for _, k := range set.keys {
		if !k.doc.Revoked && !set.retired(k, now) {
			out = append(out, k)
		}
	}
	return out
}

// plan decides whether a new key is due at now and when it should start
// signing: immediately when nothing can sign, otherwise PrePublish before
// the newest key's lifetime ends, activating when it ends.
func (set *keySet) plan(now time.Time) (need bool, activates time.Time) {
	if set.signerAt(now) == nil {
		return true, now
	}
	var newest *Key
	for _, k := range set.keys {
		if !k.doc.Revoked {
			newest = k
		}
	}
	if newest.activates.After(now) {
		return false, time.Time{} // the successor is already published
	}
	if now.Before(newest.activates.Add(set.t.lifetime - set.t.prePublish)) {
		return false, time.Time{}
	}
	act := newest.activates.Add(set.t.lifetime)
	if act.Before(now) {
		act = now // after downtime: nothing to pre-publish for
	}
	return true, act
}

// maxSeq is the number of the newest of ks (ascending), 0 when there is
// none. Clean-up always keeps the newest record, so numbers never repeat.
func maxSeq(ks []*Key) int64 {
	if len(ks) == 0 {
		return 0
	}
	return ks[len(ks)-1].doc.Seq
}
