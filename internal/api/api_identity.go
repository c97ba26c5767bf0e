package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/store"
)

// identityAdmin is the part of the identity service the API exposes to
// Owners: service principals, their secrets and role assignments.
type identityAdmin interface {
	CreatePrincipal(ctx context.Context, opts identity.CreatePrincipalOptions) (identity.Principal, error)
	GetPrincipal(ctx context.Context, clientID string) (identity.Principal, error)
	ListPrincipals(ctx context.Context, after string, limit int) ([]identity.Principal, string, error)
	DeletePrincipal(ctx context.Context, clientID string) error
	AddSecret(ctx context.Context, clientID string, opts identity.SecretOptions) (identity.SecretInfo, string, error)
	RemoveSecret(ctx context.Context, clientID, keyID string) error
	AssignRole(ctx context.Context, clientID, role, scope string) (identity.RoleAssignment, error)
	ListRoles(ctx context.Context, clientID string) ([]identity.RoleAssignment, error)
	RemoveRole(ctx context.Context, clientID, assignmentID string) error
}

// routeIdentity serves
//
//	/providers/Lockstream.Identity/servicePrincipals[/{appId}]
//	  …/{appId}/secrets[/{keyId}]
//	  …/{appId}/roleAssignments[/{id}]
func (s *Server) routeIdentity(c *call, rest []string) error {
	if s.Identity == nil {
		return newError(http.StatusNotFound, "NotFound", "Identity management is not enabled on this node.")
	}
	if len(rest) == 0 || !strings.EqualFold(rest[0], "servicePrincipals") {
		return newError(http.StatusNotFound, "NotFound", "Unknown identity collection.")
	}
	resource, action := "servicePrincipals", methodAction(c.r.Method)
	if len(rest) >= 3 && strings.EqualFold(rest[2], "roleAssignments") {
		resource = "roleAssignments"
	}
	if err := c.authorize(resource, action); err != nil {
		return err
	}
	err := s.identityOp(c, rest)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return notFound("The service principal, credential or role assignment")
	case errors.Is(err, identity.ErrInvalid):
		return &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Message: err.Error(), Err: err}
	}
	return err
}

func (s *Server) identityOp(c *call, rest []string) error {
	id := s.Identity
	m := c.r.Method
	switch {
	case len(rest) == 1 && m == http.MethodGet:
		ps, next, err := id.ListPrincipals(c.ctx, c.r.URL.Query().Get("$skiptoken"), s.pageSize())
		if err != nil {
			return err
		}
		s.writePage(c, ps, next)
		return nil
	case len(rest) == 1 && m == http.MethodPost:
		var in struct {
			DisplayName string `json:"displayName"`
		}
		if err := c.readBody(&in, true); err != nil {
			return err
		}
		p, err := id.CreatePrincipal(c.ctx, identity.CreatePrincipalOptions{DisplayName: in.DisplayName})
		if err != nil {
			return err
		}
		writeJSON(c.w, http.StatusCreated, p)
		return nil
	case len(rest) == 2 && m == http.MethodGet:
		p, err := id.GetPrincipal(c.ctx, rest[1])
		if err != nil {
			return err
		}
		writeJSON(c.w, http.StatusOK, p)
		return nil
	case len(rest) == 2 && m == http.MethodDelete:
		if err := id.DeletePrincipal(c.ctx, rest[1]); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusOK)
		return nil
	case len(rest) == 3 && strings.EqualFold(rest[2], "secrets") && m == http.MethodPost:
		var in struct {
			DisplayName string `json:"displayName"`
			// Lifetime is a Go duration ("4320h"); empty: the default.
			Lifetime string `json:"lifetime"`
		}
		if err := c.readBody(&in, true); err != nil {
			return err
		}
		var life time.Duration
		if in.Lifetime != "" {
			d, err := time.ParseDuration(in.Lifetime)
			if err != nil {
				return paramError("lifetime", "is not a duration like \"4320h\".")
			}
			life = d
		}
		info, secret, err := id.AddSecret(c.ctx, rest[1], identity.SecretOptions{DisplayName: in.DisplayName, Lifetime: life})
		if err != nil {
			return err
		}
		c.w.Header().Set("Cache-Control", "no-store")
		writeJSON(c.w, http.StatusCreated, map[string]any{"keyId": info.KeyID, "displayName": info.DisplayName, "hint": info.Hint,
			"startDateTime": info.Start, "endDateTime": info.End, "secretText": secret})
		return nil
	case len(rest) == 4 && strings.EqualFold(rest[2], "secrets") && m == http.MethodDelete:
		if err := id.RemoveSecret(c.ctx, rest[1], rest[3]); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusOK)
		return nil
	case len(rest) == 3 && strings.EqualFold(rest[2], "roleAssignments") && m == http.MethodGet:
		ras, err := id.ListRoles(c.ctx, rest[1])
		if err != nil {
			return err
		}
		writeJSON(c.w, http.StatusOK, map[string]any{"value": ras})
		return nil
	case len(rest) == 3 && strings.EqualFold(rest[2], "roleAssignments") && m == http.MethodPost:
		var in struct {
			Role  string `json:"role"`
			Scope string `json:"scope"`
		}
		if err := c.readBody(&in, false); err != nil {
			return err
		}
		// Granting a role is an escalation path: only principals allowed to
		// write role assignments everywhere (Owners at "*") get here, and
		// authorize above already checked that.
		if _, err := auth.ParseScope(in.Scope); err != nil {
			return paramError("scope", "%v", err)
		}
		ra, err := id.AssignRole(c.ctx, rest[1], in.Role, in.Scope)
		if err != nil {
			return err
		}
		writeJSON(c.w, http.StatusCreated, ra)
		return nil
	case len(rest) == 4 && strings.EqualFold(rest[2], "roleAssignments") && m == http.MethodDelete:
		if err := id.RemoveRole(c.ctx, rest[1], rest[3]); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusOK)
		return nil
	}
	return newError(http.StatusNotFound, "NotFound", fmt.Sprintf("No identity route matches %s %s.", m, c.r.URL.Path))
}
