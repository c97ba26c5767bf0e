package sts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/store"
)

// User is a user as the CLI and the API show it. It never holds a secret
// or a secret hash.
type User struct {
	Name        string `json:"name"`
	ID          string `json:"id"` // the tokens' sub
	DisplayName string `json:"displayName,omitempty"`
	// HasSecret tells whether the user can get tokens with its own
	// credentials (otherwise only on its behalf, by an operator).
	HasSecret bool                       `json:"hasSecret"`
	Groups    []string                   `json:"groups"`
	Claims    map[string]json.RawMessage `json:"claims"`
	Created   time.Time                  `json:"created"`
	Modified  time.Time                  `json:"modified"`
}

// Limits on entitlements, so that tokens stay well under the 8 KiB key
// delivery accepts.
const (
	maxNameLen      = 128
	maxGroups       = 64
	maxClaimNameLen = 256
	// MinSecretLen is the shortest operator-chosen secret accepted.
	MinSecretLen = 12
)

// reservedClaims are set by the service itself and cannot be given as a
// user's extra claims. The two AMS claims come only from the token
// request, where they narrow the token.
var reservedClaims = []string{"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "groups", MaxUsesClaim, ContentKeyIDClaim}

// validUserName accepts 1 to 128 letters, digits and ". _ - @ +", so that
// e-mail addresses work as names and nothing needs escaping anywhere.
func validUserName(n string) bool {
	if n == "" || len(n) > maxNameLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._-@+", c) >= 0) {
			return false
		}
	}
	return true
}

// validLabel accepts group and claim names: printable text without
// control characters.
func validLabel(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen || !store.ValidText(s) {
		return false
	}
	return !strings.ContainsFunc(s, unicode.IsControl)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// UserOptions are the settable fields of a new user.
type UserOptions struct {
	Name        string
	DisplayName string
	// Secret is an operator-chosen credential (at least MinSecretLen
	// characters). When empty, GenerateSecret decides whether the user
	// gets a random one (returned once by CreateUser) or none, in which
	// case tokens are issued only on its behalf.
	Secret         string
	GenerateSecret bool
	Groups         []string
	Claims         map[string]json.RawMessage
}

// CreateUser creates a user with a new random id. It returns the
// generated secret when opts asked for one; the store keeps only a sealed
// argon2id hash.
func (s *Service) CreateUser(ctx context.Context, opts UserOptions) (User, string, error) {
	if !validUserName(opts.Name) {
		return User{}, "", invalid("user name must be 1 to %d letters, digits or . _ - @ +", maxNameLen)
	}
	if err := checkDisplayName(opts.DisplayName); err != nil {
		return User{}, "", err
	}
	if len(opts.Groups) > maxGroups {
		return User{}, "", invalid("a user may have at most %d groups", maxGroups)
	}
	for _, g := range opts.Groups {
		if !validLabel(g, store.MaxGroupNameLen) {
			return User{}, "", invalid("group names must be 1 to %d characters of printable text", store.MaxGroupNameLen)
		}
	}
	claims, err := encodeClaims(opts.Claims)
	if err != nil {
		return User{}, "", err
	}
	secret := opts.Secret
	if secret == "" && opts.GenerateSecret {
		if secret, err = s.newSecret(); err != nil {
			return User{}, "", err
		}
	}
	sealed, err := s.sealSecret(ctx, opts.Name, secret)
	if err != nil {
		return User{}, "", err
	}
	u, err := uuid.NewRandomFromReader(s.rand)
	if err != nil {
		return User{}, "", fmt.Errorf("sts: new user id: %w", err)
	}
	now := s.now()
	rec := &store.User{Name: opts.Name, ID: u.String(), DisplayName: strings.TrimSpace(opts.DisplayName),
		Secret: sealed, Claims: claims, Created: now, Modified: now}
	err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, rec); err != nil {
			return err
		}
		for _, g := range opts.Groups {
			if err := tx.AddGroup(ctx, rec.Name, g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return User{}, "", fmt.Errorf("sts: create user %.64q: %w", opts.Name, err)
	}
	rec.Groups = slices.Clone(opts.Groups)
	slices.Sort(rec.Groups)
	rec.Groups = slices.Compact(rec.Groups)
	out, err := publicUser(rec)
	if err != nil {
		return User{}, "", err
	}
	if opts.Secret != "" {
		secret = "" // the caller chose it; do not echo it back
	}
	return out, secret, nil
}

func checkDisplayName(n string) error {
	if len(n) > 256 || !validLabel(n, 256) && n != "" {
		return invalid("display name must be at most 256 characters of printable text")
	}
	return nil
}

// encodeClaims checks extra claims and returns their stored form.
func encodeClaims(claims map[string]json.RawMessage) ([]byte, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	for name, v := range claims {
		if !validLabel(name, maxClaimNameLen) {
			return nil, invalid("claim names must be 1 to %d characters of printable text", maxClaimNameLen)
		}
		if slices.Contains(reservedClaims, name) {
			return nil, invalid("claim %q is set by the token service", name)
		}
		if !json.Valid(v) {
			return nil, invalid("claim %q: value is not JSON", name)
		}
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("sts: encode claims: %w", err)
	}
	if len(b) > store.MaxClaimsBytes {
		return nil, invalid("claims larger than %d bytes", store.MaxClaimsBytes)
	}
	return b, nil
}

func decodeClaims(b []byte) (map[string]json.RawMessage, error) {
	claims := map[string]json.RawMessage{}
	if len(b) == 0 {
		return claims, nil
	}
	if err := json.Unmarshal(b, &claims); err != nil {
		return nil, fmt.Errorf("sts: decode claims: %w", err)
	}
	return claims, nil
}

func publicUser(u *store.User) (User, error) {
	claims, err := decodeClaims(u.Claims)
	if err != nil {
		return User{}, err
	}
	groups := u.Groups
	if groups == nil {
		groups = []string{}
	}
	return User{Name: u.Name, ID: u.ID, DisplayName: u.DisplayName, HasSecret: len(u.Secret) > 0,
		Groups: groups, Claims: claims, Created: u.Created, Modified: u.Modified}, nil
}

// GetUser returns one user; errors wrap store.ErrNotFound when it does not
// exist.
func (s *Service) GetUser(ctx context.Context, name string) (User, error) {
	if !validUserName(name) {
		return User{}, fmt.Errorf("sts: user %.64q: %w", name, store.ErrNotFound)
	}
	u, err := s.cfg.Store.GetUser(ctx, name)
	if err != nil {
		return User{}, fmt.Errorf("sts: get user: %w", err)
	}
	return publicUser(u)
}

// ListUsers returns up to limit users (default and maximum 1000) ordered
// by lower-cased name, after the name after ("" for the first page). next
// is the cursor of the following page, "" on the last one.
func (s *Service) ListUsers(ctx context.Context, after string, limit int) (users []User, next string, err error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rs, err := s.cfg.Store.ListUsers(ctx, after, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("sts: list users: %w", err)
	}
	if len(rs) > limit {
		rs = rs[:limit]
		next = rs[limit-1].Name
	}
	users = make([]User, 0, len(rs))
	for _, r := range rs {
		u, err := publicUser(r)
		if err != nil {
			return nil, "", err
		}
		users = append(users, u)
	}
	return users, next, nil
}

// DeleteUser deletes a user with its groups and claims. Tokens already
// issued stay valid until they expire.
func (s *Service) DeleteUser(ctx context.Context, name string) error {
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error { return tx.DeleteUser(ctx, name) })
	if err != nil {
		return fmt.Errorf("sts: delete user %.64q: %w", name, err)
	}
	return nil
}

