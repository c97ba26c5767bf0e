package keydelivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/store"
)

// serves reports whether an endpoint of kind hands out keys of type t.
// Each endpoint serves the keys its client decrypts with: the AES-128
// endpoint envelope keys only, so that a key protecting cenc content is
// never released through a restriction written for HLS AES-128 (the
// Clear Key configuration serves both kinds, so the policy alone would
// not tell them apart); FairPlay decrypts cbcs only.
func serves(kind policy.Kind, t protect.KeyType) bool {
	switch kind {
	case policy.KindEnvelope:
		return t == protect.KeyEnvelope
	case policy.KindClearKey, policy.KindWidevine, policy.KindPlayReady:
		return t == protect.KeyCenc || t == protect.KeyCbcs
	case policy.KindFairPlay:
		return t == protect.KeyCbcs
	}
	return false
}

// errUnknownKey answers a key id the account has no key of this kind for.
// Key ids are public (manifests carry them), so saying that one is
// unknown reveals nothing; the log says whether it exists as another type.
func errUnknownKey(reason string) *httpError {
	return errf(http.StatusNotFound, codeKeyNotFound, "No key with this id is delivered here.", reason)
}

// authorize decides whether the request may have kid as a key of its
// kind, and returns the content key that granted it. The same key id may
// serve several locators of the account (with one value but possibly
// different policies); the key is released when the request satisfies
// the policy of any of them, since each locator publishes the key under
// its own policy. Refusals name the most specific failure.
func (rq *request) authorize(kid keys.KID) (*store.ContentKey, error) {
	cks, err := rq.s.contentKeys(rq.ctx, kid)
	if err != nil {
		return nil, err
	}
	// candidates point into the cached (shared, read-only) slice; the
	// small array keeps the usual one or two off the heap.
	var (
		buf        [4]*store.ContentKey
		candidates = buf[:0]
		otherType  string
	)
	for i := range cks {
		ck := &cks[i]
		if ck.Scope != rq.acct.path {
			continue // another account's key with the same id
		}
		if !serves(rq.kind, protect.KeyType(ck.Type)) {
			otherType = ck.Type
			continue
		}
		candidates = append(candidates, ck)
	}
	if len(candidates) == 0 {
		if otherType != "" {
			return nil, errUnknownKey(fmt.Sprintf("key %s is a %s key, not served as %s", kid, otherType, rq.kind))
		}
		return nil, errUnknownKey(fmt.Sprintf("no key %s in the account", kid))
	}
	var best error
	for i, ck := range candidates {
		if triedPolicy(candidates[:i], ck.PolicyName) {
			continue
		}
		pol, perr := rq.s.policy(rq.ctx, rq.acct.path, ck.PolicyName)
		if perr != nil {
			return nil, perr
		}
		start := time.Now()
		pctx, endSpan := rq.ctx, func() {}
		if rq.s.Trace != nil {
			pctx, endSpan = rq.s.Trace(rq.ctx, "keydelivery.policy")
		}
		d, eerr := rq.s.Policy.Evaluate(pctx, policy.Request{Policy: pol, Kind: rq.kind, KID: kid, Token: rq.token, Now: rq.s.Now()})
		endSpan()
		if rq.s.ObserveVerify != nil {
			rq.s.ObserveVerify(time.Since(start), eerr == nil)
		}
		if eerr == nil {
			rq.granted(kid, ck, d)
			return ck, nil
		}
		refusal := fromPolicy(eerr, rq.token != "")
		var he *httpError
		if !errors.As(refusal, &he) {
			return nil, fmt.Errorf("evaluate policy %q for %s: %w", ck.PolicyName, kid, refusal)
		}
		he.Reason = fmt.Sprintf("key %s, policy %q, %s", kid, ck.PolicyName, he.Reason)
		if best == nil || rank(refusal) > rank(best) {
			best = refusal
		}
	}
	return nil, best
}

// triedPolicy reports whether one of the earlier candidates named the
// policy name (by store.NameKey, as the store compares names); a
// linear scan, since a key id has one or two locators per account.
func triedPolicy(earlier []*store.ContentKey, name string) bool {
	for _, ck := range earlier {
		if store.NameKey(ck.PolicyName) == store.NameKey(name) {
			return true
		}
	}
	return false
}

// open unseals the value of a granted content key.
func (s *Server) open(ck *store.ContentKey) (keys.Key, error) {
	return protect.OpenContentKey(s.Sealer, ck)
}

// policyKey names a cached policy: a struct rather than a joined string,
// so that looking one up allocates nothing.
type policyKey struct{ scope, name string }

// policy reads a content key policy with its secrets (the token
// verification keys), cached for CacheTTL.
func (s *Server) policy(ctx context.Context, scope, name string) (*defs.ContentKeyPolicyProperties, error) {
	key := policyKey{scope: scope, name: store.NameKey(name)}
	now := s.Now()
	if p, ok := s.policies.Get(key, now); ok {
		return p, nil
	}
	r, err := s.Store.Get(ctx, store.Key{Kind: store.KindContentKeyPolicy, Scope: scope, Name: name})
	if err != nil {
		// A missing policy is a broken reference (the store refuses to
		// delete a policy a locator uses), hence an internal error.
		return nil, fmt.Errorf("get content key policy %q: %w", name, err)
	}
	b := r.Doc
	if r.Secret != nil {
		if b, err = s.Sealer.Open(r.Secret, []byte(store.ResourceAAD(r.Kind, r.Scope, r.Name))); err != nil {
			return nil, fmt.Errorf("open secrets of content key policy %q: %w", name, err)
		}
		defer clear(b)
	}
	p := new(defs.ContentKeyPolicyProperties)
	if err = json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("decode content key policy %q: %w", name, err)
	}
	s.policies.Put(key, p, now)
	return p, nil
}
