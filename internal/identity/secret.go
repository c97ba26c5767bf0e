package identity

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/store"
)

// Generated secrets look like "<tag>~<43 base64url characters>": 256
// random bits behind an 8-hex-digit tag taken from the secret's key id.
// The tag selects the one stored hash to verify, so every token request
// costs exactly one slow hash whatever the principal holds.
const tagLen = 8

// SecretOptions are the settable fields of a new client secret.
type SecretOptions struct {
	DisplayName string
	// Lifetime defaults to Config.DefaultSecretLifetime and may not exceed
	// Config.MaxSecretLifetime.
	Lifetime time.Duration
}

// AddSecret generates a client secret for a principal and returns its
// description and its value. The value is returned only here: the store
// keeps a salted argon2id hash. Several secrets may be valid at once, so a
// client can switch to a new secret before the old one is removed.
func (s *Service) AddSecret(ctx context.Context, clientID string, opts SecretOptions) (SecretInfo, string, error) {
	info, value, err := s.addSecret(ctx, clientID, opts)
	s.auditMgmt(ctx, "servicePrincipals/addPassword", clientID+" "+info.KeyID, err)
	return info, value, err
}

func (s *Service) addSecret(ctx context.Context, clientID string, opts SecretOptions) (SecretInfo, string, error) {
	life := opts.Lifetime
	if life == 0 {
		life = s.cfg.DefaultSecretLifetime
	}
	name := strings.TrimSpace(opts.DisplayName)
	switch {
	case life < 0 || life > s.cfg.MaxSecretLifetime:
		return SecretInfo{}, "", fmt.Errorf("%w: secret lifetime must be positive and at most %v", ErrInvalid, s.cfg.MaxSecretLifetime)
	case len(name) > 256 || !store.ValidText(name):
		return SecretInfo{}, "", fmt.Errorf("%w: display name must be at most 256 characters of text", ErrInvalid)
	}
	keyID, err := s.newUUID()
	if err != nil {
		return SecretInfo{}, "", err
	}
	raw := make([]byte, 32)
	if err := s.readRand(raw); err != nil {
		return SecretInfo{}, "", err
	}
	tag := strings.ReplaceAll(keyID, "-", "")[:tagLen]
	value := tag + "~" + base64.RawURLEncoding.EncodeToString(raw)
	clear(raw)
	// Hash before the transaction: it is slow and must not hold the
	// store's write lock.
	h, err := s.hasher.hash(ctx, value)
	if err != nil {
		return SecretInfo{}, "", err
	}
	now := s.now()
	info := SecretInfo{KeyID: keyID, DisplayName: name, Hint: value[:3], Start: now, End: now.Add(life)}
	_, err = s.updatePrincipal(ctx, clientID, func(pr *principalRecord) error {
		if len(pr.p.Secrets)+len(pr.p.Certificates) >= s.cfg.MaxCredentials {
			return fmt.Errorf("%w: principal already has %d credentials", ErrInvalid, s.cfg.MaxCredentials)
		}
		for _, sh := range pr.creds.Secrets {
			if sh.Tag == tag {
				return fmt.Errorf("identity: secret tag collision, retry")
			}
		}
		pr.p.Secrets = append(pr.p.Secrets, info)
		pr.creds.Secrets = append(pr.creds.Secrets, secretHash{KeyID: keyID, Tag: tag, Hash: h})
		return nil
	})
	if err != nil {
		return SecretInfo{}, "", fmt.Errorf("identity: add secret to %.64q: %w", clientID, err)
	}
	return info, value, nil
}

// RemoveSecret deletes one client secret by key id; it stops working at
// once. Errors wrap store.ErrNotFound when there is no such secret.
func (s *Service) RemoveSecret(ctx context.Context, clientID, keyID string) error {
	_, err := s.updatePrincipal(ctx, clientID, func(pr *principalRecord) error {
		i := slices.IndexFunc(pr.p.Secrets, func(si SecretInfo) bool { return strings.EqualFold(si.KeyID, keyID) })
		if i < 0 {
			return fmt.Errorf("secret %.64q: %w", keyID, store.ErrNotFound)
		}
		pr.p.Secrets = slices.Delete(pr.p.Secrets, i, i+1)
		pr.creds.Secrets = slices.DeleteFunc(pr.creds.Secrets, func(sh secretHash) bool { return strings.EqualFold(sh.KeyID, keyID) })
		return nil
	})
	if err != nil {
		err = fmt.Errorf("identity: remove secret of %.64q: %w", clientID, err)
	}
	s.auditMgmt(ctx, "servicePrincipals/removePassword", clientID+" "+keyID, err)
	return err
}

// pickHash returns the one stored hash a presented secret is checked
// against: the tagged hash its prefix names, else the untagged bootstrap
// hash, else none (the caller then verifies the dummy hash).
func pickHash(c credentials, secret string) *secretHash {
	if len(secret) > tagLen && secret[tagLen] == '~' {
		for i := range c.Secrets {
			if c.Secrets[i].Tag != "" && c.Secrets[i].Tag == secret[:tagLen] {
				return &c.Secrets[i]
			}
		}
	}
	for i := range c.Secrets {
		if c.Secrets[i].Tag == "" {
			return &c.Secrets[i]
		}
	}
	return nil
}

