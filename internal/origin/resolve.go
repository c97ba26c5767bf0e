package origin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/store"
)

// locatorInfo is what a streaming request needs to know about its locator,
// cached for a few seconds so that segment requests do not each cost
// several store reads.
type locatorInfo struct {
	Scope   string // account path
	Locator *defs.StreamingLocatorProperties
	Policy  *defs.StreamingPolicyProperties
	Asset   *store.Resource
	// Container is the asset's blob container.
	Container string
	// Endpoints are the account's streaming endpoints.
	Endpoints []*defs.StreamingEndpointProperties
	// AccountFilters and AssetFilters by lower-cased name.
	AccountFilters map[string]*defs.MediaFilterProperties
	AssetFilters   map[string]*defs.MediaFilterProperties
	// Prot is what protection needs of the locator (its keys, unsealed,
	// and the names of its key URLs); nil unless its policy encrypts.
	Prot *protect.Locator

	loaded time.Time
	// names caches resolve's successful answers per server manifest name
	// for this locator info's lifetime (MetaTTL): replaced files are seen
	// when it is reloaded.
	namesMu sync.Mutex
	names   map[string]resolved
}

// loadLocator reads the locator and everything its requests need.
// With fresh, the cache is bypassed (and refreshed).
func (s *Server) loadLocator(ctx context.Context, id string, fresh bool) (*locatorInfo, error) {
	now := s.now()
	if li, ok := s.meta.Get(id, now); ok && !fresh {
		return li, nil
	}
	r, err := s.Store.GetByID(ctx, store.KindStreamingLocator, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, mpe(http.StatusNotFound, codeResourceNotFound, "streaming locator %s does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get locator %s: %w", id, err)
	}
	li := &locatorInfo{Scope: r.Scope, loaded: now, Locator: new(defs.StreamingLocatorProperties),
		AccountFilters: map[string]*defs.MediaFilterProperties{}, AssetFilters: map[string]*defs.MediaFilterProperties{}}
	if err := json.Unmarshal(r.Doc, li.Locator); err != nil {
		return nil, fmt.Errorf("decode locator %s: %w", id, err)
	}
	sp, err := s.Store.Get(ctx, store.Key{Kind: store.KindStreamingPolicy, Scope: r.Scope, Name: li.Locator.StreamingPolicyName})
	if err != nil {
		return nil, fmt.Errorf("locator %s: streaming policy %q: %w", id, li.Locator.StreamingPolicyName, err)
	}
	li.Policy = new(defs.StreamingPolicyProperties)
	if err := json.Unmarshal(sp.Doc, li.Policy); err != nil {
		return nil, fmt.Errorf("decode streaming policy %q: %w", sp.Name, err)
	}
	li.Asset, err = s.Store.Get(ctx, store.Key{Kind: store.KindAsset, Scope: r.Scope, Name: li.Locator.AssetName})
	if errors.Is(err, store.ErrNotFound) {
		return nil, mpe(http.StatusNotFound, codeResourceNotFound, "the locator's asset no longer exists")
	}
	if err != nil {
		return nil, fmt.Errorf("locator %s: asset: %w", id, err)
	}
	var ad struct {
		Container string `json:"container"`
	}
	if err := json.Unmarshal(li.Asset.Doc, &ad); err != nil || ad.Container == "" {
		return nil, fmt.Errorf("locator %s: asset %q has no container", id, li.Asset.Name)
	}
	li.Container = ad.Container

	ses, err := listAll(ctx, s.Store, store.ListQuery{Kind: store.KindStreamingEndpoint, Scope: r.Scope})
	if err != nil {
		return nil, fmt.Errorf("list streaming endpoints: %w", err)
	}
	for _, se := range ses {
		p := new(defs.StreamingEndpointProperties)
		if err := json.Unmarshal(se.Doc, p); err != nil {
			return nil, fmt.Errorf("decode streaming endpoint %q: %w", se.Name, err)
		}
		li.Endpoints = append(li.Endpoints, p)
	}
	for _, q := range []struct {
		kind  store.Kind
		scope string
		into  map[string]*defs.MediaFilterProperties
	}{
		{store.KindAccountFilter, r.Scope, li.AccountFilters},
		{store.KindAssetFilter, li.Asset.Key().Path(), li.AssetFilters},
	} {
		fs, err := listAll(ctx, s.Store, store.ListQuery{Kind: q.kind, Scope: q.scope})
		if err != nil {
			return nil, fmt.Errorf("list filters: %w", err)
		}
		for _, f := range fs {
			p := new(defs.MediaFilterProperties)
			if err := json.Unmarshal(f.Doc, p); err != nil {
				return nil, fmt.Errorf("decode filter %q: %w", f.Name, err)
			}
			q.into[strings.ToLower(f.Name)] = p
		}
	}
	if protect.Encrypts(li.Policy) {
		if err := s.loadProtection(ctx, li, r.Name); err != nil {
			return nil, fmt.Errorf("locator %s: %w", id, err)
		}
	}
	s.meta.Put(id, li, now)
	return li, nil
}

// listAll pages through a list query.
func listAll(ctx context.Context, st metaReader, q store.ListQuery) ([]*store.Resource, error) {
	const page = 500
	q.Limit = page
	var out []*store.Resource
	for {
		rs, err := st.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		if len(rs) < page {
			return out, nil
		}
		cur := store.CursorOf(rs[len(rs)-1], q.OrderBy)
		q.After = &cur
	}
}

// checkServable enforces the locator's window and a running endpoint.
func (s *Server) checkServable(li *locatorInfo, host string) *mpeError {
	now := s.now()
	if st := li.Locator.StartTime; st != nil && now.Before(st.Time) {
		return mpe(http.StatusNotFound, codeUnauthorized, "the streaming locator is not valid before %s", st.Format(time.RFC3339))
	}
	if et := li.Locator.EndTime; et != nil && !now.Before(et.Time) {
		return mpe(http.StatusNotFound, codeUnauthorized, "the streaming locator expired at %s", et.Format(time.RFC3339))
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	// An endpoint claiming the request's host by custom host name decides
	// alone; otherwise any running endpoint of the account serves, since
	// all endpoints share this origin's host name.
	for _, e := range li.Endpoints {
		for _, ch := range e.CustomHostNames {
			if strings.EqualFold(ch, host) {
				if e.ResourceState != defs.StreamingEndpointResourceStateRunning {
					return mpe(http.StatusForbidden, codeResourceNotFound, "the streaming endpoint for host %s is not running", host)
				}
				return nil
			}
		}
	}
	for _, e := range li.Endpoints {
		if e.ResourceState == defs.StreamingEndpointResourceStateRunning {
			return nil
		}
	}
	return mpe(http.StatusForbidden, codeResourceNotFound, "no streaming endpoint of the account is running; start one")
}

// resolve returns name's cached resolution, or computes and keeps it.
// Failures are not kept: a fixed asset is seen on the next request.
func (li *locatorInfo) resolve(name string, compute func() (resolved, error)) (resolved, error) {
	li.namesMu.Lock()
	r, ok := li.names[name]
	li.namesMu.Unlock()
	if ok {
		return r, nil
	}
	r, err := compute()
	if err != nil {
		return resolved{}, err
	}
	li.namesMu.Lock()
	if li.names == nil {
		li.names = map[string]resolved{}
	}
	li.names[name] = r
	li.namesMu.Unlock()
	return r, nil
}