// updateUser loads a user in a transaction, applies fn and writes it
// back.
func (s *Service) updateUser(ctx context.Context, name string, fn func(u *store.User) error) (User, error) {
	var out *store.User
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, name)
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
		u.Modified = s.now()
		out = u
		return tx.ReplaceUser(ctx, u)
	})
	if err != nil {
		return User{}, fmt.Errorf("sts: update user %.64q: %w", name, err)
	}
	return publicUser(out)
}

// AddGroup adds a user to a group (no change when it already is a member).
func (s *Service) AddGroup(ctx context.Context, name, group string) (User, error) {
	if !validLabel(group, store.MaxGroupNameLen) {
		return User{}, invalid("group names must be 1 to %d characters of printable text", store.MaxGroupNameLen)
	}
	var out *store.User
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, name)
		if err != nil {
			return err
		}
		if !slices.Contains(u.Groups, group) && len(u.Groups) >= maxGroups {
			return invalid("a user may have at most %d groups", maxGroups)
		}
		if err := tx.AddGroup(ctx, name, group); err != nil {
			return err
		}
		out, err = tx.GetUser(ctx, name)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("sts: add user %.64q to group: %w", name, err)
	}
	return publicUser(out)
}

// RemoveGroup removes a user from a group; errors wrap store.ErrNotFound
// when it is not a member.
func (s *Service) RemoveGroup(ctx context.Context, name, group string) (User, error) {
	var out *store.User
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.RemoveGroup(ctx, name, group); err != nil {
			return err
		}
		var err error
		out, err = tx.GetUser(ctx, name)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("sts: remove user %.64q from group: %w", name, err)
	}
	return publicUser(out)
}

// SetClaim sets one extra claim of a user's tokens to a JSON value;
// a null value removes it.
func (s *Service) SetClaim(ctx context.Context, name, claim string, value json.RawMessage) (User, error) {
	return s.updateUser(ctx, name, func(u *store.User) error {
		claims, err := decodeClaims(u.Claims)
		if err != nil {
			return err
		}
		if strings.TrimSpace(string(value)) == "null" {
			if _, ok := claims[claim]; !ok {
				return fmt.Errorf("claim %.64q: %w", claim, store.ErrNotFound)
			}
			delete(claims, claim)
		} else {
			claims[claim] = value
		}
		u.Claims, err = encodeClaims(claims)
		return err
	})
}
