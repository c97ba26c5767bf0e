package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

var contentKeyPolicySpec = &kindSpec{
	kind:    store.KindContentKeyPolicy,
	segment: "contentKeyPolicies",
	armType: "Microsoft.Media/mediaservices/contentKeyPolicies",
	top:     true,
	schema:  odata.SchemaFor(store.KindContentKeyPolicy),

	build:    buildContentKeyPolicy,
	precheck: precheckContentKeyPolicy,
	// A PATCH merges into the properties with secrets, so omitted secrets
	// keep their values rather than being blanked.
	patchBase: func(c *call, r *store.Resource) (json.RawMessage, error) { return c.openSecret(r) },
	actions: map[string]actionFunc{
		"getPolicyPropertiesWithSecrets": getPolicyWithSecrets,
	},
}

func buildContentKeyPolicy(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	var in defs.ContentKeyPolicy
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Properties == nil {
		return nil, paramError("properties", "is required.")
	}
	warnShortKeys(c, p, in.Properties)
	full, err := toMap(in.Properties)
	if err != nil {
		return nil, err
	}
	redacted, err := toMap(in.Properties.Redact())
	if err != nil {
		return nil, err
	}
	// Read-only fields: ids survive updates; options keep their id when an
	// option of the same name existed.
	policyID := uuid.Must(uuid.NewRandomFromReader(c.s.rand())).String()
	created := store.FormatTime(c.now)
	oldOptionIDs := map[string]string{}
	if prev != nil {
		var old struct {
			PolicyID string `json:"policyId"`
			Created  string `json:"created"`
			Options  []struct {
				PolicyOptionID string `json:"policyOptionId"`
				Name           string `json:"name"`
			} `json:"options"`
		}
		if err := json.Unmarshal(prev.Doc, &old); err != nil {
			return nil, fmt.Errorf("decode stored policy: %w", err)
		}
		policyID, created = old.PolicyID, old.Created
		for _, o := range old.Options {
			if o.Name != "" {
				oldOptionIDs[o.Name] = o.PolicyOptionID
			}
		}
	}
	for _, m := range []map[string]any{full, redacted} {
		m["policyId"], m["created"], m["lastModified"] = policyID, created, store.FormatTime(c.now)
	}
	fo, _ := full["options"].([]any)
	ro, _ := redacted["options"].([]any)
	for i := range fo {
		fm, _ := fo[i].(map[string]any)
		rm, _ := ro[i].(map[string]any)
		if fm == nil || rm == nil {
			continue
		}
		name, _ := fm["name"].(string)
		id := oldOptionIDs[name]
		if id == "" {
			id = uuid.Must(uuid.NewRandomFromReader(c.s.rand())).String()
		}
		fm["policyOptionId"], rm["policyOptionId"] = id, id
	}
	return &record{props: redacted, id: policyID, secret: full}, nil
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return m, nil
}

// getPolicyWithSecrets returns the bare properties object, secrets included.
func getPolicyWithSecrets(c *call, p *resourcePath, r *store.Resource) error {
	b, err := c.openSecret(r)
	if err != nil {
		return err
	}
	if b == nil {
		b = r.Doc
	}
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(b)
	return nil
}

// WarningHeader carries warnings about an accepted write, one value per
// warning: today, JWT symmetric keys shorter than 32 bytes.
const WarningHeader = "x-ms-lockstream-warning"

// warnShortKeys reports HS256 keys of 16 to 31 bytes: AMS accepted them
// and key delivery honours them, but RFC 7518 §3.2 asks for 32 bytes, and
// a short key is easier to guess offline from one token. The writer sees
// it in the response header, the operator in the log; the key never
// appears in either.
func warnShortKeys(c *call, p *resourcePath, props *defs.ContentKeyPolicyProperties) {
	h := c.w.Header()
	h.Del(WarningHeader) // build may run again when the transaction retries
	for _, field := range defs.ShortSymmetricTokenKeys(props) {
		h.Add(WarningHeader, fmt.Sprintf("%s: symmetric key shorter than the %d bytes RFC 7518 requires for HS256; accepted for AMS compatibility, replace it with a longer key",
			field, defs.RecommendedSymmetricTokenKeyBytes))
		c.s.Log.Warn("content key policy has a short HS256 key", "policy", p.name, "field", field)
	}
}
