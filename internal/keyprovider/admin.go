package keyprovider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/license/settings"
	"github.com/lockstream/lockstream/internal/store"
)

// maxProviders bounds what one account's listing reads.
const maxProviders = 100

// Admin writes key providers straight to the store, for the CLI; it
// stores exactly what the API's PUT stores (redacted document, secrets
// sealed under the KEK) and refuses a streaming policy another provider
// already names, as the API does.
type Admin struct {
	Store  store.Store
	Sealer keys.Sealer
	Now    func() time.Time
}

// Put creates or replaces a key provider; it reports whether it created
// one.
func (a *Admin) Put(ctx context.Context, accountPath, name string, p *Properties) (bool, error) {
	return settings.PutProperties(ctx, a.Store, a.Sealer, store.KindKeyProvider, "key provider", accountPath, name, p, p.Redacted(), a.Now, func(tx store.Tx, scope string) error {
		others, err := tx.List(ctx, store.ListQuery{Kind: store.KindKeyProvider, Scope: scope, Limit: maxProviders + 1})
		if err != nil {
			return err
		}
		for _, o := range others {
			if strings.EqualFold(o.Name, name) {
				continue
			}
			var op Properties
			if err := json.Unmarshal(o.Doc, &op); err != nil {
				return fmt.Errorf("decode key provider %q: %w", o.Name, err)
			}
			for _, n := range p.StreamingPolicyNames {
				if op.Serves(n) {
					return fmt.Errorf("streaming policy %q already takes its keys from key provider %q", n, o.Name)
				}
			}
		}
		return nil
	})
}

// Named is a key provider with its name, secrets removed.
type Named struct {
	Name       string     `json:"name"`
	Properties Properties `json:"properties"`
}

// List returns an account's key providers without secrets.
func (a *Admin) List(ctx context.Context, accountPath string) ([]Named, error) {
	scope, err := settings.Scope(accountPath)
	if err != nil {
		return nil, err
	}
	rs, err := a.Store.List(ctx, store.ListQuery{Kind: store.KindKeyProvider, Scope: scope, Limit: maxProviders})
	if err != nil {
		return nil, err
	}
	out := make([]Named, 0, len(rs))
	for _, r := range rs {
		var p Properties
		if err := json.Unmarshal(r.Doc, &p); err != nil {
			return nil, fmt.Errorf("decode key provider %q: %w", r.Name, err)
		}
		out = append(out, Named{Name: r.Name, Properties: p.Redacted()})
	}
	return out, nil
}

// Delete removes a key provider; locators already created keep their
// keys and signalling.
func (a *Admin) Delete(ctx context.Context, accountPath, name string) error {
	scope, err := settings.Scope(accountPath)
	if err != nil {
		return err
	}
	return a.Store.WithTx(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, store.Key{Kind: store.KindKeyProvider, Scope: scope, Name: name})
	})
}
