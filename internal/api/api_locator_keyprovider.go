package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/lockstream/lockstream/internal/keyprovider"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// keyFetcher is what locator creation needs of the key-provider client
// (*keyprovider.Client).
type keyFetcher interface {
	Fetch(ctx context.Context, name string, p *keyprovider.Properties, contentID string, needs []keyprovider.Need) ([]keyprovider.Key, error)
}

// maxProviderWait bounds a locator create's whole exchange with its key
// provider, retries included.
const maxProviderWait = 2 * time.Minute

// providerFetch is what a locator create got from its key provider
// before its write transaction.
type providerFetch struct {
	provider, policy string
	id, contentID    string
	schemes          []string // the needs' schemes, in keyNeeds order
	keys             []keyprovider.Key
}

// cpixScheme maps a streaming policy block to the CPIX
// commonEncryptionScheme of its keys.
var cpixScheme = map[string]string{schemeCenc: "cenc", schemeCbcs: "cbcs", schemeEnvelope: "cbc1"}

// prefetchProviderKeys runs before a locator's write transaction: when
// the locator's streaming policy is named by one of the account's key
// providers, it asks the provider for every key the policy needs, so the
// transaction that writes the locator holds no network call. Anything it
// cannot read (bad body, missing policy or asset) is left to the build,
// which reports it with its field.
func prefetchProviderKeys(c *call, body []byte) error {
	lp, err := decodeLocatorInput(body)
	if err != nil || lp.StreamingPolicyName == "" || lp.AssetName == "" {
		return nil
	}
	spRes, err := c.s.Store.Get(c.ctx, store.Key{Kind: store.KindStreamingPolicy, Scope: c.acct.scope(), Name: lp.StreamingPolicyName})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	name, prov, err := c.providerFor(c.s.Store, spRes.Name)
	if err != nil || prov == nil {
		return err
	}
	if len(lp.ContentKeys) > 0 {
		return paramError("properties.contentKeys", "streaming policy '%s' takes its keys from key provider '%s'; give no content keys.", spRes.Name, name)
	}
	sp, err := decodePolicyView(spRes.Doc)
	if err != nil {
		return err
	}
	needs := keyNeeds(sp)
	if len(needs) == 0 {
		return nil // a clear policy has no keys to fetch
	}
	// The content key policies the keys will be delivered under are
	// checked first, so a locator that would be refused anyway costs the
	// vendor nothing; the build checks them again in its transaction.
	for _, n := range needs {
		// The same answers as the build's (contentKeys), which the
		// transaction's provider check would otherwise pre-empt.
		policy := firstNonEmpty(n.policy, lp.DefaultContentKeyPolicyName, sp.DefaultContentKeyPolicyName)
		if policy == "" {
			return paramError("properties.defaultContentKeyPolicyName", "streaming policy '%s' encrypts with %s but neither it nor the locator names a content key policy.", spRes.Name, n.scheme)
		}
		ckp, err := c.s.Store.Get(c.ctx, store.Key{Kind: store.KindContentKeyPolicy, Scope: c.acct.scope(), Name: policy})
		if errors.Is(err, store.ErrNotFound) {
			return paramError("properties.defaultContentKeyPolicyName", "%s '%s' does not exist.", "content key policy", policy)
		}
		if err != nil {
			return err
		}
		if err := checkPolicyServes(ckp, n.scheme); err != nil {
			return err
		}
	}
	asset, err := c.s.Store.Get(c.ctx, store.Key{Kind: store.KindAsset, Scope: c.acct.scope(), Name: lp.AssetName})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	b := &locatorBuild{c: c, lp: lp}
	id, err := b.locatorID()
	if err != nil {
		return err
	}
	contentID := id
	var av struct {
		AlternateID string `json:"alternateId"`
	}
	if json.Unmarshal(asset.Doc, &av) == nil && av.AlternateID != "" {
		contentID = av.AlternateID
	}
	f := &providerFetch{provider: name, policy: spRes.Name, id: id, contentID: contentID}
	kn := make([]keyprovider.Need, len(needs))
	for i, n := range needs {
		kid, err := keys.NewKID(c.s.rand())
		if err != nil {
			return err
		}
		kn[i] = keyprovider.Need{KID: kid, Scheme: cpixScheme[n.scheme]}
		f.schemes = append(f.schemes, n.scheme)
	}
	if c.s.KeyProviders == nil {
		return newError(http.StatusBadGateway, "KeyProviderError", fmt.Sprintf("Streaming policy '%s' takes its keys from key provider '%s', but this node has no key-provider client configured.", spRes.Name, name))
	}
	ctx, cancel := context.WithTimeout(c.ctx, maxProviderWait)
	defer cancel()
	ks, err := c.s.KeyProviders.Fetch(ctx, name, prov, contentID, kn)
	if err != nil {
		var pe *keyprovider.Error
		if !errors.As(err, &pe) {
			return err
		}
		status, code := http.StatusBadGateway, "KeyProviderError"
		if pe.Timeout {
			status, code = http.StatusGatewayTimeout, "KeyProviderTimeout"
		}
		c.s.Log.WarnContext(c.ctx, "key provider refused a locator's keys", "provider", name, "err", err)
		return &Error{Status: status, Code: code, Err: err,
			Message: fmt.Sprintf("The streaming locator was not created: %s.", pe.Error())}
	}
	if len(ks) != len(kn) {
		return fmt.Errorf("key provider %q: %d keys for %d needs", name, len(ks), len(kn))
	}
	f.keys = ks
	c.keyFetch = f
	return nil
}

// checkProvider confirms, inside the write transaction, that the key
// provider decision made before it still holds: a provider added, changed
// or removed in between, or a policy edited, is a conflict the caller
// retries, never a locator with keys from the wrong source.
func (b *locatorBuild) checkProvider(policy string, sp *policyView) error {
	name, prov, err := b.c.providerFor(b.tx, policy)
	if err != nil {
		return err
	}
	f := b.c.keyFetch
	var schemes []string
	for _, n := range keyNeeds(sp) {
		schemes = append(schemes, n.scheme)
	}
	switch {
	case f == nil && (prov == nil || len(schemes) == 0):
		return nil
	case f != nil && prov != nil && f.provider == name && f.policy == policy && slices.Equal(f.schemes, schemes):
		return nil
	}
	return newError(http.StatusConflict, "Conflict", "The streaming policy or its key provider changed while the locator was being created; retry.")
}
