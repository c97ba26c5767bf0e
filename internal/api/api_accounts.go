package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
)

// kindOperation stores the record of an asynchronous account operation.
const kindOperation store.Kind = "mediaServicesOperations"

var accountSpec = &kindSpec{
	kind:        store.KindAccount,
	segment:     "mediaservices",
	armType:     "Microsoft.Media/mediaservices",
	patchStatus: http.StatusAccepted,
	build:       buildAccount,
	// Deleting an account deletes its assets, so their containers go too.
	beforeDelete: func(c *call, tx store.Tx, r *store.Resource) error {
		q := store.ListQuery{Kind: store.KindAsset, Scope: r.Key().Path(), Limit: 500}
		for {
			items, err := tx.List(c.ctx, q)
			if err != nil {
				return err
			}
			for _, a := range items {
				ctn, err := assetContainer(a)
				if err != nil {
					return err
				}
				c.containers = append(c.containers, ctn)
			}
			if len(items) < q.Limit {
				return nil
			}
			cur := store.CursorOf(items[len(items)-1], nil)
			q.After = &cur
		}
	},
	afterDelete: func(c *call, r *store.Resource) {
		for _, ctn := range c.containers {
			if err := c.s.Blob.DeleteContainer(c.ctx, ctn); err != nil {
				c.s.Log.Warn("account deleted but an asset container was not", "account", r.Name, "container", ctn, "err", err)
			}
		}
	},
}

var accountName = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

