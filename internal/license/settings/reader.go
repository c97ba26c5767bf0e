package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// Reader finds an account's license server for a DRM system, with its
// secrets, caching reads for TTL (a changed setting takes effect within
// it, as content key policy changes do in key delivery).
type Reader struct {
	Store  store.Reader
	Sealer keys.Sealer
	TTL    time.Duration
	Now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached
	gen   uint64 // bumped by Invalidate: reads begun before it are not kept
}

type cached struct {
	at    time.Time
	props []Properties
}

// DefaultTTL is the cache lifetime.
const DefaultTTL = 5 * time.Second

// maxServers bounds what one account's read returns.
const maxServers = 100

// Find returns the first license server (by name) of account for drm, or
// nil when there is none.
func (r *Reader) Find(ctx context.Context, account, drm string) (*Properties, error) {
	all, err := r.all(ctx, account)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].DRM == drm {
			p := all[i]
			return &p, nil
		}
	}
	return nil, nil
}

func (r *Reader) all(ctx context.Context, account string) ([]Properties, error) {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	ttl := r.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	r.mu.Lock()
	if c, ok := r.cache[account]; ok && now.Sub(c.at) < ttl {
		r.mu.Unlock()
		return c.props, nil
	}
	gen := r.gen
	r.mu.Unlock()
	rs, err := r.Store.List(ctx, store.ListQuery{Kind: store.Kind(Kind), Scope: account, Limit: maxServers})
	if err != nil {
		return nil, fmt.Errorf("list license servers: %w", err)
	}
	props := make([]Properties, 0, len(rs))
	for _, res := range rs {
		b := res.Doc
		if res.Secret != nil {
			if b, err = r.Sealer.Open(res.Secret, []byte(store.ResourceAAD(res.Kind, res.Scope, res.Name))); err != nil {
				return nil, fmt.Errorf("open secrets of license server %q: %w", res.Name, err)
			}
		}
		var p Properties
		err := json.Unmarshal(b, &p)
		if res.Secret != nil {
			clear(b)
		}
		if err != nil {
			return nil, fmt.Errorf("decode license server %q: %w", res.Name, err)
		}
		props = append(props, p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen {
		return props, nil // read before an invalidation: answer, do not keep
	}
	if r.cache == nil || len(r.cache) > 10_000 {
		r.cache = map[string]cached{}
	}
	r.cache[account] = cached{at: now, props: props}
	return props, nil
}

// Invalidate drops every cached account's settings: they changed (on
// this node, another, or through the offline admin command).
func (r *Reader) Invalidate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.cache)
	r.gen++
}
