package api

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

// collection serves GET on a collection: filtered, ordered, keyset-paged.
func (s *Server) collection(c *call, spec *kindSpec, parent *resourcePath) error {
	if c.r.Method != http.MethodGet {
		c.w.Header().Set("Allow", http.MethodGet)
		return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "Only GET is allowed on a collection.")
	}
	if err := c.authorize(string(spec.kind), auth.Read); err != nil {
		return err
	}
	probe := &resourcePath{spec: spec, name: "_", parent: parent}
	if err := c.loadParents(s.Store, probe); err != nil {
		return err
	}
	q := store.ListQuery{Kind: spec.kind, Scope: c.key(probe).Scope}
	page, err := s.listPage(c, spec, q, func(r *store.Resource) (any, error) {
		return c.envelope(probe, r, false)
	})
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, page)
	return nil
}

// collectionPage is the ARM collection shape.
type collectionPage struct {
	Value    []any  `json:"value"`
	NextLink string `json:"@odata.nextLink,omitempty"`
}

// listPage applies $filter, $orderby, $top and $skiptoken to q and renders
// one page. The next link repeats the query (with $top as page size) and a
// keyset skip token, so concurrent inserts and deletes never make a client
// see an item twice or miss one that existed throughout.
func (s *Server) listPage(c *call, spec *kindSpec, q store.ListQuery, render func(*store.Resource) (any, error)) (*collectionPage, error) {
	qs := c.r.URL.Query()
	for k := range qs {
		switch k {
		case "api-version", "$filter", "$orderby", "$top", "$skiptoken":
		default:
			if len(k) > 0 && k[0] == '$' {
				return nil, badRequest("InvalidQueryParameter", fmt.Sprintf("The query parameter '%.40s' is not supported on this collection.", k))
			}
		}
	}
	filter, orderby, top, skip := qs.Get("$filter"), qs.Get("$orderby"), qs.Get("$top"), qs.Get("$skiptoken")
	var err error
	if filter != "" {
		if q.Filter, err = odata.CompileFilter(filter, spec.schema); err != nil {
			return nil, badRequest("InvalidFilter", err.Error())
		}
	}
	if orderby != "" {
		if q.OrderBy, q.Desc, err = odata.ParseOrderBy(orderby, spec.schema); err != nil {
			return nil, badRequest("InvalidOrderBy", err.Error())
		}
	}
	// $top sets the page size (capped by the server's page size); the next
	// link repeats it, so an SDK pager given $top=10 walks every item in
	// pages of ten.
	limit := s.pageSize()
	if top != "" {
		if !spec.top {
			return nil, badRequest("InvalidQueryParameter", "$top is not supported on "+spec.segment+".")
		}
		n, err := odata.ParseTop(top)
		if err != nil {
			return nil, badRequest("InvalidTop", err.Error())
		}
		limit = min(limit, n)
	}
	hash := odata.QueryHash(string(spec.kind), q.Scope, filter, orderby)
	if skip != "" {
		cur, err := odata.DecodeSkipToken(skip, hash)
		if err != nil {
			return nil, badRequest("InvalidSkipToken", err.Error())
		}
		q.After = &cur
	}
	q.Limit = limit + 1
	items, err := s.Store.List(c.ctx, q)
	if err != nil {
		return nil, err
	}
	page := &collectionPage{Value: []any{}}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	for _, r := range items {
		v, err := render(r)
		if err != nil {
			return nil, err
		}
		if v != nil {
			page.Value = append(page.Value, v)
		}
	}
	if more && len(items) > 0 {
		last := items[len(items)-1]
		cur := store.CursorOf(last, q.OrderBy)
		next := url.Values{}
		next.Set("api-version", c.apiVersion)
		if filter != "" {
			next.Set("$filter", filter)
		}
		if orderby != "" {
			next.Set("$orderby", orderby)
		}
		if top != "" {
			next.Set("$top", top)
		}
		next.Set("$skiptoken", odata.EncodeSkipToken(cur, hash))
		page.NextLink = s.PublicURL + c.r.URL.EscapedPath() + "?" + next.Encode()
	}
	return page, nil
}

// writePage renders one page of a list kept outside the resource store
// (service principals, STS users), whose continuation is an opaque token.
func (s *Server) writePage(c *call, value any, next string) {
	out := map[string]any{"value": value}
	if next != "" {
		q := url.Values{"api-version": {c.apiVersion}, "$skiptoken": {next}}
		out["@odata.nextLink"] = s.PublicURL + c.r.URL.EscapedPath() + "?" + q.Encode()
	}
	writeJSON(c.w, http.StatusOK, out)
}
