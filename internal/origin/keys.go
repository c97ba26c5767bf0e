package origin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// contentKey is one of a locator's content keys, unsealed. It lives only
// in the locator cache's memory and is never logged.
type contentKey struct {
	KID keys.KID
	Key keys.Key
	// cipher is Key's expanded AES schedule, built once per locator load
	// rather than per request.
	cipher *cenc.Cipher
	Type   string // EnvelopeEncryption | CommonEncryptionCenc | CommonEncryptionCbcs
	Label  string
	Policy string
	// Tracks selects the tracks this key encrypts; empty for the default
	// key of its scheme.
	Tracks []defs.TrackSelection
}

// encrypts reports whether the policy has any encrypting block, so that
// clear-only locators never unseal keys.
func encrypts(p *defs.StreamingPolicyProperties) bool {
	return p.EnvelopeEncryption != nil || p.CommonEncryptionCenc != nil || p.CommonEncryptionCbcs != nil
}

// loadKeys unseals the locator's content keys and finds the account's
// mediaServiceId (which names its key-delivery tree).
func (s *Server) loadKeys(ctx context.Context, li *locatorInfo, locatorName string) error {
	if s.Sealer == nil {
		return fmt.Errorf("origin has no key sealer configured")
	}
	cks, err := s.Store.ContentKeys(ctx, li.Scope, locatorName)
	if err != nil {
		return fmt.Errorf("list content keys: %w", err)
	}
	for _, ck := range cks {
		kid, err := keys.ParseKID(ck.KID)
		if err != nil {
			return fmt.Errorf("content key id %q: %w", ck.KID, err)
		}
		v, err := s.Sealer.Open(ck.Sealed, []byte(store.ContentKeyAAD(ck.Scope, ck.LocatorName, ck.KID)))
		if err != nil {
			return fmt.Errorf("unseal content key %s: %w", ck.KID, err)
		}
		if len(v) != len(keys.Key{}) {
			return fmt.Errorf("content key %s: %d bytes", ck.KID, len(v))
		}
		k := contentKey{KID: kid, Type: ck.Type, Label: ck.Label, Policy: ck.PolicyName}
		copy(k.Key[:], v)
		clear(v)
		if k.cipher, err = cenc.NewCipher(k.Key); err != nil {
			return fmt.Errorf("content key %s: %w", ck.KID, err)
		}
		if len(ck.Tracks) > 0 {
			if err := json.Unmarshal(ck.Tracks, &k.Tracks); err != nil {
				return fmt.Errorf("content key %s tracks: %w", ck.KID, err)
			}
		}
		li.Keys = append(li.Keys, k)
	}
	// The account path is …/providers/microsoft.media/mediaservices/<name>.
	i := strings.LastIndex(li.Scope, "/providers/")
	if i < 0 {
		return fmt.Errorf("locator scope %q is not an account path", li.Scope)
	}
	acct, err := s.Store.Get(ctx, store.Key{Kind: store.KindAccount, Scope: li.Scope[:i], Name: li.Scope[strings.LastIndex(li.Scope, "/")+1:]})
	if err != nil {
		return fmt.Errorf("get account of %s: %w", li.Scope, err)
	}
	li.AccountID = acct.ID
	return nil
}
