package signkeys

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// Config describes one service's key set. The caller validates it (each
// service has its own configuration rules and error messages); New only
// copies it.
type Config struct {
	Store  store.Store
	Sealer keys.Sealer
	Log    *slog.Logger
	// Kind and Scope locate the key records. They are part of the stored
	// format (and of each sealed key's AAD), so a service must never change
	// them.
	Kind  store.Kind
	Scope string
	// Name prefixes errors ("identity: …") and names the service in the
	// maintenance failure log.
	Name string
	// LogPrefix prefixes the key event log messages ("signing key
	// created"), so that each service keeps the messages it always logged.
	LogPrefix string
	// Now returns the current time in UTC.
	Now func() time.Time
	// Rand is the randomness for new keys. It must be safe for concurrent
	// use (the services pass their serialized reader).
	Rand io.Reader

	// Algorithm is RS256 or ES256; RSABits applies to RS256.
	Algorithm string
	RSABits   int
	// Lifetime, PrePublish, Overlap and CacheTTL mean what the services'
	// KeyConfig fields of the same names document.
	Lifetime, PrePublish, Overlap, CacheTTL time.Duration
}

// Ring is a service's signing keys: the records in the store and this
// node's cached view of them. It is safe for concurrent use.
type Ring struct {
	cfg Config

	mu  sync.Mutex // guards set; held while loading
	set *keySet
}

// New returns a Ring over cfg. It touches neither the store nor the
// network: keys are created on first use or by Maintain.
func New(cfg Config) *Ring { return &Ring{cfg: cfg} }

func (r *Ring) timing() timing {
	return timing{lifetime: r.cfg.Lifetime, prePublish: r.cfg.PrePublish, overlap: r.cfg.Overlap}
}

// errorf formats an error under the service's prefix.
func (r *Ring) errorf(format string, args ...any) error {
	return fmt.Errorf(r.cfg.Name+": "+format, args...)
}

// snapshot returns this node's key set, re-reading the store when forced
// or when the copy is older than CacheTTL. Unsealed private keys carry
// over to the new copy, so a reload does not cost a KEK operation.
func (r *Ring) snapshot(ctx context.Context, force bool) (*keySet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	if old := r.set; !force && old != nil {
		if age := now.Sub(old.loaded); age >= 0 && age < r.cfg.CacheTTL {
			return old, nil
		}
	}
	ks, err := r.load(ctx, r.cfg.Store)
	if err != nil {
		return nil, err
	}
	if old := r.set; old != nil {
		for _, k := range ks {
			if o := old.byKID[k.doc.KID]; o != nil {
				o.mu.Lock()
				k.priv = o.priv
				o.mu.Unlock()
			}
		}
	}
	r.set = newKeySet(ks, now, r.timing())
	return r.set, nil
}

// Private unseals k's private key, once per node and key.
func (k *Key) Private() (crypto.Signer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.priv != nil {
		return k.priv, nil
	}
	r := k.ring
	der, err := r.cfg.Sealer.Open(k.sealed, k.aad)
	if err != nil {
		return nil, r.errorf("open signing key %s: %w", k.doc.KID, err)
	}
	defer clear(der)
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, r.errorf("parse signing key %s: %w", k.doc.KID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, r.errorf("signing key %s is a %T", k.doc.KID, priv)
	}
	k.priv = signer
	return signer, nil
}

// Invalidate makes the next use re-read the key records: another node
// rotated or revoked a key (cross-node invalidation). Unsealed private
// keys still carry over to the new copy.
func (r *Ring) Invalidate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set != nil {
		r.set.loaded = time.Time{}
	}
}
