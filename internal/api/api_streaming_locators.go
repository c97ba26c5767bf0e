package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/keyexchange"
	"github.com/lockstream/lockstream/internal/keyprovider"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/store"
)

// maxEndTime is what AMS reports when a locator has no end time.
const maxEndTime = "9999-12-31T23:59:59.9999999Z"

var streamingLocatorSpec = &kindSpec{
	kind:       store.KindStreamingLocator,
	segment:    "streamingLocators",
	armType:    "Microsoft.Media/mediaservices/streamingLocators",
	createOnly: true,
	top:        true,
	schema:     odata.SchemaFor(store.KindStreamingLocator),

	build: buildLocator,
	// A key provider is called before the write transaction, so no
	// transaction waits on a vendor.
	precheck: prefetchProviderKeys,
	// The deletion event is written in the delete's transaction.
	beforeDelete: func(c *call, tx store.Tx, r *store.Resource) error {
		var v locatorView
		if err := json.Unmarshal(r.Doc, &v); err != nil {
			return fmt.Errorf("decode locator %q: %w", r.Name, err)
		}
		return c.publish(tx, events.StreamingLocatorDeleted(c.eventAccount(), events.LocatorData{
			StreamingLocatorName: r.Name, StreamingLocatorID: v.StreamingLocatorID, AssetName: v.AssetName, StreamingPolicyName: v.StreamingPolicyName}))
	},
	actions: map[string]actionFunc{
		"listContentKeys":   listContentKeys,
		"listPaths":         listPaths,
		"exportContentKeys": exportContentKeys,
	},
}

// locatorInput is the part of a locator request the logic reads; defs
// validates the whole body first.
type locatorInput struct {
	Properties locatorProps `json:"properties"`
}

// locatorProps is a locator request's properties.
type locatorProps struct {
	AssetName                   string     `json:"assetName"`
	StreamingPolicyName         string     `json:"streamingPolicyName"`
	DefaultContentKeyPolicyName string     `json:"defaultContentKeyPolicyName"`
	StartTime                   *time.Time `json:"startTime"`
	EndTime                     *time.Time `json:"endTime"`
	StreamingLocatorID          string     `json:"streamingLocatorId"`
	AlternativeMediaID          string     `json:"alternativeMediaId"`
	Filters                     []string   `json:"filters"`
	ContentKeys                 []struct {
		ID    string `json:"id"`
		Label string `json:"labelReferenceInStreamingPolicy"`
		Value []byte `json:"value"`
	} `json:"contentKeys"`
}

