package keyexchange

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// Request asks for the key of one kid of one content.
type Request struct {
	KID keys.KID
	// Scheme is informational ("cenc", "cbcs", …).
	Scheme string
	// Label tells keys of a content apart when the requester names no kid.
	Label string
}

// Minted is a key with its kid.
type Minted struct {
	KID     keys.KID
	Key     keys.Key
	Created bool // minted by this call
}

// ErrKIDTaken means the kid already belongs to another content id in the
// account: one kid names one key, so it cannot be reused.
var ErrKIDTaken = errors.New("keyexchange: kid belongs to another content id")

// Minter mints and looks up key-exchange keys.
type Minter struct {
	Store  store.Store
	Sealer keys.Sealer
	Rand   io.Reader
	Now    func() time.Time
}

// Keys returns the key of every request for contentID in the account,
// minting (and storing, sealed) the ones that do not exist yet, all in one
// transaction. An existing kid of another content id is ErrKIDTaken
// (wrapped, naming the kid). A kid a streaming locator of the account
// already uses keeps that locator's key, so content packaged elsewhere
// with it plays from Lockstream too.
func (m *Minter) Keys(ctx context.Context, acct Account, contentID string, reqs []Request) ([]Minted, error) {
	// Most requests repeat known kids (a packager restarting, one per
	// rendition group, key rotation re-asking): answer those from the read
	// pool, without queueing for the single writer.
	if out, ok, err := m.existing(ctx, acct, contentID, reqs); err != nil || ok {
		return out, err
	}
	out := make([]Minted, len(reqs))
	err := m.Store.WithTx(ctx, func(tx store.Tx) error {
		for i, rq := range reqs {
			mk, err := m.one(ctx, tx, acct, contentID, rq)
			if err != nil {
				return err
			}
			out[i] = mk
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// existing returns the keys when every kid is stored already.
func (m *Minter) existing(ctx context.Context, acct Account, contentID string, reqs []Request) ([]Minted, bool, error) {
	out := make([]Minted, len(reqs))
	for i, rq := range reqs {
		kid := rq.KID.String()
		got, err := m.Store.CPIXKey(ctx, acct.Path, kid)
		if errors.Is(err, store.ErrNotFound) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("get key %s: %w", kid, err)
		}
		if out[i], err = m.open(got, contentID, []byte(store.CPIXKeyAAD(acct.Path, kid)), false); err != nil {
			return nil, false, err
		}
	}
	return out, true, nil
}

func (m *Minter) one(ctx context.Context, tx store.Tx, acct Account, contentID string, rq Request) (Minted, error) {
	kid := rq.KID.String()
	aad := []byte(store.CPIXKeyAAD(acct.Path, kid))
	got, err := tx.CPIXKey(ctx, acct.Path, kid)
	switch {
	case err == nil:
		return m.open(got, contentID, aad, false)
	case !errors.Is(err, store.ErrNotFound):
		return Minted{}, fmt.Errorf("get key %s: %w", kid, err)
	}
	key, err := m.valueFor(ctx, tx, acct, rq.KID)
	if err != nil {
		return Minted{}, err
	}
	sealed, err := m.Sealer.Seal(key[:], aad)
	if err != nil {
		return Minted{}, fmt.Errorf("seal key %s: %w", kid, err)
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	stored, err := tx.PutCPIXKey(ctx, &store.CPIXKey{Scope: acct.Path, ContentID: contentID, KID: kid,
		Scheme: rq.Scheme, Label: rq.Label, Created: now().UTC(), Sealed: sealed})
	if err != nil {
		return Minted{}, fmt.Errorf("store key %s: %w", kid, err)
	}
	return m.open(stored, contentID, aad, true)
}

// valueFor returns a locator's key for kid in the account, or a new one.
func (m *Minter) valueFor(ctx context.Context, tx store.Tx, acct Account, kid keys.KID) (keys.Key, error) {
	cks, err := tx.ContentKeysByKID(ctx, kid.String())
	if err != nil {
		return keys.Key{}, fmt.Errorf("look up locator keys %s: %w", kid, err)
	}
	for _, ck := range cks {
		if ck.Scope != acct.Path {
			continue
		}
		v, err := m.Sealer.Open(ck.Sealed, []byte(store.ContentKeyAAD(ck.Scope, ck.LocatorName, ck.KID)))
		if err != nil {
			return keys.Key{}, fmt.Errorf("open locator key %s: %w", kid, err)
		}
		if len(v) != len(keys.Key{}) {
			return keys.Key{}, fmt.Errorf("locator key %s has %d bytes", kid, len(v))
		}
		return keys.Key(v), nil
	}
	k, err := keys.NewKey(m.rand())
	if err != nil {
		return keys.Key{}, fmt.Errorf("new key: %w", err)
	}
	return k, nil
}

func (m *Minter) rand() io.Reader {
	if m.Rand != nil {
		return m.Rand
	}
	return cryptoRand{}
}

func (m *Minter) open(k *store.CPIXKey, contentID string, aad []byte, created bool) (Minted, error) {
	if k.ContentID != contentID {
		return Minted{}, fmt.Errorf("%w: KID %s", ErrKIDTaken, k.KID)
	}
	kid, err := keys.ParseKID(k.KID)
	if err != nil {
		return Minted{}, fmt.Errorf("stored kid: %w", err)
	}
	v, err := m.Sealer.Open(k.Sealed, aad)
	if err != nil {
		return Minted{}, fmt.Errorf("open key %s: %w", k.KID, err)
	}
	if len(v) != len(keys.Key{}) {
		return Minted{}, fmt.Errorf("key %s has %d bytes", k.KID, len(v))
	}
	return Minted{KID: kid, Key: keys.Key(v), Created: created}, nil
}

// Lookup returns the key-exchange key with that kid in the account, for
// streaming locators that reference it; store.ErrNotFound when absent.
func Lookup(ctx context.Context, r store.Reader, sealer keys.Sealer, scope string, kid keys.KID) (keys.Key, error) {
	k, err := r.CPIXKey(ctx, scope, kid.String())
	if err != nil {
		return keys.Key{}, err
	}
	v, err := sealer.Open(k.Sealed, []byte(store.CPIXKeyAAD(scope, k.KID)))
	if err != nil {
		return keys.Key{}, fmt.Errorf("open key %s: %w", k.KID, err)
	}
	if len(v) != len(keys.Key{}) {
		return keys.Key{}, fmt.Errorf("key %s has %d bytes", k.KID, len(v))
	}
	return keys.Key(v), nil
}

// Labelled returns the key of (contentID, label) in the account, minting
// a new kid and key on first request. Concurrent first requests agree:
// the store keeps one row per (account, content, label).
func (m *Minter) Labelled(ctx context.Context, acct Account, contentID, label, scheme string) (Minted, error) {
	var out Minted
	err := m.Store.WithTx(ctx, func(tx store.Tx) error {
		if mk, ok, err := m.byLabel(ctx, tx, acct, contentID, label); err != nil || ok {
			out = mk
			return err
		}
		kid, err := keys.NewKID(m.rand())
		if err != nil {
			return fmt.Errorf("new kid: %w", err)
		}
		mk, err := m.one(ctx, tx, acct, contentID, Request{KID: kid, Scheme: scheme, Label: label})
		if errors.Is(err, store.ErrNotFound) {
			// Another request stored this label first (the insert was a
			// no-op, so the new kid is unknown): use its key.
			if mk, ok, err := m.byLabel(ctx, tx, acct, contentID, label); err != nil || ok {
				out = mk
				return err
			}
		}
		out = mk
		return err
	})
	return out, err
}

func (m *Minter) byLabel(ctx context.Context, tx store.Tx, acct Account, contentID, label string) (Minted, bool, error) {
	ks, err := tx.CPIXKeysByContent(ctx, acct.Path, contentID)
	if err != nil {
		return Minted{}, false, fmt.Errorf("keys of content: %w", err)
	}
	for i := range ks {
		if ks[i].Label == label {
			mk, err := m.open(&ks[i], contentID, []byte(store.CPIXKeyAAD(acct.Path, ks[i].KID)), false)
			return mk, err == nil, err
		}
	}
	return Minted{}, false, nil
}
