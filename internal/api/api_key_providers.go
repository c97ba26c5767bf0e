package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/keyprovider"
	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

// keyProviderSpec is the Lockstream addition
// …/mediaServices/{account}/keyProviders/{name}: CPIX/SPEKE v2 key
// providers that locators of the streaming policies they name take their
// keys and DRM signalling from (package keyprovider). Secrets are
// write-only and sealed.
var keyProviderSpec = &kindSpec{
	kind:     store.KindKeyProvider,
	segment:  keyprovider.Kind,
	armType:  "Microsoft.Media/mediaservices/keyProviders",
	schema:   odata.SchemaFor(store.KindKeyProvider),
	build:    buildKeyProvider,
	precheck: precheckKeyProvider,
	// A PATCH merges into the properties with secrets, so omitted secrets
	// keep their values.
	patchBase: func(c *call, r *store.Resource) (json.RawMessage, error) { return c.openSecret(r) },
}

// maxKeyProviders bounds one account's providers (each locator create
// reads them all).
const maxKeyProviders = 100

// precheckKeyProvider refuses a URL the node's outbound guard would never
// call, at once and with the field, rather than at the first locator.
func precheckKeyProvider(c *call, body []byte) error {
	var in struct {
		Properties *struct {
			URL *string `json:"url"`
		} `json:"properties"`
	}
	if json.Unmarshal(body, &in) != nil || in.Properties == nil || in.Properties.URL == nil || *in.Properties.URL == "" {
		return nil // build reports it with its field
	}
	ctx, cancel := context.WithTimeout(c.ctx, checkURLTimeout)
	defer cancel()
	if err := c.s.outbound().CheckURL(ctx, *in.Properties.URL); errors.Is(err, netguard.ErrRefused) {
		return paramError("properties.url", "the server will not call this URL: %v.", err)
	}
	return nil
}

func buildKeyProvider(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	var in struct {
		Properties *keyprovider.Properties `json:"properties"`
	}
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.Properties == nil {
		return nil, paramError("properties", "is required.")
	}
	if err := in.Properties.Validate("properties"); err != nil {
		return nil, err
	}
	// One provider per streaming policy: which vendor a locator's keys
	// come from must never depend on listing order.
	others, err := tx.List(c.ctx, store.ListQuery{Kind: store.KindKeyProvider, Scope: c.acct.scope(), Limit: maxKeyProviders + 1})
	if err != nil {
		return nil, err
	}
	if prev == nil && len(others) >= maxKeyProviders {
		return nil, badRequest("QuotaExceeded", fmt.Sprintf("An account has at most %d key providers.", maxKeyProviders))
	}
	for _, o := range others {
		if strings.EqualFold(o.Name, p.name) {
			continue
		}
		var op keyprovider.Properties
		if err := json.Unmarshal(o.Doc, &op); err != nil {
			return nil, fmt.Errorf("decode key provider %q: %w", o.Name, err)
		}
		for i, n := range in.Properties.StreamingPolicyNames {
			if op.Serves(n) {
				return nil, &Error{Status: http.StatusConflict, Code: "Conflict", Target: fmt.Sprintf("properties.streamingPolicyNames[%d]", i),
					Message: fmt.Sprintf("properties.streamingPolicyNames[%d]: streaming policy '%s' already takes its keys from key provider '%s'.", i, n, o.Name)}
			}
		}
	}
	return &record{props: in.Properties.Redacted(), secret: in.Properties}, nil
}

// providerFor returns the key provider (with secrets) whose
// streamingPolicyNames name policy, or nil: the marker that makes a new
// locator take its keys from a vendor.
func (c *call) providerFor(r store.Reader, policy string) (string, *keyprovider.Properties, error) {
	rs, err := r.List(c.ctx, store.ListQuery{Kind: store.KindKeyProvider, Scope: c.acct.scope(), Limit: maxKeyProviders + 1})
	if err != nil {
		return "", nil, fmt.Errorf("list key providers: %w", err)
	}
	for _, res := range rs {
		var doc keyprovider.Properties
		if err := json.Unmarshal(res.Doc, &doc); err != nil {
			return "", nil, fmt.Errorf("decode key provider %q: %w", res.Name, err)
		}
		if !doc.Serves(policy) {
			continue
		}
		b, err := c.openSecret(res)
		if err != nil {
			return "", nil, err
		}
		var full keyprovider.Properties
		err = json.Unmarshal(b, &full)
		clear(b)
		if err != nil {
			return "", nil, fmt.Errorf("decode key provider %q: %w", res.Name, err)
		}
		return res.Name, &full, nil
	}
	return "", nil, nil
}
