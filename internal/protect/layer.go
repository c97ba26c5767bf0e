package protect

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/streamurl"
	"github.com/lockstream/lockstream/internal/ttlcache"
)

// Layer is the protection layer of one origin: where locators' keys come
// from, how each request is signalled, and the protections built so far.
// Set the fields, call Initialize once, then use it from any goroutine.
type Layer struct {
	// Keys supplies locators' content keys (required).
	Keys KeySource
	// KeyDeliveryBase is the external base URL of the API listener, where
	// key delivery answers; the built-in signalling points players there.
	KeyDeliveryBase string
	// Signaller, when set, replaces the built-in signalling
	// (PolicySignaller) for the requests it returns non-nil for: the hook
	// of a key provider that brings its own DRM signalling.
	Signaller func(l *Locator, e streamurl.Encryption) Signaller
	// MaxProtections bounds the protections kept (default 4096).
	MaxProtections int

	cache *protectionCache
	ids   atomic.Uint64 // last Locator id given
}

// Initialize checks the configuration and prepares the cache.
func (ly *Layer) Initialize() error {
	if ly.Keys == nil {
		return errors.New("protect: no key source")
	}
	if ly.MaxProtections <= 0 {
		ly.MaxProtections = 4096
	}
	ly.cache = ttlcache.New[string, *cenc.Protection](0, ly.MaxProtections)
	return nil
}

// LocatorKeys returns the locator's content keys from the key source.
func (ly *Layer) LocatorKeys(ctx context.Context, ref LocatorRef) ([]ContentKey, error) {
	return ly.Keys.LocatorKeys(ctx, ref)
}

// URLs returns the key and license URLs of l's account.
func (ly *Layer) URLs(l *Locator) URLs { return URLs{Base: ly.KeyDeliveryBase, Account: l.AccountID} }

// For returns the protection of one request for locator l under scheme e
// (nil, clear output, for streamurl.EncNone); version names the
// presentation's file versions (see cenc.StreamID).
func (ly *Layer) For(l *Locator, e streamurl.Encryption, version string) *Protection {
	if e == streamurl.EncNone {
		return nil
	}
	if l.id.Load() == 0 {
		l.id.CompareAndSwap(0, ly.ids.Add(1))
	}
	var sg Signaller
	if ly.Signaller != nil {
		sg = ly.Signaller(l, e)
	}
	if sg == nil {
		sg = PolicySignaller(l, e, ly.URLs(l))
	}
	return &Protection{l: l, scheme: e, Signal: sg, version: version, cache: ly.cache}
}
