package auth

import (
	"errors"
	"fmt"
	"strings"
)

// Role names a built-in role. The names are what role assignments store and
// what access tokens carry in their roles claim.
type Role string

// Built-in roles; ROLES.md describes what each may do.
const (
	RoleOwner                          Role = "Owner"
	RoleContributor                    Role = "Contributor"
	RoleReader                         Role = "Reader"
	RoleAccountAdministrator           Role = "Account Administrator"
	RoleMediaOperator                  Role = "Media Operator"
	RolePolicyAdministrator            Role = "Policy Administrator"
	RoleStreamingEndpointAdministrator Role = "Streaming Endpoint Administrator"
)

// Roles returns every built-in role in a stable order.
func Roles() []Role {
	return []Role{
		RoleOwner, RoleContributor, RoleReader, RoleAccountAdministrator,
		RoleMediaOperator, RolePolicyAdministrator, RoleStreamingEndpointAdministrator,
	}
}

// ErrInvalidRole and ErrInvalidScope report a role assignment that names an
// unknown role or a malformed scope.
var (
	ErrInvalidRole  = errors.New("auth: unknown role")
	ErrInvalidScope = errors.New("auth: invalid role scope")
)

// ParseRole returns the built-in role named s, compared case-insensitively
// so that "media operator" and "Media Operator" are the same role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if strings.EqualFold(string(r), strings.TrimSpace(s)) {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w %.64q", ErrInvalidRole, s)
}

// ScopeAll scopes a role assignment to every account and to the global
// identity resources (servicePrincipals, roleAssignments).
const ScopeAll = "*"

// RoleAssignment grants Role on Scope: ScopeAll or one account's lower-case
// ARM path ("/subscriptions/s/resourcegroups/rg/providers/microsoft.media/
// mediaservices/a").
type RoleAssignment struct {
	Role  Role
	Scope string
}

// ParseScope validates a role-assignment scope and returns its canonical
// form: ScopeAll, or the account's ARM path lower-cased without a trailing
// slash. Anything else, including a path to a resource inside an account,
// is refused: assignments are per account so that Allowed stays a simple
// comparison.
func ParseScope(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == ScopeAll {
		return ScopeAll, nil
	}
	p := strings.ToLower(strings.TrimSuffix(s, "/"))
	seg := strings.Split(p, "/")
	// "", subscriptions, s, resourcegroups, rg, providers, microsoft.media, mediaservices, a
	if len(seg) != 9 || seg[0] != "" || seg[1] != "subscriptions" || seg[3] != "resourcegroups" ||
		seg[5] != "providers" || seg[6] != "microsoft.media" || seg[7] != "mediaservices" {
		return "", fmt.Errorf("%w: %.200q is neither %q nor an account path /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Media/mediaservices/{account}", ErrInvalidScope, s, ScopeAll)
	}
	for _, i := range []int{2, 4, 8} {
		if seg[i] == "" || strings.ContainsAny(seg[i], " \t\r\n?#\\") {
			return "", fmt.Errorf("%w: empty or malformed segment in %.200q", ErrInvalidScope, s)
		}
	}
	return p, nil
}