func paramError(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Target: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

func buildLocator(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	lp, err := decodeLocatorInput(body)
	if err != nil {
		return nil, err
	}
	b := &locatorBuild{c: c, tx: tx, scope: c.acct.scope(), name: p.name, lp: lp, rec: &record{}}
	asset, spRes, sp, err := b.references()
	if err != nil {
		return nil, err
	}
	if err := b.checkProvider(spRes.Name, sp); err != nil {
		return nil, err
	}
	id, err := b.locatorID()
	if err != nil {
		return nil, err
	}
	doc := locatorView{
		AssetName:                   asset.Name,
		StreamingPolicyName:         spRes.Name,
		StreamingLocatorID:          id,
		DefaultContentKeyPolicyName: lp.DefaultContentKeyPolicyName,
		Created:                     store.FormatTime(c.now),
		EndTime:                     maxEndTime,
		AlternativeMediaID:          lp.AlternativeMediaID,
		Filters:                     lp.Filters,
		ContentKeys:                 []locatorKeyDoc{},
	}
	if lp.StartTime != nil {
		doc.StartTime = store.FormatTime(*lp.StartTime)
	}
	if lp.EndTime != nil {
		doc.EndTime = store.FormatTime(*lp.EndTime)
	}
	cks, err := b.contentKeys(id, spRes.Name, sp, &doc)
	if err != nil {
		return nil, err
	}
	rec := b.rec
	rec.props, rec.id = doc, id
	if f := c.keyFetch; f != nil {
		rec.secret = keyprovider.NewStored(f.provider, f.contentID, f.keys)
	}
	rec.then = func(tx store.Tx, r *store.Resource) error {
		if len(cks) > 0 {
			if err := tx.PutContentKeys(c.ctx, cks); err != nil {
				return err
			}
		}
		return c.publish(tx, events.StreamingLocatorCreated(c.eventAccount(), events.LocatorData{
			StreamingLocatorName: r.Name, StreamingLocatorID: id, AssetName: asset.Name, StreamingPolicyName: spRes.Name}))
	}
	return rec, nil
}

// decodeLocatorInput validates a locator body (defs) and decodes the part
// the logic reads.
func decodeLocatorInput(body []byte) (*locatorProps, error) {
	var in defs.StreamingLocator
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var li locatorInput
	if err := json.Unmarshal(body, &li); err != nil {
		return nil, badRequest("InvalidRequestContent", "The request body is invalid: "+err.Error())
	}
	return &li.Properties, nil
}

// locatorBuild is one locator create's state: the request, the
// transaction and the record whose references it collects.
type locatorBuild struct {
	c     *call
	tx    store.Reader
	scope string // account scope
	name  string // locator name
	lp    *locatorProps
	rec   *record
}

// get reads a resource the locator references and records the reference;
// a missing one is a 400 naming field.
func (b *locatorBuild) get(kind store.Kind, name, field, what string) (*store.Resource, error) {
	r, err := b.tx.Get(b.c.ctx, store.Key{Kind: kind, Scope: b.scope, Name: name})
	if errors.Is(err, store.ErrNotFound) {
		return nil, paramError(field, "%s '%s' does not exist.", what, name)
	}
	if err != nil {
		return nil, err
	}
	b.rec.refs = append(b.rec.refs, r.Key())
	return r, nil
}

// references reads the asset, the streaming policy and the filters the
// locator names.
func (b *locatorBuild) references() (asset, spRes *store.Resource, sp *policyView, err error) {
	lp := b.lp
	if asset, err = b.get(store.KindAsset, lp.AssetName, "properties.assetName", "asset"); err != nil {
		return nil, nil, nil, err
	}
	if spRes, err = b.get(store.KindStreamingPolicy, lp.StreamingPolicyName, "properties.streamingPolicyName", "streaming policy"); err != nil {
		return nil, nil, nil, err
	}
	if sp, err = decodePolicyView(spRes.Doc); err != nil {
		return nil, nil, nil, err
	}
	playReadyWarning(b.c, b.tx, spRes.Doc)
	for i, f := range lp.Filters {
		field := fmt.Sprintf("properties.filters[%d]", i)
		af, err := b.tx.Get(b.c.ctx, store.Key{Kind: store.KindAssetFilter, Scope: asset.Key().Path(), Name: f})
		switch {
		case errors.Is(err, store.ErrNotFound):
			_, err = b.get(store.KindAccountFilter, f, field, "filter")
		case err == nil:
			// Referenced like account filters, so the filter cannot be
			// deleted while the locator applies it.
			b.rec.refs = append(b.rec.refs, af.Key())
		}
		if err != nil {
			return nil, nil, nil, err
		}
	}
	return asset, spRes, sp, nil
}

// locatorID returns the caller's streamingLocatorId (a GUID) or a new one.
func (b *locatorBuild) locatorID() (string, error) {
	if f := b.c.keyFetch; f != nil {
		return f.id, nil // the id the provider was asked about
	}
	id := strings.ToLower(b.lp.StreamingLocatorID)
	if id == "" {
		return uuid.Must(uuid.NewRandomFromReader(b.c.s.rand())).String(), nil
	}
	if _, err := uuid.Parse(id); err != nil {
		return "", paramError("properties.streamingLocatorId", "'%s' is not a GUID.", b.lp.StreamingLocatorID)
	}
	return id, nil
}

// keyNeed is one content key a streaming policy needs.
type keyNeed struct {
	scheme, label, policy string
	tracks                json.RawMessage
}

// keyNeeds lists the keys the policy needs: per encrypting block, its
// default key and one per key-to-track mapping (one unlabelled default
// key when the block names none).
func keyNeeds(sp *policyView) []keyNeed {
	var needs []keyNeed
	for _, sb := range sp.encrypted() {
		if sb.block.ContentKeys == nil || (sb.block.ContentKeys.DefaultKey == nil && len(sb.block.ContentKeys.KeyToTrackMappings) == 0) {
			needs = append(needs, keyNeed{scheme: sb.scheme})
			continue
		}
		if dk := sb.block.ContentKeys.DefaultKey; dk != nil {
			needs = append(needs, keyNeed{scheme: sb.scheme, label: dk.Label, policy: dk.PolicyName})
		}
		for _, m := range sb.block.ContentKeys.KeyToTrackMappings {
			needs = append(needs, keyNeed{scheme: sb.scheme, label: m.Label, policy: m.PolicyName, tracks: m.Tracks})
		}
	}
	return needs
}

// contentKeys works out the keys the policy needs, fills them from the
// caller's keys (matched by label) or generates them, seals them and adds
// them to doc.
func (b *locatorBuild) contentKeys(id, policyName string, sp *policyView, doc *locatorView) ([]store.ContentKey, error) {
	lp := b.lp
	used := make([]bool, len(lp.ContentKeys))
	seen := map[keys.KID]bool{}
	checked := map[string]bool{}
	var cks []store.ContentKey
	for _, n := range keyNeeds(sp) {
		policy := firstNonEmpty(n.policy, lp.DefaultContentKeyPolicyName, sp.DefaultContentKeyPolicyName)
		if policy == "" {
			return nil, paramError("properties.defaultContentKeyPolicyName", "streaming policy '%s' encrypts with %s but neither it nor the locator names a content key policy.", policyName, n.scheme)
		}
		if !checked[strings.ToLower(policy)+"|"+n.scheme] {
			ckp, err := b.get(store.KindContentKeyPolicy, policy, "properties.defaultContentKeyPolicyName", "content key policy")
			if err != nil {
				return nil, err
			}
			if err := checkPolicyServes(ckp, n.scheme); err != nil {
				return nil, err
			}
			checked[strings.ToLower(policy)+"|"+n.scheme] = true
		}
		var (
			kid keys.KID
			val keys.Key
			err error
		)
		if f := b.c.keyFetch; f != nil {
			// The provider's key for this need (checkProvider matched the
			// needs to the ones fetched, in order).
			kid, val = f.keys[len(cks)].KID, f.keys[len(cks)].Value
		} else if kid, val, err = b.keyFor(n, used); err != nil {
			return nil, err
		}
		if seen[kid] {
			return nil, paramError("properties.contentKeys", "key id %s is used twice.", kid)
		}
		seen[kid] = true
		sealed, err := b.c.s.Sealer.Seal(val[:], []byte(store.ContentKeyAAD(b.scope, b.name, kid.String())))
		if err != nil {
			return nil, fmt.Errorf("seal content key: %w", err)
		}
		cks = append(cks, store.ContentKey{Scope: b.scope, LocatorName: b.name, LocatorID: id, KID: kid.String(),
			Type: n.scheme, Label: n.label, PolicyName: policy, Tracks: n.tracks, Sealed: sealed})
		doc.ContentKeys = append(doc.ContentKeys, locatorKeyDoc{ID: kid.String(), Type: n.scheme, LabelReferenceInStreamingPolicy: n.label, PolicyName: policy, Tracks: n.tracks})
	}
	for i, u := range used {
		if !u {
			return nil, paramError(fmt.Sprintf("properties.contentKeys[%d].labelReferenceInStreamingPolicy", i),
				"'%s' matches no content key of streaming policy '%s'.", lp.ContentKeys[i].Label, policyName)
		}
	}
	return cks, nil
}

// keyFor returns the key for need n: the first unused caller key with its
// label (its value, the account's existing value for its id, or a new
// value), else a new id and value. used marks the caller keys taken.
func (b *locatorBuild) keyFor(n keyNeed, used []bool) (kid keys.KID, val keys.Key, err error) {
	for i, ck := range b.lp.ContentKeys {
		if used[i] || ck.Label != n.label {
			continue
		}
		used[i] = true
		field := fmt.Sprintf("properties.contentKeys[%d]", i)
		if kid, err = keys.ParseKID(ck.ID); err != nil {
			return kid, val, paramError(field+".id", "%v", err)
		}
		if ck.Value != nil && len(ck.Value) != 16 {
			return kid, val, paramError(field+".value", "a content key must be 16 bytes (base64), got %d.", len(ck.Value))
		}
		// One key id means one key within an account: a known id reuses
		// its value, and a different value for it is refused.
		existing, err := b.c.existingKey(b.tx, b.scope, kid)
		if err != nil {
			return kid, val, err
		}
		switch {
		case existing != nil && ck.Value != nil && !bytes.Equal(existing[:], ck.Value):
			return kid, val, &Error{Status: http.StatusConflict, Code: "Conflict", Target: field + ".id",
				Message: fmt.Sprintf("%s.id: key id %s already exists in this account with a different value.", field, kid)}
		case existing != nil:
			val = *existing
		case ck.Value != nil:
			copy(val[:], ck.Value)
		default:
			if val, err = keys.NewKey(b.c.s.rand()); err != nil {
				return kid, val, err
			}
		}
		return kid, val, nil
	}
	if kid, err = keys.NewKID(b.c.s.rand()); err != nil {
		return kid, val, err
	}
	if val, err = keys.NewKey(b.c.s.rand()); err != nil {
		return kid, val, err
	}
	return kid, val, nil
}

// checkPolicyServes rejects a content key policy that has no option able to
// deliver keys for scheme, as MK.IO and AMS did at locator creation.
func checkPolicyServes(ckp *store.Resource, scheme string) error {
	var v ckpView
	if err := json.Unmarshal(ckp.Doc, &v); err != nil {
		return fmt.Errorf("decode content key policy: %w", err)
	}
	ok := map[string][]string{
		schemeEnvelope: {"ClearKey"},
		schemeCenc:     {"ClearKey", "PlayReady", "Widevine"},
		schemeCbcs:     {"ClearKey", "FairPlay", "PlayReady", "Widevine"},
	}[scheme]
	for _, o := range v.Options {
		t := strings.TrimPrefix(o.Configuration.Type, "#Microsoft.Media.ContentKeyPolicy")
		t = strings.TrimSuffix(t, "Configuration")
		for _, want := range ok {
			if t == want {
				return nil
			}
		}
	}
	return paramError("properties.defaultContentKeyPolicyName", "content key policy '%s' has no option for %s (needs one of %s).", ckp.Name, scheme, strings.Join(ok, ", "))
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// listContentKeys is the one call that returns content key values.
func listContentKeys(c *call, p *resourcePath, r *store.Resource) error {
	cks, err := c.s.Store.ContentKeys(c.ctx, r.Scope, r.Name)
	if err != nil {
		return err
	}
	out := struct {
		ContentKeys []locatorKeyDoc `json:"contentKeys"`
	}{ContentKeys: []locatorKeyDoc{}}
	for _, ck := range cks {
		k, err := protect.OpenContentKey(c.s.Sealer, &ck)
		if err != nil {
			return err
		}
		out.ContentKeys = append(out.ContentKeys, locatorKeyDoc{ID: ck.KID, Type: ck.Type, LabelReferenceInStreamingPolicy: ck.Label,
			Value: k.Base64(), PolicyName: ck.PolicyName, Tracks: ck.Tracks})
	}
	c.w.Header().Set("Cache-Control", "no-store")
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// existingKey returns the value of an account's content key with id kid,
// or nil when the account has none.
func (c *call) existingKey(tx store.Reader, scope string, kid keys.KID) (*keys.Key, error) {
	cks, err := tx.ContentKeysByKID(c.ctx, kid.String())
	if err != nil {
		return nil, err
	}
	for _, ck := range cks {
		if ck.Scope != scope {
			continue
		}
		k, err := protect.OpenContentKey(c.s.Sealer, &ck)
		if err != nil {
			return nil, err
		}
		return &k, nil
	}
	// A key minted for an outside packager (SPEKE, Widevine key server) is
	// an ordinary content key of the account: referencing its kid serves
	// the content that packager encrypted.
	k, err := keyexchange.Lookup(c.ctx, tx, c.s.Sealer, scope, kid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}
