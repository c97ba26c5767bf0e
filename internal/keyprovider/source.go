package keyprovider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/store"
)

// Stored is what a locator keeps of its key provider's answer: the
// signalling of each key. It is the locator resource's secret part
// (store.Resource.Secret, sealed under the KEK like every secret, re-sealed
// by `keys rewrap`, deleted with the locator), not one of AMS's locator
// properties, so AMS clients see the locator they expect. The key values
// themselves are ordinary content keys.
type Stored struct {
	Provider  string      `json:"keyProvider"`
	ContentID string      `json:"contentId"`
	Keys      []storedKey `json:"keys"`
}

type storedKey struct {
	KID     string         `json:"kid"`
	Systems []storedSystem `json:"systems"`
}

type storedSystem struct {
	SystemID          string     `json:"systemId"`
	PSSH              []byte     `json:"pssh,omitempty"`
	ContentProtection string     `json:"contentProtection,omitempty"`
	HLS               *storedHLS `json:"hls,omitempty"`
	SmoothHeader      string     `json:"smoothHeader,omitempty"`
}

type storedHLS struct {
	Method            string `json:"method"`
	URI               string `json:"uri"`
	IV                string `json:"iv,omitempty"`
	KeyFormat         string `json:"keyFormat,omitempty"`
	KeyFormatVersions string `json:"keyFormatVersions,omitempty"`
}

// NewStored records the signalling of ks (keys without any are left out).
func NewStored(provider, contentID string, ks []Key) *Stored {
	st := &Stored{Provider: provider, ContentID: contentID, Keys: []storedKey{}}
	for _, k := range ks {
		if k.Signal == nil {
			continue
		}
		sk := storedKey{KID: k.KID.String()}
		for _, s := range k.Signal.Systems {
			ss := storedSystem{SystemID: s.SystemID.String(), PSSH: s.PSSH, ContentProtection: s.ContentProtection, SmoothHeader: s.SmoothHeader}
			if h := s.HLS; h != nil {
				ss.HLS = &storedHLS{Method: h.Method, URI: h.URI, IV: h.IV, KeyFormat: h.KeyFormat, KeyFormatVersions: h.KeyFormatVersions}
			}
			sk.Systems = append(sk.Systems, ss)
		}
		st.Keys = append(st.Keys, sk)
	}
	return st
}

// signals returns the stored signalling by kid.
func (st *Stored) signals() (map[keys.KID]*protect.VendorSignal, error) {
	out := map[keys.KID]*protect.VendorSignal{}
	for _, sk := range st.Keys {
		kid, err := keys.ParseKID(sk.KID)
		if err != nil {
			return nil, fmt.Errorf("stored kid %q: %w", sk.KID, err)
		}
		sig := &protect.VendorSignal{Provider: st.Provider}
		for _, ss := range sk.Systems {
			id, err := drm.ParseSystemID(ss.SystemID)
			if err != nil {
				return nil, fmt.Errorf("stored system id %q: %w", ss.SystemID, err)
			}
			vs := protect.VendorSystem{SystemID: id, PSSH: ss.PSSH, ContentProtection: ss.ContentProtection, SmoothHeader: ss.SmoothHeader}
			if h := ss.HLS; h != nil {
				vs.HLS = &hls.Key{Method: h.Method, URI: h.URI, IV: h.IV, KeyFormat: h.KeyFormat, KeyFormatVersions: h.KeyFormatVersions}
			}
			sig.Systems = append(sig.Systems, vs)
		}
		out[kid] = sig
	}
	return out, nil
}

// resourceGetter is what Source reads of the store.
type resourceGetter interface {
	Get(ctx context.Context, k store.Key) (*store.Resource, error)
}

// Source is the origin's protect.KeySource on a node with key providers:
// Base's keys (the locator's content keys, wherever they came from) with
// the provider's signalling attached to those that have it.
type Source struct {
	Base   protect.KeySource
	Store  resourceGetter
	Sealer keys.Sealer
}

var _ protect.KeySource = Source{}

// LocatorKeys implements protect.KeySource.
func (s Source) LocatorKeys(ctx context.Context, ref protect.LocatorRef) ([]protect.ContentKey, error) {
	ks, err := s.Base.LocatorKeys(ctx, ref)
	if err != nil || len(ks) == 0 {
		return ks, err
	}
	st, err := Load(ctx, s.Store, s.Sealer, ref.Scope, ref.Name)
	if err != nil || st == nil {
		return ks, err
	}
	sigs, err := st.signals()
	if err != nil {
		return nil, fmt.Errorf("locator %q key provider signalling: %w", ref.Name, err)
	}
	for i := range ks {
		ks[i].Vendor = sigs[ks[i].KID]
	}
	return ks, nil
}

// Load returns the key-provider record of a locator, nil when its keys
// did not come from a provider.
func Load(ctx context.Context, st resourceGetter, sealer keys.Sealer, scope, name string) (*Stored, error) {
	r, err := st.Get(ctx, store.Key{Kind: store.KindStreamingLocator, Scope: scope, Name: name})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read locator %q: %w", name, err)
	}
	if r.Secret == nil {
		return nil, nil
	}
	b, err := sealer.Open(r.Secret, []byte(store.ResourceAAD(r.Kind, r.Scope, r.Name)))
	if err != nil {
		return nil, fmt.Errorf("open locator %q key provider record: %w", name, err)
	}
	var out Stored
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode locator %q key provider record: %w", name, err)
	}
	return &out, nil
}
