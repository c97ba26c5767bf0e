package identity

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/store"
)

// RoleAssignment grants a principal a role on a scope (auth.ScopeAll or an
// account's lower-case ARM path).
type RoleAssignment struct {
	ID       string    `json:"id"` // GUID, stable for (principal, role, scope)
	ClientID string    `json:"principalId"`
	Role     auth.Role `json:"role"`
	Scope    string    `json:"scope"`
	Created  time.Time `json:"-"`
}

// roleScope is the store scope of a principal's role assignments: its own
// path, so that deleting the principal deletes them.
func (s *Service) roleScope(clientID string) string {
	return s.principalKey(clientID).Path()
}

// assignmentID derives the assignment's GUID from what it grants, which
// makes AssignRole idempotent across nodes without a lookup.
func assignmentID(clientID string, role auth.Role, scope string) string {
	sum := sha256.Sum256([]byte("lockstream role assignment\x00" + store.NameKey(clientID) + "\x00" + string(role) + "\x00" + scope))
	u, _ := uuid.FromBytes(sum[:16])
	u[6] = u[6]&0x0f | 0x80 // version 8: custom
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// AssignRole grants role on scope to a principal. Assigning an existing
// grant again returns it unchanged. role is matched case-insensitively;
// scope is auth.ScopeAll or an account path (see auth.ParseScope).
func (s *Service) AssignRole(ctx context.Context, clientID string, role, scope string) (RoleAssignment, error) {
	ra, err := s.assignRole(ctx, clientID, role, scope)
	s.auditMgmt(ctx, "roleAssignments/write", clientID+" "+role+" "+scope, err)
	return ra, err
}

func (s *Service) assignRole(ctx context.Context, clientID string, role, scope string) (RoleAssignment, error) {
	r, err := auth.ParseRole(role)
	if err != nil {
		return RoleAssignment{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	sc, err := auth.ParseScope(scope)
	if err != nil {
		return RoleAssignment{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var out RoleAssignment
	err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		pr, err := s.readPrincipal(ctx, tx, clientID, false)
		if err != nil {
			return err
		}
		out = RoleAssignment{ID: assignmentID(pr.p.ClientID, r, sc), ClientID: pr.p.ClientID, Role: r, Scope: sc, Created: s.now()}
		doc, err := json.Marshal(out)
		if err != nil {
			return err
		}
		res := &store.Resource{Kind: KindRoleAssignment, Scope: s.roleScope(pr.p.ClientID), Name: out.ID,
			Created: out.Created, Modified: out.Created, Doc: doc}
		err = tx.Create(ctx, res, nil)
		if errors.Is(err, store.ErrConflict) {
			old, gerr := tx.Get(ctx, res.Key())
			if gerr != nil {
				return gerr
			}
			out.Created = old.Created
			return nil
		}
		return err
	})
	if err != nil {
		return RoleAssignment{}, fmt.Errorf("identity: assign %s on %s to %.64q: %w", r, sc, clientID, err)
	}
	return out, nil
}

// ListRoles returns a principal's role assignments; errors wrap
// store.ErrNotFound when the principal does not exist.
func (s *Service) ListRoles(ctx context.Context, clientID string) ([]RoleAssignment, error) {
	pr, err := s.readPrincipal(ctx, s.cfg.Store, clientID, false)
	if err != nil {
		return nil, err
	}
	return s.listRoles(ctx, pr.p.ClientID)
}

func (s *Service) listRoles(ctx context.Context, clientID string) ([]RoleAssignment, error) {
	rs, err := s.cfg.Store.List(ctx, store.ListQuery{Kind: KindRoleAssignment, Scope: s.roleScope(clientID)})
	if err != nil {
		return nil, fmt.Errorf("identity: list roles of %.64q: %w", clientID, err)
	}
	out := make([]RoleAssignment, 0, len(rs))
	for _, r := range rs {
		var ra RoleAssignment
		if err := json.Unmarshal(r.Doc, &ra); err != nil {
			return nil, fmt.Errorf("identity: decode role assignment %s: %w", r.Name, err)
		}
		ra.Created = r.Created
		out = append(out, ra)
	}
	return out, nil
}

// RemoveRole deletes one role assignment by id; errors wrap
// store.ErrNotFound when there is none.
func (s *Service) RemoveRole(ctx context.Context, clientID, assignmentID string) error {
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, store.Key{Kind: KindRoleAssignment, Scope: s.roleScope(clientID), Name: assignmentID})
	})
	if err != nil {
		err = fmt.Errorf("identity: remove role assignment %.64q of %.64q: %w", assignmentID, clientID, err)
	}
	s.auditMgmt(ctx, "roleAssignments/delete", clientID+" "+assignmentID, err)
	return err
}
