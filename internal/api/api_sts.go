package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/sts"
)

// stsAdmin is the part of the playback token service the API exposes:
// its users, their groups, claims and secrets.
type stsAdmin interface {
	CreateUser(ctx context.Context, opts sts.UserOptions) (sts.User, string, error)
	GetUser(ctx context.Context, name string) (sts.User, error)
	ListUsers(ctx context.Context, after string, limit int) ([]sts.User, string, error)
	DeleteUser(ctx context.Context, name string) error
	SetSecret(ctx context.Context, name, secret string) (string, error)
	ClearSecret(ctx context.Context, name string) error
	AddGroup(ctx context.Context, name, group string) (sts.User, error)
	RemoveGroup(ctx context.Context, name, group string) (sts.User, error)
	SetClaim(ctx context.Context, name, claim string, value json.RawMessage) (sts.User, error)
}

// routeSTS serves
//
//	/providers/Lockstream.Sts/users[/{name}]
//	  …/{name}/secret                 POST: new secret (generated or given), DELETE: none
//	  …/{name}/groups/{group}         PUT, DELETE
//	  …/{name}/claims/{claim}         PUT (body: the JSON value), DELETE
//
// Users are entitlements, as powerful as identities: they are authorized
// like service principals (global; writes need Owner on "*").
func (s *Server) routeSTS(c *call, rest []string) error {
	if s.STS == nil {
		return newError(http.StatusNotFound, "NotFound", "The token service is not enabled on this node.")
	}
	if len(rest) == 0 || !strings.EqualFold(rest[0], "users") {
		return newError(http.StatusNotFound, "NotFound", "Unknown token service collection.")
	}
	if err := c.authorize(auth.ResServicePrincipals, methodAction(c.r.Method)); err != nil {
		return err
	}
	err := s.stsOp(c, rest)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return notFound("The user, group or claim")
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "Conflict", Message: "A user with this name already exists.", Err: err}
	case errors.Is(err, sts.ErrInvalid):
		return &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Message: err.Error(), Err: err}
	}
	return err
}

func (s *Server) stsOp(c *call, rest []string) error {
	svc, m := s.STS, c.r.Method
	sub := ""
	if len(rest) >= 3 {
		sub = strings.ToLower(rest[2])
	}
	switch {
	case len(rest) == 1 && m == http.MethodGet:
		us, next, err := svc.ListUsers(c.ctx, c.r.URL.Query().Get("$skiptoken"), s.pageSize())
		if err != nil {
			return err
		}
		s.writePage(c, us, next)
		return nil
	case len(rest) == 1 && m == http.MethodPost:
		var in struct {
			Name        string                     `json:"name"`
			DisplayName string                     `json:"displayName"`
			Groups      []string                   `json:"groups"`
			Claims      map[string]json.RawMessage `json:"claims"`
			// Secret is an operator-chosen secret; without it one is
			// generated and returned once, unless NoSecret.
			Secret   string `json:"secret"`
			NoSecret bool   `json:"noSecret"`
		}
		if err := c.readBody(&in, false); err != nil {
			return err
		}
		if in.NoSecret && in.Secret != "" {
			return paramError("noSecret", "cannot be combined with secret.")
		}
		u, secret, err := svc.CreateUser(c.ctx, sts.UserOptions{Name: in.Name, DisplayName: in.DisplayName,
			Groups: in.Groups, Claims: in.Claims, Secret: in.Secret, GenerateSecret: !in.NoSecret})
		if err != nil {
			return err
		}
		writeUser(c, http.StatusCreated, u, secret)
		return nil
	case len(rest) == 2 && m == http.MethodGet:
		u, err := svc.GetUser(c.ctx, rest[1])
		if err != nil {
			return err
		}
		writeJSON(c.w, http.StatusOK, u)
		return nil
	case len(rest) == 2 && m == http.MethodDelete:
		if err := svc.DeleteUser(c.ctx, rest[1]); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusOK)
		return nil
	case len(rest) == 3 && sub == "secret" && m == http.MethodPost:
		var in struct {
			Secret string `json:"secret"`
		}
		if err := c.readBody(&in, true); err != nil {
			return err
		}
		secret, err := svc.SetSecret(c.ctx, rest[1], in.Secret)
		if err != nil {
			return err
		}
		u, err := svc.GetUser(c.ctx, rest[1])
		if err != nil {
			return err
		}
		writeUser(c, http.StatusOK, u, secret)
		return nil
	case len(rest) == 3 && sub == "secret" && m == http.MethodDelete:
		if err := svc.ClearSecret(c.ctx, rest[1]); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusOK)
		return nil
	case len(rest) == 4 && sub == "groups" && (m == http.MethodPut || m == http.MethodDelete):
		op := svc.AddGroup
		if m == http.MethodDelete {
			op = svc.RemoveGroup
		}
		u, err := op(c.ctx, rest[1], rest[3])
		if err != nil {
			return err
		}
		writeJSON(c.w, http.StatusOK, u)
		return nil
	case len(rest) == 4 && sub == "claims" && (m == http.MethodPut || m == http.MethodDelete):
		value := json.RawMessage(`null`)
		if m == http.MethodPut {
			b, err := c.body()
			if err != nil {
				return err
			}
			if !json.Valid(b) || strings.TrimSpace(string(b)) == "null" {
				return badRequest("InvalidRequestContent", "The request body must be the claim's JSON value (not null; DELETE removes a claim).")
			}
			value = b
		}
		u, err := svc.SetClaim(c.ctx, rest[1], rest[3], value)
		if err != nil {
			return err
		}
		writeJSON(c.w, http.StatusOK, u)
		return nil
	}
	return newError(http.StatusNotFound, "NotFound", fmt.Sprintf("No token service route matches %s %s.", m, c.r.URL.Path))
}

// writeUser answers with a user and, once, its new secret.
func writeUser(c *call, status int, u sts.User, secret string) {
	if secret == "" {
		writeJSON(c.w, status, u)
		return
	}
	c.w.Header().Set("Cache-Control", "no-store")
	writeJSON(c.w, status, struct {
		sts.User
		SecretText string `json:"secretText"`
	}{u, secret})
}
