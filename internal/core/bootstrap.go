package core

import (
	"context"
	"fmt"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/identity"
)

// generatedAdmin is an Owner principal this start created because none was
// configured; secret is printed once by the banner.
type generatedAdmin struct {
	clientID, secret string
}

// ensureAdmin makes sure the management API has an Owner. With configured
// bootstrap credentials that principal is kept current. Without them, a
// deployment that has no service principal at all (a fresh data dir or
// database) gets a generated Owner whose secret the banner shows once —
// otherwise nobody could ever call the API, and nothing would say why.
//
// The secret goes to the operator's terminal (the banner on standard
// output), never to the log: logs are shipped and kept, a one-time
// credential should not be. The log records that it happened and the
// client id, at warn level, so the event is visible in any log setup.
// Two nodes starting at the same instant on one fresh database may each
// generate one; both are valid Owners, and either can delete the other.
func (c *Core) ensureAdmin(ctx context.Context, svc *identity.Service) error {
	if id := c.Conf.Bootstrap.ClientID; id != "" {
		if err := svc.EnsureBootstrap(ctx, id, c.Conf.Bootstrap.ClientSecret.Reveal()); err != nil {
			return fmt.Errorf("bootstrap principal: %w", err)
		}
		return nil
	}
	ps, _, err := svc.ListPrincipals(ctx, "", 1)
	if err != nil {
		return fmt.Errorf("bootstrap principal: %w", err)
	}
	if len(ps) > 0 {
		return nil
	}
	p, err := svc.CreatePrincipal(ctx, identity.CreatePrincipalOptions{DisplayName: "bootstrap Owner (generated at first start)"})
	if err != nil {
		return fmt.Errorf("generate bootstrap principal: %w", err)
	}
	if _, err := svc.AssignRole(ctx, p.ClientID, string(auth.RoleOwner), auth.ScopeAll); err != nil {
		return fmt.Errorf("generate bootstrap principal: %w", err)
	}
	_, secret, err := svc.AddSecret(ctx, p.ClientID, identity.SecretOptions{DisplayName: "generated at first start"})
	if err != nil {
		return fmt.Errorf("generate bootstrap principal: %w", err)
	}
	c.admin = &generatedAdmin{clientID: p.ClientID, secret: secret}
	c.Log.Warn("no bootstrap principal configured (LOCKSTREAM_BOOTSTRAP_CLIENT_ID/_SECRET) and none exists: generated an Owner service principal; its secret is printed once on standard output, never logged",
		"clientId", p.ClientID)
	return nil
}
