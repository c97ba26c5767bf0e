package api

import (
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/identity"
)

// authorize checks the caller's roles for one operation on a resource type
// of the current account; 403 when not allowed.
func (c *call) authorize(resource string, action auth.Action) error {
	acct := ""
	if c.acct != nil {
		acct = c.acct.scope()
	}
	if auth.Allowed(c.principal, acct, resource, action) {
		return nil
	}
	return &Error{Status: http.StatusForbidden, Code: "AuthorizationFailed",
		Message: "The client '" + c.principal.ID + "' does not have authorization to perform action '" + string(action) + "' on '" + resource + "' at this scope.",
		Err:     auth.ErrForbidden}
}

// methodAction maps a resource request method to an RBAC action.
func methodAction(method string) auth.Action {
	switch method {
	case http.MethodGet, http.MethodHead:
		return auth.Read
	case http.MethodDelete:
		return auth.Delete
	}
	return auth.Write
}

// audit records a management write (anything but GET) with its outcome.
// Audit failures are logged by the auditor and never fail the request.
func (c *call) audit(status int) {
	if c.s.Audit == nil || c.r.Method == http.MethodGet || c.r.Method == http.MethodHead {
		return
	}
	outcome := identity.OutcomeSuccess
	if status >= 400 {
		outcome = identity.OutcomeFailure
	}
	action := strings.ToLower(c.r.Method)
	_ = c.s.Audit.Audit(c.ctx, identity.Event{
		Time:      c.now,
		Principal: c.principal.ID,
		Action:    "management/" + action,
		Resource:  c.r.URL.Path,
		Outcome:   outcome,
		Status:    status,
		RequestID: httpx.ID(c.ctx),
	})
}
