package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// Admin writes license servers straight to the store, for the CLI; it
// stores exactly what the API's PUT stores (redacted document, secrets
// sealed under the KEK).
type Admin struct {
	Store  store.Store
	Sealer keys.Sealer
	Now    func() time.Time
}

// Scope returns the store scope of an account's ARM path
// (/subscriptions/…/resourceGroups/…/providers/Microsoft.Media/mediaServices/…).
func Scope(accountPath string) (string, error) {
	p := strings.ToLower(strings.Trim(accountPath, "/"))
	segs := strings.Split(p, "/")
	if len(segs) != 8 || segs[0] != "subscriptions" || segs[2] != "resourcegroups" || segs[4] != "providers" ||
		segs[5] != "microsoft.media" || segs[6] != "mediaservices" {
		return "", fmt.Errorf("%q is not an account path (/subscriptions/S/resourceGroups/RG/providers/Microsoft.Media/mediaServices/NAME)", accountPath)
	}
	return "/" + p, nil
}

// Put creates or replaces a license server; it reports whether it
// created one.
func (a *Admin) Put(ctx context.Context, accountPath, name string, p *Properties) (bool, error) {
	return PutProperties(ctx, a.Store, a.Sealer, store.Kind(Kind), "license server", accountPath, name, p, p.Redacted(), a.Now, nil)
}

// Validator is the properties of an account-level resource the CLI
// writes.
type Validator interface {
	Validate(path string) error
}

// PutProperties is what the CLI's Put of a license server or key
// provider does: check the account path and the name (what names the
// kind in errors), validate p, then PutSealed with redacted as the public
// doc and p whole, sealed, as the secret part. now is the clock (nil:
// time.Now); check, when set, runs first in the transaction with the
// account's scope.
func PutProperties(ctx context.Context, st store.Store, sealer keys.Sealer, kind store.Kind, what, accountPath, name string, p Validator, redacted any, now func() time.Time, check func(tx store.Tx, scope string) error) (bool, error) {
	scope, err := Scope(accountPath)
	if err != nil {
		return false, err
	}
	if name == "" || len(name) > 260 || strings.ContainsAny(name, "/?#%") {
		return false, fmt.Errorf("invalid %s name %q", what, name)
	}
	if err := p.Validate("properties"); err != nil {
		return false, err
	}
	doc, err := json.Marshal(redacted)
	if err != nil {
		return false, err
	}
	full, err := json.Marshal(p)
	if err != nil {
		return false, err
	}
	defer clear(full)
	t := time.Now().UTC()
	if now != nil {
		t = now().UTC()
	}
	var inTx func(store.Tx) error
	if check != nil {
		inTx = func(tx store.Tx) error { return check(tx, scope) }
	}
	return PutSealed(ctx, st, sealer, store.Key{Kind: kind, Scope: scope, Name: name}, doc, full, t, inTx)
}

// PutSealed creates or replaces an account-level resource written by the
// CLI, with its public doc and its secrets sealed under the KEK (bound to
// the row by store.ResourceAAD), in one transaction; check, when set, runs
// first in that transaction. It reports whether it created the resource.
// License servers and key providers share it.
func PutSealed(ctx context.Context, st store.Store, sealer keys.Sealer, k store.Key, doc, full []byte, now time.Time, check func(store.Tx) error) (bool, error) {
	created := false
	err := st.WithTx(ctx, func(tx store.Tx) error {
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		sealed, err := sealer.Seal(full, []byte(store.ResourceAAD(k.Kind, k.Scope, k.Name)))
		if err != nil {
			return fmt.Errorf("seal %s secrets: %w", k.Kind, err)
		}
		r := &store.Resource{Kind: k.Kind, Scope: k.Scope, Name: k.Name, Created: now, Modified: now, Doc: doc, Secret: sealed,
			Meta: []byte(`{"createdBy":"lockstream-cli","createdByType":"Application","lastModifiedBy":"lockstream-cli","lastModifiedByType":"Application"}`)}
		old, err := tx.Get(ctx, k)
		switch {
		case errors.Is(err, store.ErrNotFound):
			created = true
			return tx.Create(ctx, r, nil)
		case err != nil:
			return err
		}
		r.Name, r.Created, r.Version = old.Name, old.Created, old.Version
		return tx.Replace(ctx, r, nil)
	})
	return created, err
}

// Named is a license server with its name, secrets removed.
type Named struct {
	Name       string     `json:"name"`
	Properties Properties `json:"properties"`
}

// List returns an account's license servers without secrets.
func (a *Admin) List(ctx context.Context, accountPath string) ([]Named, error) {
	scope, err := Scope(accountPath)
	if err != nil {
		return nil, err
	}
	rs, err := a.Store.List(ctx, store.ListQuery{Kind: store.Kind(Kind), Scope: scope, Limit: maxServers})
	if err != nil {
		return nil, err
	}
	out := make([]Named, 0, len(rs))
	for _, r := range rs {
		var p Properties
		if err := json.Unmarshal(r.Doc, &p); err != nil {
			return nil, fmt.Errorf("decode license server %q: %w", r.Name, err)
		}
		out = append(out, Named{Name: r.Name, Properties: p.Redacted()})
	}
	return out, nil
}

// Delete removes a license server.
func (a *Admin) Delete(ctx context.Context, accountPath, name string) error {
	scope, err := Scope(accountPath)
	if err != nil {
		return err
	}
	return a.Store.WithTx(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, store.Key{Kind: store.Kind(Kind), Scope: scope, Name: name})
	})
}
