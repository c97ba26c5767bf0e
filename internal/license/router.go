package license

import (
	"context"

	"github.com/lockstream/lockstream/internal/license/settings"
	"github.com/lockstream/lockstream/internal/policy"
)

// ServerFinder finds an account's license server for a DRM system
// (settings.Reader).
type ServerFinder interface {
	Find(ctx context.Context, account, drm string) (*settings.Properties, error)
}

// Router dispatches license requests: to the account's license server
// for the DRM system when one is configured (by its type: the Widevine
// license service, a vendor proxy), else to the built-in FairPlay key
// server for FairPlay; otherwise NotConfigured (501).
type Router struct {
	// Servers finds the accounts' license servers; nil: none.
	Servers ServerFinder
	// ByType serves each license server type (settings.Type…).
	ByType map[string]Handler
	// FairPlay is the built-in key server; nil without a derivation
	// helper.
	FairPlay Handler
}

// DRMName names a kind as license servers name DRM systems.
func DRMName(k policy.Kind) string {
	switch k {
	case policy.KindFairPlay:
		return settings.DRMFairPlay
	case policy.KindWidevine:
		return settings.DRMWidevine
	case policy.KindPlayReady:
		return settings.DRMPlayReady
	}
	return k.String()
}

// License serves req.
func (r *Router) License(ctx context.Context, req Request) (Response, error) {
	name := DRMName(req.Kind)
	if r.Servers != nil && !req.Certificate {
		p, err := r.Servers.Find(ctx, req.Account, name)
		if err != nil {
			return Response{}, err
		}
		if p != nil {
			h := r.ByType[p.Type]
			if h == nil {
				return Response{}, NotConfigured(name + " (" + p.Type + ")")
			}
			req.Server = p
			return h.License(ctx, req)
		}
	}
	if req.Kind == policy.KindFairPlay && r.FairPlay != nil {
		return r.FairPlay.License(ctx, req)
	}
	return Response{}, NotConfigured(name)
}
