package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/store"
)

// route dispatches on the ARM path. Literal segments match
// case-insensitively, as ARM does.
func (s *Server) route(c *call) error {
	segs, err := splitPath(c.r.URL.EscapedPath())
	if err != nil {
		return err
	}
	is := func(i int, lit string) bool { return len(segs) > i && strings.EqualFold(segs[i], lit) }
	n := len(segs)
	switch {
	case n == 3 && is(0, "providers") && is(1, "Microsoft.Media") && is(2, "operations"):
		return only(c, http.MethodGet, s.listOperations)
	case n >= 3 && is(0, "providers") && is(1, "Lockstream.Identity"):
		return s.routeIdentity(c, segs[2:])
	case n >= 3 && is(0, "providers") && is(1, "Lockstream.Sts"):
		return s.routeSTS(c, segs[2:])
	case n >= 2 && is(0, "subscriptions"):
		sub := segs[1]
		switch {
		case n == 5 && is(2, "providers") && is(3, "Microsoft.Media") && is(4, "mediaservices"):
			return only(c, http.MethodGet, func(c *call) error { return s.listAccounts(c, sub, "") })
		case n == 7 && is(2, "providers") && is(3, "Microsoft.Media") && is(4, "locations") && is(6, "checkNameAvailability"):
			return only(c, http.MethodPost, func(c *call) error { return s.checkNameAvailability(c, sub) })
		}
		if n == 8 && is(2, "providers") && is(3, "Microsoft.Media") && is(4, "locations") &&
			(is(6, "mediaServicesOperationStatuses") || is(6, "mediaServicesOperationResults")) {
			return only(c, http.MethodGet, func(c *call) error {
				return s.getAccountOperation(c, sub, segs[5], segs[7], is(6, "mediaServicesOperationResults"))
			})
		}
		if n >= 7 && is(2, "resourceGroups") && is(4, "providers") && is(5, "Microsoft.Media") && is(6, "mediaservices") {
			rg := segs[3]
			if n == 7 {
				return only(c, http.MethodGet, func(c *call) error { return s.listAccounts(c, sub, rg) })
			}
			c.acct = &accountRef{sub: sub, rg: rg, name: segs[7]}
			return s.routeAccount(c, segs[8:])
		}
	}
	return newError(http.StatusNotFound, "NotFound", "No route matches "+c.r.Method+" "+c.r.URL.Path+".")
}

// routeAccount dispatches paths below an account.
func (s *Server) routeAccount(c *call, rest []string) error {
	if len(rest) == 0 {
		return s.accountItem(c)
	}
	if len(rest) == 1 {
		switch strings.ToLower(rest[0]) {
		case "syncstoragekeys", "listedgepolicies":
			return only(c, http.MethodPost, func(c *call) error {
				if err := c.authorize(string(store.KindAccount), auth.Action(rest[0])); err != nil {
					return err
				}
				return s.accountAction(c, strings.ToLower(rest[0]))
			})
		}
	}
	if len(rest) >= 3 && strings.EqualFold(rest[0], "providers") && strings.EqualFold(rest[1], "Microsoft.EventGrid") && strings.EqualFold(rest[2], "eventSubscriptions") {
		return s.routeEventSubscriptions(c, rest[3:])
	}
	spec := kindBySegment(accountChildren, rest[0])
	if spec == nil {
		return newError(http.StatusNotFound, "NotFound", "Unknown resource collection '"+rest[0]+"'.")
	}
	var parent *resourcePath
	for {
		switch len(rest) {
		case 1:
			return s.collection(c, spec, parent)
		case 2:
			return s.item(c, spec, parent, rest[1])
		}
		p := &resourcePath{spec: spec, name: rest[1], parent: parent}
		if len(rest) == 3 && spec == streamingEndpointSpec && strings.EqualFold(rest[2], "skus") {
			return only(c, http.MethodGet, func(c *call) error {
				if err := c.authorize(string(spec.kind), auth.Read); err != nil {
					return err
				}
				return endpointSkus(c, p)
			})
		}
		if len(rest) == 3 {
			if name, act := spec.action(rest[2]); act != nil {
				return only(c, http.MethodPost, func(c *call) error { return s.action(c, p, name, act) })
			}
		}
		child := kindBySegment(spec.children, rest[2])
		if child == nil {
			return newError(http.StatusNotFound, "NotFound", "Unknown action or collection '"+rest[2]+"'.")
		}
		spec, parent, rest = child, p, rest[2:]
	}
}

// only runs fn when the method matches, else 405.
func only(c *call, method string, fn func(*call) error) error {
	if c.r.Method != method {
		c.w.Header().Set("Allow", method)
		return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The method "+c.r.Method+" is not allowed here; use "+method+".")
	}
	return fn(c)
}

// splitPath splits an escaped path into unescaped, non-empty segments.
func splitPath(p string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s == "" {
			continue
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, badRequest("InvalidResourceName", "The request path has an invalid escape sequence.")
		}
		out = append(out, u)
	}
	return out, nil
}