// checkSecret authenticates clientID with secret. It verifies exactly one
// argon2id hash whether or not the client exists, so that response time
// does not tell an unknown client from a wrong secret. reason is for logs.
func (s *Service) checkSecret(ctx context.Context, clientID, secret string, now time.Time) (pr *principalRecord, reason string, err error) {
	pr, err = s.loadPrincipal(ctx, s.cfg.Store, clientID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, "", err
	}
	var sh *secretHash
	if pr != nil {
		sh = pickHash(pr.creds, secret)
	}
	phc := ""
	if sh != nil {
		phc = sh.Hash
	}
	ok, err := s.hasher.verify(ctx, phc, secret)
	switch {
	case err != nil:
		return nil, "", err
	case pr == nil:
		return nil, "unknown client", nil
	case sh == nil:
		return nil, "principal has no secret", nil
	case !ok:
		return nil, "wrong secret", nil
	}
	i := slices.IndexFunc(pr.p.Secrets, func(si SecretInfo) bool { return si.KeyID == sh.KeyID })
	if i < 0 {
		return nil, "secret metadata missing", nil
	}
	if si := pr.p.Secrets[i]; now.Before(si.Start) || !si.End.IsZero() && !now.Before(si.End) {
		return nil, "secret expired or not yet valid (keyId " + si.KeyID + ")", nil
	}
	return pr, "", nil
}

// EnsureBootstrap makes clientID an Owner of every account that
// authenticates with secret, creating the principal if needed. Call it at
// startup with the configured bootstrap credentials; it is idempotent and
// safe on several nodes at once. A changed secret replaces the previous
// bootstrap secret; secrets added with AddSecret are kept.
func (s *Service) EnsureBootstrap(ctx context.Context, clientID, secret string) error {
	if !validClientID(clientID) {
		return fmt.Errorf("%w: bootstrap client id must be 1-128 letters, digits, '.', '-' or '_'", ErrInvalid)
	}
	if len(secret) < 16 || len(secret) > maxSecretLen {
		return fmt.Errorf("%w: bootstrap secret must be 16 to %d characters", ErrInvalid, maxSecretLen)
	}
	if s.bootstrapCurrent(ctx, clientID, secret) {
		return nil
	}
	h, err := s.hasher.hash(ctx, secret)
	if err != nil {
		return err
	}
	keyID, err := s.newUUID()
	if err != nil {
		return err
	}
	// No hint: unlike generated secrets, whose first characters come from
	// the public key id, an operator-chosen secret would lose strength.
	info := SecretInfo{KeyID: keyID, DisplayName: "bootstrap", Start: s.now()}
	setBootstrap := func(pr *principalRecord) error {
		pr.p.Bootstrap = true
		pr.p.Secrets = slices.DeleteFunc(pr.p.Secrets, func(si SecretInfo) bool {
			return slices.ContainsFunc(pr.creds.Secrets, func(sh secretHash) bool { return sh.KeyID == si.KeyID && sh.Tag == "" })
		})
		pr.creds.Secrets = slices.DeleteFunc(pr.creds.Secrets, func(sh secretHash) bool { return sh.Tag == "" })
		pr.p.Secrets = append(pr.p.Secrets, info)
		pr.creds.Secrets = append(pr.creds.Secrets, secretHash{KeyID: keyID, Hash: h})
		return nil
	}
	// Create, or on a race with another node (or an existing principal)
	// update; two attempts cover every interleaving.
	for attempt := 0; ; attempt++ {
		_, err = s.updatePrincipal(ctx, clientID, setBootstrap)
		if errors.Is(err, store.ErrNotFound) {
			var pr *principalRecord
			pr, err = s.createPrincipal(ctx, clientID, "bootstrap", true)
			if err == nil {
				_, err = s.updatePrincipal(ctx, pr.p.ClientID, setBootstrap)
			}
		}
		if !errors.Is(err, store.ErrConflict) || attempt > 0 {
			break
		}
	}
	if err == nil {
		_, err = s.assignRole(ctx, clientID, string(auth.RoleOwner), auth.ScopeAll)
	}
	if err != nil {
		err = fmt.Errorf("identity: ensure bootstrap principal %.64q: %w", clientID, err)
	}
	s.auditMgmt(ctx, "servicePrincipals/bootstrap", clientID, err)
	return err
}

// bootstrapCurrent reports whether the bootstrap principal already exists
// with this secret and its Owner role, so that a restart writes nothing.
func (s *Service) bootstrapCurrent(ctx context.Context, clientID, secret string) bool {
	pr, err := s.loadPrincipal(ctx, s.cfg.Store, clientID)
	if err != nil || !pr.p.Bootstrap {
		return false
	}
	var sh *secretHash
	for i := range pr.creds.Secrets {
		if pr.creds.Secrets[i].Tag == "" {
			sh = &pr.creds.Secrets[i]
		}
	}
	if sh == nil {
		return false
	}
	if ok, err := s.hasher.verify(ctx, sh.Hash, secret); err != nil || !ok {
		return false
	}
	ras, err := s.listRoles(ctx, pr.p.ClientID)
	return err == nil && slices.ContainsFunc(ras, func(ra RoleAssignment) bool {
		return ra.Role == auth.RoleOwner && ra.Scope == auth.ScopeAll
	})
}
