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
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/odata"
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
	Properties struct {
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
	} `json:"properties"`
}

func paramError(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Target: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

func buildLocator(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
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
	lp := li.Properties
	scope := c.acct.scope()
	rec := &record{}
	get := func(kind store.Kind, name, field, what string) (*store.Resource, error) {
		r, err := tx.Get(c.ctx, store.Key{Kind: kind, Scope: scope, Name: name})
		if errors.Is(err, store.ErrNotFound) {
			return nil, paramError(field, "%s '%s' does not exist.", what, name)
		}
		if err != nil {
			return nil, err
		}
		rec.refs = append(rec.refs, r.Key())
		return r, nil
	}
	asset, err := get(store.KindAsset, lp.AssetName, "properties.assetName", "asset")
	if err != nil {
		return nil, err
	}
	spRes, err := get(store.KindStreamingPolicy, lp.StreamingPolicyName, "properties.streamingPolicyName", "streaming policy")
	if err != nil {
		return nil, err
	}
	sp, err := decodePolicyView(spRes.Doc)
	if err != nil {
		return nil, err
	}
	playReadyWarning(c, tx, spRes.Doc)
	for i, f := range lp.Filters {
		field := fmt.Sprintf("properties.filters[%d]", i)
		af, err := tx.Get(c.ctx, store.Key{Kind: store.KindAssetFilter, Scope: asset.Key().Path(), Name: f})
		switch {
		case errors.Is(err, store.ErrNotFound):
			_, err = get(store.KindAccountFilter, f, field, "filter")
		case err == nil:
			// Referenced like account filters, so the filter cannot be
			// deleted while the locator applies it.
			rec.refs = append(rec.refs, af.Key())
		}
		if err != nil {
			return nil, err
		}
	}
	id := strings.ToLower(lp.StreamingLocatorID)
	if id == "" {
		id = uuid.Must(uuid.NewRandomFromReader(c.s.rand())).String()
	} else if _, err := uuid.Parse(id); err != nil {
		return nil, paramError("properties.streamingLocatorId", "'%s' is not a GUID.", lp.StreamingLocatorID)
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
	// Work out the keys the policy needs, then fill them from the caller's
	// keys (matched by label) or generate them.
	type need struct {
		scheme, label, policy string
		tracks                json.RawMessage
	}
	var needs []need
	checked := map[string]bool{}
	for _, sb := range sp.encrypted() {
		if sb.block.ContentKeys == nil || (sb.block.ContentKeys.DefaultKey == nil && len(sb.block.ContentKeys.KeyToTrackMappings) == 0) {
			needs = append(needs, need{scheme: sb.scheme})
		} else {
			if dk := sb.block.ContentKeys.DefaultKey; dk != nil {
				needs = append(needs, need{scheme: sb.scheme, label: dk.Label, policy: dk.PolicyName})
			}
			for _, m := range sb.block.ContentKeys.KeyToTrackMappings {
				needs = append(needs, need{scheme: sb.scheme, label: m.Label, policy: m.PolicyName, tracks: m.Tracks})
			}
		}
	}
	used := make([]bool, len(lp.ContentKeys))
	seen := map[keys.KID]bool{}
	var cks []store.ContentKey
	for _, n := range needs {
		policy := firstNonEmpty(n.policy, lp.DefaultContentKeyPolicyName, sp.DefaultContentKeyPolicyName)
		if policy == "" {
			return nil, paramError("properties.defaultContentKeyPolicyName", "streaming policy '%s' encrypts with %s but neither it nor the locator names a content key policy.", spRes.Name, n.scheme)
		}
		if !checked[strings.ToLower(policy)+"|"+n.scheme] {
			ckp, err := get(store.KindContentKeyPolicy, policy, "properties.defaultContentKeyPolicyName", "content key policy")
			if err != nil {
				return nil, err
			}
			if err := checkPolicyServes(ckp, n.scheme); err != nil {
				return nil, err
			}
			checked[strings.ToLower(policy)+"|"+n.scheme] = true
		}
		var kid keys.KID
		var val keys.Key
		found := false
		for i, ck := range lp.ContentKeys {
			if used[i] || ck.Label != n.label {
				continue
			}
			used[i], found = true, true
			field := fmt.Sprintf("properties.contentKeys[%d]", i)
			if kid, err = keys.ParseKID(ck.ID); err != nil {
				return nil, paramError(field+".id", "%v", err)
			}
			if ck.Value != nil && len(ck.Value) != 16 {
				return nil, paramError(field+".value", "a content key must be 16 bytes (base64), got %d.", len(ck.Value))
			}
			// One key id means one key within an account: a known id reuses
			// its value, and a different value for it is refused.
			existing, err := c.existingKey(tx, scope, kid)
			if err != nil {
				return nil, err
			}
			switch {
			case existing != nil && ck.Value != nil && !bytes.Equal(existing[:], ck.Value):
				return nil, &Error{Status: http.StatusConflict, Code: "Conflict", Target: field + ".id",
					Message: fmt.Sprintf("%s.id: key id %s already exists in this account with a different value.", field, kid)}
			case existing != nil:
				val = *existing
			case ck.Value != nil:
				copy(val[:], ck.Value)
			default:
				if val, err = keys.NewKey(c.s.rand()); err != nil {
					return nil, err
				}
			}
			break
		}
		if !found {
			if kid, err = keys.NewKID(c.s.rand()); err != nil {
				return nil, err
			}
			if val, err = keys.NewKey(c.s.rand()); err != nil {
				return nil, err
			}
		}
		if seen[kid] {
			return nil, paramError("properties.contentKeys", "key id %s is used twice.", kid)
		}
		seen[kid] = true
		sealed, err := c.s.Sealer.Seal(val[:], []byte(store.ContentKeyAAD(scope, p.name, kid.String())))
		if err != nil {
			return nil, fmt.Errorf("seal content key: %w", err)
		}
		cks = append(cks, store.ContentKey{Scope: scope, LocatorName: p.name, LocatorID: id, KID: kid.String(),
			Type: n.scheme, Label: n.label, PolicyName: policy, Tracks: n.tracks, Sealed: sealed})
		doc.ContentKeys = append(doc.ContentKeys, locatorKeyDoc{ID: kid.String(), Type: n.scheme, LabelReferenceInStreamingPolicy: n.label, PolicyName: policy, Tracks: n.tracks})
	}
	for i, u := range used {
		if !u {
			return nil, paramError(fmt.Sprintf("properties.contentKeys[%d].labelReferenceInStreamingPolicy", i),
				"'%s' matches no content key of streaming policy '%s'.", lp.ContentKeys[i].Label, spRes.Name)
		}
	}
	rec.props, rec.id = doc, id
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
		val, err := c.s.Sealer.Open(ck.Sealed, []byte(store.ContentKeyAAD(ck.Scope, ck.LocatorName, ck.KID)))
		if err != nil {
			return fmt.Errorf("open content key %s: %w", ck.KID, err)
		}
		var k keys.Key
		copy(k[:], val)
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
		b, err := c.s.Sealer.Open(ck.Sealed, []byte(store.ContentKeyAAD(ck.Scope, ck.LocatorName, ck.KID)))
		if err != nil {
			return nil, fmt.Errorf("open content key %s: %w", ck.KID, err)
		}
		var k keys.Key
		copy(k[:], b)
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
