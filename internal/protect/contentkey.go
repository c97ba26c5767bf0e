package protect

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// ContentKey is one of a locator's content keys, unsealed. It lives only
// in memory (the origin's locator cache) and is never logged: keys.Key
// prints redacted.
type ContentKey struct {
	KID keys.KID
	Key keys.Key
	// Cipher is Key's expanded AES schedule, built once per locator load
	// rather than per request.
	Cipher *cenc.Cipher
	Type   KeyType
	Label  string
	Policy string // content key policy name
	// Tracks selects the tracks this key encrypts; empty for the default
	// key of its scheme.
	Tracks []defs.TrackSelection
	// Vendor is the key provider's DRM signalling for this key, nil for
	// keys Lockstream signals itself (see PreferVendor).
	Vendor *VendorSignal
}

// OpenContentKey unseals a stored content key's value: the one place that
// knows how content keys are sealed at rest (AAD binding the key to its
// account, locator and id, so a sealed value moved elsewhere fails).
func OpenContentKey(s keys.Sealer, ck *store.ContentKey) (keys.Key, error) {
	var k keys.Key
	v, err := s.Open(ck.Sealed, []byte(store.ContentKeyAAD(ck.Scope, ck.LocatorName, ck.KID)))
	if err != nil {
		return k, fmt.Errorf("unseal content key %s of locator %q: %w", ck.KID, ck.LocatorName, err)
	}
	defer clear(v)
	if len(v) != len(k) {
		return k, fmt.Errorf("content key %s of locator %q: %d bytes", ck.KID, ck.LocatorName, len(v))
	}
	copy(k[:], v)
	return k, nil
}

// KeySource supplies the content keys of a locator. The built-in source
// is StoreKeys (keys generated or imported through the API, sealed in the
// store); a key provider (a CPIX/SPEKE vendor) implements it to supply
// keys it holds, under the same KIDs the locator's manifests will carry.
type KeySource interface {
	// LocatorKeys returns the keys of the locator, in the order its
	// streaming policy names them (each with its Type and, for
	// keyToTrackMappings, its Tracks); none for a clear locator.
	LocatorKeys(ctx context.Context, ref LocatorRef) ([]ContentKey, error)
}

// LocatorRef names the locator whose keys are asked for, with what a
// key provider needs to ask its own service (CPIX content id, the
// policy's schemes and DRM systems).
type LocatorRef struct {
	Scope     string // the account's ARM path, lower-cased
	Name      string // locator name
	ID        string // streamingLocatorId
	AssetName string
	Policy    *defs.StreamingPolicyProperties
}

// contentKeyLister is what StoreKeys reads from the store.
type contentKeyLister interface {
	ContentKeys(ctx context.Context, scope, locatorName string) ([]store.ContentKey, error)
}

// StoreKeys is the built-in KeySource: the locator's keys in the store,
// unsealed with Sealer.
type StoreKeys struct {
	Store  contentKeyLister
	Sealer keys.Sealer
}

var _ KeySource = StoreKeys{}

// LocatorKeys implements KeySource.
func (s StoreKeys) LocatorKeys(ctx context.Context, ref LocatorRef) ([]ContentKey, error) {
	if s.Sealer == nil {
		return nil, fmt.Errorf("no key sealer configured")
	}
	cks, err := s.Store.ContentKeys(ctx, ref.Scope, ref.Name)
	if err != nil {
		return nil, fmt.Errorf("list content keys: %w", err)
	}
	out := make([]ContentKey, 0, len(cks))
	for i := range cks {
		ck := &cks[i]
		kid, err := keys.ParseKID(ck.KID)
		if err != nil {
			return nil, fmt.Errorf("content key id %q: %w", ck.KID, err)
		}
		k := ContentKey{KID: kid, Type: KeyType(ck.Type), Label: ck.Label, Policy: ck.PolicyName}
		if k.Key, err = OpenContentKey(s.Sealer, ck); err != nil {
			return nil, err
		}
		if k.Cipher, err = cenc.NewCipher(k.Key); err != nil {
			return nil, fmt.Errorf("content key %s: %w", ck.KID, err)
		}
		if len(ck.Tracks) > 0 {
			if err := json.Unmarshal(ck.Tracks, &k.Tracks); err != nil {
				return nil, fmt.Errorf("content key %s tracks: %w", ck.KID, err)
			}
		}
		out = append(out, k)
	}
	return out, nil
}
