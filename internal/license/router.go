package license

import (
	"context"

	"github.com/lockstream/lockstream/internal/policy"
)

// Router dispatches license requests by DRM kind. A nil route answers
// NotConfigured.
type Router struct {
	FairPlay  Handler
	Widevine  Handler
	PlayReady Handler
}

// License serves req with the route of its kind.
func (r *Router) License(ctx context.Context, req Request) (Response, error) {
	var h Handler
	name := req.Kind.String()
	switch req.Kind {
	case policy.KindFairPlay:
		h, name = r.FairPlay, "FairPlay"
	case policy.KindWidevine:
		h, name = r.Widevine, "Widevine"
	case policy.KindPlayReady:
		h, name = r.PlayReady, "PlayReady"
	}
	if h == nil {
		return Response{}, NotConfigured(name)
	}
	return h.License(ctx, req)
}