func buildAccount(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	var in defs.MediaService
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var raw struct {
		Location   string            `json:"location"`
		Tags       map[string]string `json:"tags"`
		Identity   json.RawMessage   `json:"identity"`
		Properties map[string]any    `json:"properties"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, badRequest("InvalidRequestContent", err.Error())
	}
	props := raw.Properties
	if props == nil {
		props = map[string]any{}
	}
	id := uuid.Must(uuid.NewRandomFromReader(c.s.rand())).String()
	if prev != nil {
		var old map[string]any
		_ = json.Unmarshal(prev.Doc, &old)
		if s, ok := old["mediaServiceId"].(string); ok {
			id = s
		}
	}
	// Read-only and defaulted fields, as AMS reports them.
	props["mediaServiceId"] = id
	props["provisioningState"] = "Succeeded"
	props["storageAccounts"] = []any{map[string]any{"id": "/lockstream/storage/" + storageAccountName, "type": "Primary"}}
	setDefault(props, "storageAuthentication", "System")
	setDefault(props, "publicNetworkAccess", "Enabled")
	setDefault(props, "encryption", map[string]any{"type": "SystemKey"})
	setDefault(props, "keyDelivery", map[string]any{"accessControl": map[string]any{"defaultAction": "Allow", "ipAllowList": []any{}}})
	props["privateEndpointConnections"] = []any{}
	rec := &record{props: props, id: id, meta: meta{Location: raw.Location, Tags: raw.Tags, Identity: raw.Identity, ARMID: c.acct.id()}}
	scope := strings.ToLower(c.acct.id())
	if prev == nil {
		rec.then = func(tx store.Tx, r *store.Resource) error {
			sps, err := predefinedResources(c, scope)
			if err != nil {
				return err
			}
			se, err := defaultEndpoint(c, scope, raw.Location)
			if err != nil {
				return err
			}
			for _, x := range append(sps, se) {
				if err := tx.Create(c.ctx, x, nil); err != nil {
					return fmt.Errorf("create built-in %s %s: %w", x.Kind, x.Name, err)
				}
			}
			return nil
		}
	} else if c.r.Method == http.MethodPatch {
		c.opID = uuid.Must(uuid.NewRandomFromReader(c.s.rand())).String()
		rec.then = func(tx store.Tx, r *store.Resource) error {
			op := &store.Resource{Kind: kindOperation, Scope: strings.ToLower("/subscriptions/" + c.acct.sub), Name: c.opID, Created: c.now, Modified: c.now,
				Doc: mustJSON(map[string]string{"status": "Succeeded", "resourceId": c.acct.id()})}
			return tx.Create(c.ctx, op, nil)
		}
	}
	return rec, nil
}

func setDefault(m map[string]any, k string, v any) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("mustJSON: %v", err)) // only called with static shapes
	}
	return b
}

// accountItem serves the account resource itself.
func (s *Server) accountItem(c *call) error {
	if c.r.Method == http.MethodPut && !accountName.MatchString(c.acct.name) {
		return badRequest("InvalidResourceName", fmt.Sprintf("The account name '%s' is invalid: use 3 to 24 lower-case letters and digits.", c.acct.name))
	}
	return s.item(c, accountSpec, nil, c.acct.name)
}

// asyncHeaders adds the AMS long-running-operation headers for c.opID.
func (c *call) asyncHeaders(p *resourcePath) {
	if c.opID == "" {
		return
	}
	loc := c.s.Location
	if loc == "" {
		loc = "local"
	}
	base := c.s.PublicURL + "/subscriptions/" + c.acct.sub + "/providers/Microsoft.Media/locations/" + loc
	q := "?api-version=" + c.apiVersion
	c.w.Header().Set("Azure-AsyncOperation", base+"/mediaServicesOperationStatuses/"+c.opID+q)
	c.w.Header().Set("Location", base+"/mediaServicesOperationResults/"+c.opID+q)
}

// getAccountOperation serves the status and result of an account operation.
func (s *Server) getAccountOperation(c *call, sub, location, id string, result bool) error {
	op, err := s.Store.Get(c.ctx, store.Key{Kind: kindOperation, Scope: strings.ToLower("/subscriptions/" + sub), Name: id})
	if err != nil {
		return notFound(fmt.Sprintf("The operation '%s'", id))
	}
	var d struct {
		Status     string `json:"status"`
		ResourceID string `json:"resourceId"`
	}
	if err := json.Unmarshal(op.Doc, &d); err != nil {
		return fmt.Errorf("decode operation: %w", err)
	}
	// Only principals that may read the account learn its operations.
	segs, _ := splitPath(d.ResourceID)
	if len(segs) != 8 {
		return notFound("The operation's resource")
	}
	c.acct = &accountRef{sub: segs[1], rg: segs[3], name: segs[7]}
	if err := c.authorize(string(store.KindAccount), auth.Read); err != nil {
		return err
	}
	if !result {
		writeJSON(c.w, http.StatusOK, map[string]any{"id": id, "name": id, "status": d.Status,
			"startTime": store.FormatTime(op.Created), "endTime": store.FormatTime(op.Modified)})
		return nil
	}
	r, err := c.load(&resourcePath{spec: accountSpec, name: segs[7]})
	if err != nil {
		return err
	}
	return c.respond(http.StatusOK, &resourcePath{spec: accountSpec, name: r.Name}, r)
}

// listAccounts lists the accounts of a resource group, or of a whole
// subscription when rg is empty.
func (s *Server) listAccounts(c *call, sub, rg string) error {
	q := store.ListQuery{Kind: store.KindAccount, Scope: strings.ToLower("/subscriptions/" + sub + "/resourcegroups/" + rg)}
	if rg == "" {
		q.Scope, q.ScopePrefix = strings.ToLower("/subscriptions/"+sub+"/resourcegroups"), true
	}
	page, err := s.listPage(c, accountSpec, q, func(r *store.Resource) (any, error) {
		var m meta
		_ = json.Unmarshal(r.Meta, &m)
		segs, _ := splitPath(m.ARMID)
		if len(segs) != 8 {
			return nil, fmt.Errorf("account %q has no ARM id", r.Name)
		}
		c.acct = &accountRef{sub: segs[1], rg: segs[3], name: r.Name}
		if c.authorize(string(store.KindAccount), auth.Read) != nil {
			return nil, nil // listed only to principals that may read it
		}
		return c.envelope(&resourcePath{spec: accountSpec, name: r.Name}, r, false)
	})
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, page)
	return nil
}

// accountAction serves syncStorageKeys and listEdgePolicies.
func (s *Server) accountAction(c *call, action string) error {
	if _, err := c.load(&resourcePath{spec: accountSpec, name: c.acct.name}); err != nil {
		return err
	}
	if action == "listedgepolicies" {
		writeJSON(c.w, http.StatusOK, map[string]any{})
		return nil
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// checkNameAvailability reports whether an account name is free in the
// subscription.
func (s *Server) checkNameAvailability(c *call, sub string) error {
	// Account names are visible only to those who may read accounts
	// subscription-wide (no account in scope: global assignments only).
	c.acct = nil
	if err := c.authorize(string(store.KindAccount), auth.Read); err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if err := c.readBody(&in, false); err != nil {
		return err
	}
	out := map[string]any{"nameAvailable": true}
	switch {
	case !accountName.MatchString(in.Name):
		out = map[string]any{"nameAvailable": false, "reason": "Invalid", "message": "Account names are 3 to 24 lower-case letters and digits."}
	default:
		items, err := s.Store.List(c.ctx, store.ListQuery{Kind: store.KindAccount, Scope: strings.ToLower("/subscriptions/" + sub + "/resourcegroups"), ScopePrefix: true,
			Filter: &store.Cond{Field: store.Field{Col: store.ColName}, Op: store.OpEq, Value: strings.ToLower(in.Name)}, Limit: 1})
		if err != nil {
			return err
		}
		if len(items) > 0 {
			out = map[string]any{"nameAvailable": false, "reason": "AlreadyExists", "message": "An account with this name already exists."}
		}
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

func (s *Server) listOperations(c *call) error {
	var ops []any
	for _, o := range []string{"mediaservices", "mediaservices/assets", "mediaservices/contentKeyPolicies", "mediaservices/streamingPolicies",
		"mediaservices/streamingLocators", "mediaservices/streamingEndpoints", "mediaservices/accountFilters", "mediaservices/assets/assetFilters"} {
		for _, verb := range []string{"read", "write", "delete"} {
			ops = append(ops, map[string]any{"name": "Microsoft.Media/" + o + "/" + verb,
				"display": map[string]string{"provider": "Lockstream", "resource": o, "operation": verb}})
		}
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"value": ops})
	return nil
}
