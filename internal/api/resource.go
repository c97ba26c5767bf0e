package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/store"
)

// item serves GET, PUT, PATCH and DELETE on one resource.
func (s *Server) item(c *call, spec *kindSpec, parent *resourcePath, name string) error {
	p := &resourcePath{spec: spec, name: name, parent: parent}
	if err := c.authorize(string(spec.kind), methodAction(c.r.Method)); err != nil {
		return err
	}
	switch c.r.Method {
	case http.MethodGet:
		r, err := c.load(p)
		if err != nil {
			return err
		}
		return c.respond(http.StatusOK, p, r)
	case http.MethodPut:
		return s.put(c, p)
	case http.MethodPatch:
		if spec.createOnly {
			c.w.Header().Set("Allow", "GET, PUT, DELETE")
			return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("%s are immutable: PATCH is not supported; delete and re-create instead.", spec.segment))
		}
		return s.patch(c, p)
	case http.MethodDelete:
		return s.delete(c, p)
	}
	c.w.Header().Set("Allow", "GET, PUT, PATCH, DELETE")
	return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The method "+c.r.Method+" is not allowed on a resource.")
}

// loadParents checks that the account and every parent of p exist.
func (c *call) loadParents(tx store.Reader, p *resourcePath) error {
	if p.spec.kind == store.KindAccount {
		return nil
	}
	acct := &resourcePath{spec: accountSpec, name: c.acct.name}
	a, err := tx.Get(c.ctx, c.key(acct))
	if errors.Is(err, store.ErrNotFound) {
		return notFound(fmt.Sprintf("The media services account '%s'", c.acct.name))
	}
	if err != nil {
		return err
	}
	c.acct.name = a.Name // stored casing for ids
	for q := p.parent; q != nil; q = q.parent {
		if _, err := tx.Get(c.ctx, c.key(q)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return notFound(fmt.Sprintf("The parent resource '%s/%s'", q.spec.segment, q.name))
			}
			return err
		}
	}
	return nil
}

// load returns the stored resource at p, with ARM 404s.
func (c *call) load(p *resourcePath) (*store.Resource, error) {
	if err := c.loadParents(c.s.Store, p); err != nil {
		return nil, err
	}
	r, err := c.s.Store.Get(c.ctx, c.key(p))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(fmt.Sprintf("The %s '%s'", singular(p.spec), p.name))
	}
	return r, err
}

func (s *Server) put(c *call, p *resourcePath) error {
	if err := validateName(p.spec, p.name); err != nil {
		return err
	}
	if p.spec.guard != nil {
		if err := p.spec.guard(c, p.name, http.MethodPut); err != nil {
			return err
		}
	}
	body, err := c.body()
	if err != nil {
		return err
	}
	return s.write(c, p, body, false)
}

func (s *Server) patch(c *call, p *resourcePath) error {
	if p.spec.guard != nil {
		if err := p.spec.guard(c, p.name, http.MethodPatch); err != nil {
			return err
		}
	}
	body, err := c.body()
	if err != nil {
		return err
	}
	return s.write(c, p, body, true)
}

