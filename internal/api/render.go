package api

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lockstream/lockstream/internal/store"
)

// systemData is the ARM systemData block.
type systemData struct {
	CreatedBy          string `json:"createdBy,omitempty"`
	CreatedByType      string `json:"createdByType,omitempty"`
	CreatedAt          string `json:"createdAt"`
	LastModifiedBy     string `json:"lastModifiedBy,omitempty"`
	LastModifiedByType string `json:"lastModifiedByType,omitempty"`
	LastModifiedAt     string `json:"lastModifiedAt"`
}

// envelope is the ARM resource shape.
type envelope struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Sku        json.RawMessage   `json:"sku,omitempty"`
	Identity   json.RawMessage   `json:"identity,omitempty"`
	SystemData systemData        `json:"systemData"`
	Properties json.RawMessage   `json:"properties"`
}

// wire renders r in ARM shape. withSecrets selects the secret-bearing
// properties (used only as the base of a PATCH, never sent).
func (c *call) wire(p *resourcePath, r *store.Resource, withSecrets bool) ([]byte, error) {
	env, err := c.envelope(p, r, withSecrets)
	if err != nil {
		return nil, err
	}
	return json.Marshal(env)
}

func (c *call) envelope(p *resourcePath, r *store.Resource, withSecrets bool) (*envelope, error) {
	var m meta
	if len(r.Meta) > 0 {
		if err := json.Unmarshal(r.Meta, &m); err != nil {
			return nil, fmt.Errorf("decode meta of %q: %w", r.Name, err)
		}
	}
	props := json.RawMessage(r.Doc)
	var err error
	switch {
	case withSecrets && p.spec.patchBase != nil:
		props, err = p.spec.patchBase(c, r)
	case p.spec.render != nil:
		props, err = p.spec.render(c, p, r)
	}
	if err != nil {
		return nil, err
	}
	rp := &resourcePath{spec: p.spec, name: r.Name, parent: p.parent}
	return &envelope{
		ID:       c.armID(rp, r.Name),
		Name:     r.Name,
		Type:     p.spec.armType,
		Location: m.Location, Tags: m.Tags, Sku: m.Sku, Identity: m.Identity,
		SystemData: systemData{
			CreatedBy: m.CreatedBy, CreatedByType: m.CreatedByType, CreatedAt: store.FormatTime(r.Created),
			LastModifiedBy: m.LastModifiedBy, LastModifiedByType: m.LastModifiedByType, LastModifiedAt: store.FormatTime(r.Modified),
		},
		Properties: props,
	}, nil
}

// respond writes r in ARM shape.
func (c *call) respond(status int, p *resourcePath, r *store.Resource) error {
	env, err := c.envelope(p, r, false)
	if err != nil {
		return err
	}
	writeJSON(c.w, status, env)
	return nil
}

func singular(s *kindSpec) string { return singularKind(s.kind) }

func singularKind(k store.Kind) string {
	switch k {
	case store.KindAccount:
		return "media services account"
	case store.KindAsset:
		return "asset"
	case store.KindAssetFilter:
		return "asset filter"
	case store.KindAccountFilter:
		return "account filter"
	case store.KindContentKeyPolicy:
		return "content key policy"
	case store.KindStreamingPolicy:
		return "streaming policy"
	case store.KindStreamingLocator:
		return "streaming locator"
	case store.KindStreamingEndpoint:
		return "streaming endpoint"
	}
	return strings.TrimSuffix(string(k), "s")
}
