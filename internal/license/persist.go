package license

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
)

// StreamingPolicies reads what a key's locator allows from its streaming
// policy.
type StreamingPolicies struct {
	Store store.Reader
}

// FairPlayPersistent reports whether the streaming policy of key's
// locator allows persistent FairPlay licenses
// (commonEncryptionCbcs.drm.fairPlay.allowPersistentLicense; absent =
// false, as in AMS).
func (s StreamingPolicies) FairPlayPersistent(ctx context.Context, req Request, key Key) (bool, error) {
	sp, err := s.policyOf(ctx, req.Account, key.LocatorName)
	if err != nil {
		return false, err
	}
	if c := sp.CommonEncryptionCbcs; c != nil && c.Drm != nil && c.Drm.FairPlay != nil && c.Drm.FairPlay.AllowPersistentLicense != nil {
		return *c.Drm.FairPlay.AllowPersistentLicense, nil
	}
	return false, nil
}

func (s StreamingPolicies) policyOf(ctx context.Context, account, locator string) (*defs.StreamingPolicyProperties, error) {
	r, err := s.Store.Get(ctx, store.Key{Kind: store.KindStreamingLocator, Scope: account, Name: locator})
	if err != nil {
		return nil, fmt.Errorf("get locator %q: %w", locator, err)
	}
	var loc defs.StreamingLocatorProperties
	if err := json.Unmarshal(r.Doc, &loc); err != nil {
		return nil, fmt.Errorf("decode locator %q: %w", locator, err)
	}
	p, err := s.Store.Get(ctx, store.Key{Kind: store.KindStreamingPolicy, Scope: account, Name: loc.StreamingPolicyName})
	if err != nil {
		return nil, fmt.Errorf("locator %q: get streaming policy %q: %w", locator, loc.StreamingPolicyName, err)
	}
	sp := new(defs.StreamingPolicyProperties)
	if err := json.Unmarshal(p.Doc, sp); err != nil {
		return nil, fmt.Errorf("decode streaming policy %q: %w", loc.StreamingPolicyName, err)
	}
	return sp, nil
}