// write creates or updates p from body inside one transaction.
func (s *Server) write(c *call, p *resourcePath, body []byte, isPatch bool) error {
	var (
		out     *store.Resource
		created bool
	)
	if p.spec.precheck != nil {
		if err := p.spec.precheck(c, body); err != nil {
			return err
		}
	}
	err := s.Store.WithTx(c.ctx, func(tx store.Tx) error {
		created = false
		if err := c.loadParents(tx, p); err != nil {
			return err
		}
		prev, err := tx.Get(c.ctx, c.key(p))
		switch {
		case errors.Is(err, store.ErrNotFound):
			prev = nil
		case err != nil:
			return err
		}
		if isPatch && prev == nil {
			return notFound(fmt.Sprintf("The %s '%s'", singular(p.spec), p.name))
		}
		if prev != nil && p.spec.createOnly {
			return newError(http.StatusConflict, "Conflict", fmt.Sprintf("The %s '%s' already exists and is immutable; delete it first.", singular(p.spec), prev.Name))
		}
		in := body
		if isPatch {
			if in, err = c.mergePatch(p, prev, body); err != nil {
				return err
			}
		}
		rec, err := p.spec.build(c, tx, p, prev, in)
		if err != nil {
			return err
		}
		r, err := c.toResource(p, prev, rec)
		if err != nil {
			return err
		}
		if prev == nil {
			created = true
			err = tx.Create(c.ctx, r, rec.refs)
		} else {
			err = tx.Replace(c.ctx, r, rec.refs)
		}
		if err != nil {
			if errors.Is(err, store.ErrConflict) {
				return newError(http.StatusConflict, "Conflict", fmt.Sprintf("A %s with the same name or id already exists.", singular(p.spec)))
			}
			return err
		}
		if rec.then != nil {
			if err := rec.then(tx, r); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	if err != nil {
		return err
	}
	status := http.StatusOK
	switch {
	case created:
		status = http.StatusCreated
	case isPatch && p.spec.patchStatus != 0:
		status = p.spec.patchStatus
	}
	if status == http.StatusAccepted {
		c.asyncHeaders(p)
	}
	return c.respond(status, p, out)
}

// toResource turns a built record into a store resource, keeping the
// read-only history of prev.
func (c *call) toResource(p *resourcePath, prev *store.Resource, rec *record) (*store.Resource, error) {
	doc, err := json.Marshal(rec.props)
	if err != nil {
		return nil, fmt.Errorf("encode properties: %w", err)
	}
	m := rec.meta
	m.LastModifiedBy, m.LastModifiedByType = c.principal.ID, string(c.principal.Type)
	r := &store.Resource{Kind: p.spec.kind, Scope: c.key(p).Scope, Name: p.name, ID: rec.id, Created: c.now, Modified: c.now, Doc: doc}
	if prev != nil {
		var pm meta
		_ = json.Unmarshal(prev.Meta, &pm)
		m.CreatedBy, m.CreatedByType = pm.CreatedBy, pm.CreatedByType
		r.Name, r.Created, r.Version = prev.Name, prev.Created, prev.Version
		if r.ID == "" {
			r.ID = prev.ID
		}
	} else {
		m.CreatedBy, m.CreatedByType = c.principal.ID, string(c.principal.Type)
	}
	if r.Meta, err = json.Marshal(m); err != nil {
		return nil, fmt.Errorf("encode meta: %w", err)
	}
	// The store checks Doc; tags and other envelope text must pass the same
	// rules so both backends store them alike.
	if err := store.ValidateDoc(r.Meta); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidRequestContent", Message: "The request contains a tag or envelope value that cannot be stored (invalid text).", Err: err}
	}
	if rec.secret != nil {
		pt, err := json.Marshal(rec.secret)
		if err != nil {
			return nil, fmt.Errorf("encode secret: %w", err)
		}
		if r.Secret, err = c.s.Sealer.Seal(pt, []byte(store.ResourceAAD(r.Kind, r.Scope, r.Name))); err != nil {
			return nil, fmt.Errorf("seal secret: %w", err)
		}
	}
	return r, nil
}

// openSecret returns the unsealed secret JSON of r.
func (c *call) openSecret(r *store.Resource) ([]byte, error) {
	if r.Secret == nil {
		return nil, nil
	}
	b, err := c.s.Sealer.Open(r.Secret, []byte(store.ResourceAAD(r.Kind, r.Scope, r.Name)))
	if err != nil {
		return nil, fmt.Errorf("open secret of %s %q: %w", r.Kind, r.Name, err)
	}
	return b, nil
}

func (s *Server) delete(c *call, p *resourcePath) error {
	if p.spec.guard != nil {
		if err := p.spec.guard(c, p.name, http.MethodDelete); err != nil {
			return err
		}
	}
	var gone *store.Resource
	err := s.Store.WithTx(c.ctx, func(tx store.Tx) error {
		gone = nil
		if err := c.loadParents(tx, p); err != nil {
			return err
		}
		k := c.key(p)
		r, err := tx.Get(c.ctx, k)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if refs, err := tx.Referrers(c.ctx, k, 1); err != nil {
			return err
		} else if len(refs) > 0 {
			return newError(http.StatusConflict, "Conflict", fmt.Sprintf("The %s '%s' is still referenced by %s '%s'; delete that first.",
				singular(p.spec), r.Name, singularKind(refs[0].Kind), refs[0].Name))
		}
		if p.spec.beforeDelete != nil {
			if err := p.spec.beforeDelete(c, tx, r); err != nil {
				return err
			}
		}
		if err := tx.Delete(c.ctx, k); err != nil {
			return err
		}
		gone = r
		return nil
	})
	if err != nil {
		return err
	}
	if gone == nil {
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if p.spec.afterDelete != nil {
		p.spec.afterDelete(c, gone)
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// action serves POST …/{name}/{action}.
func (s *Server) action(c *call, p *resourcePath, name string, fn actionFunc) error {
	if err := c.authorize(string(p.spec.kind), auth.Action(name)); err != nil {
		return err
	}
	r, err := c.load(p)
	if err != nil {
		return err
	}
	return fn(c, p, r)
}

// mergePatch applies an RFC 7386 merge patch to the stored wire form.
func (c *call) mergePatch(p *resourcePath, prev *store.Resource, patch []byte) ([]byte, error) {
	cur, err := c.wire(p, prev, true)
	if err != nil {
		return nil, err
	}
	var base, pt any
	if err := decodeNumbers(cur, &base); err != nil {
		return nil, fmt.Errorf("decode stored resource: %w", err)
	}
	if err := decodeJSON(patch, &pt); err != nil {
		return nil, err
	}
	// Decode again keeping numbers as text: float64 would round int64
	// values such as presentationWindowDuration 9223372036854775807.
	if err := decodeNumbers(patch, &pt); err != nil {
		return nil, err
	}
	if _, ok := pt.(map[string]any); !ok {
		return nil, badRequest("InvalidRequestContent", "A PATCH body must be a JSON object.")
	}
	return json.Marshal(mergeValue(base, pt))
}

// decodeNumbers decodes b into v with numbers as json.Number.
func decodeNumbers(b []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func mergeValue(base, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	bm, ok := base.(map[string]any)
	if !ok {
		bm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(bm, k)
			continue
		}
		bm[k] = mergeValue(bm[k], v)
	}
	return bm
}
