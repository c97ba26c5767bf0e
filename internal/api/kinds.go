package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"

	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

// kindSpec describes one resource type to the generic handlers.
type kindSpec struct {
	kind    store.Kind
	segment string // collection segment as emitted in ids ("assets")
	armType string // "Microsoft.Media/mediaservices/assets"
	// createOnly kinds (streaming policies, locators) answer 201 on create,
	// 409 on PUT over an existing one, and 405 on PATCH.
	createOnly bool
	// patchStatus is the status of a successful PATCH (AMS account PATCH is
	// a long-running operation answered 202).
	patchStatus int
	// top reports whether $top is accepted on lists.
	top    bool
	schema odata.Schema
	// build validates a request body and produces what to store. prev is
	// the stored resource on update, nil on create.
	build func(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error)
	// render overrides the stored properties in responses (optional).
	render func(c *call, p *resourcePath, r *store.Resource) (json.RawMessage, error)
	// patchBase returns the properties a PATCH merges into (default: Doc).
	patchBase func(c *call, r *store.Resource) (json.RawMessage, error)
	// precheck runs before the write transaction, on the request body as
	// sent (PUT) or the patch (PATCH), for checks that must not hold a
	// transaction open, such as resolving URLs (optional).
	precheck func(c *call, body []byte) error
	// guard rejects writes to built-in resources (optional).
	guard func(c *call, name, method string) error
	// beforeDelete runs in the delete's transaction, e.g. to note what to
	// clean up outside the store (optional).
	beforeDelete func(c *call, tx store.Tx, r *store.Resource) error
	// afterDelete cleans up outside the store once a delete committed.
	afterDelete func(c *call, r *store.Resource)
	actions     map[string]actionFunc
	children    []*kindSpec
}

// actionFunc serves POST …/{name}/{action}; r is the loaded resource.
type actionFunc func(c *call, p *resourcePath, r *store.Resource) error

// record is what build produces.
type record struct {
	props  any // the properties object to store (marshalled into Doc)
	meta   meta
	id     string
	secret any // marshalled, sealed, stored in Secret (optional)
	refs   []store.Ref
	// then runs inside the write transaction after the resource is stored.
	then func(tx store.Tx, r *store.Resource) error
}

// meta is the envelope kept beside the properties.
type meta struct {
	Location string            `json:"location,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
	Sku      json.RawMessage   `json:"sku,omitempty"`
	Identity json.RawMessage   `json:"identity,omitempty"`
	// ARMID keeps the caller's casing of an account's id for listings.
	ARMID              string `json:"armId,omitempty"`
	CreatedBy          string `json:"createdBy,omitempty"`
	CreatedByType      string `json:"createdByType,omitempty"`
	LastModifiedBy     string `json:"lastModifiedBy,omitempty"`
	LastModifiedByType string `json:"lastModifiedByType,omitempty"`
}

// resourcePath names a resource below an account (or an account itself).
type resourcePath struct {
	spec   *kindSpec
	name   string
	parent *resourcePath
}

func kindBySegment(specs []*kindSpec, seg string) *kindSpec {
	for _, s := range specs {
		if strings.EqualFold(s.segment, seg) {
			return s
		}
	}
	return nil
}

// key returns the store key of p.
func (c *call) key(p *resourcePath) store.Key {
	if p.spec.kind == store.KindAccount {
		return store.Key{Kind: store.KindAccount, Scope: strings.ToLower("/subscriptions/" + c.acct.sub + "/resourcegroups/" + c.acct.rg), Name: p.name}
	}
	scope := c.acct.scope()
	if p.parent != nil {
		scope = c.key(p.parent).Path()
	}
	return store.Key{Kind: p.spec.kind, Scope: scope, Name: p.name}
}

// armID returns the ARM id of p, using stored casing for name when given.
func (c *call) armID(p *resourcePath, name string) string {
	if p.spec.kind == store.KindAccount {
		return c.acct.id()
	}
	base := c.acct.id()
	if p.parent != nil {
		base = c.armID(p.parent, p.parent.name)
	}
	return base + "/" + p.spec.segment + "/" + name
}

// accountChildren is filled in init-free fashion by accountKinds.
var accountChildren = accountKinds()

// validateName checks a resource name from the path, naming the rule.
func validateName(spec *kindSpec, name string) error {
	if err := defs.ValidateName(string(spec.kind), name); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: "InvalidResourceName", Target: "name",
			Message: fmt.Sprintf("The %s name '%.80s' is invalid: %v", singular(spec), name, err), Err: err}
	}
	return nil
}

// defsTime returns t as a wire time.
func defsTime(t time.Time) *defs.Time { return defs.NewTime(t) }

// action finds an action by name, case-insensitively, returning its
// canonical name (as RBAC knows it).
func (s *kindSpec) action(name string) (string, actionFunc) {
	for n, fn := range s.actions {
		if strings.EqualFold(n, name) {
			return n, fn
		}
	}
	return "", nil
}
