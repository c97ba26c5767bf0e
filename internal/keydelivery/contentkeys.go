package keydelivery

import (
	"context"
	"fmt"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// contentKeys returns every content key with key id kid (of every
// account), cached per node for CacheTTL. The cache is what keeps the
// store out of a key request (it was 41 % of a request's CPU, half of it
// SQLite parsing the query): content keys change only when a locator is
// created or deleted or an account is deleted, and those writes publish
// an invalidation (invalidate.WrapStore) that reaches Invalidate on every
// node, so a deleted locator stops its keys everywhere within the bus's
// latency rather than the TTL's.
//
// A key id nobody has is not cached: random ids would fill and flush the
// cache. The returned slice is shared; callers must not modify it.
func (s *Server) contentKeys(ctx context.Context, kid keys.KID) ([]store.ContentKey, error) {
	now := s.Now()
	if cks, ok := s.byKID.Get(kid, now); ok {
		return cks, nil
	}
	cks, err := s.Store.ContentKeysByKID(ctx, kid.String())
	if err != nil {
		return nil, fmt.Errorf("list content keys of %s: %w", kid, err)
	}
	if len(cks) > 0 {
		s.byKID.Put(kid, cks, now)
	}
	return cks, nil
}
