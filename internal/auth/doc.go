// Package auth authenticates management API callers and decides what their
// roles allow.
//
// # Authentication
//
// [JWT] verifies "Authorization: Bearer <jwt>" access tokens issued by
// Lockstream's own token endpoint (package identity). It trusts only keys
// from a [KeySet] (looked up by kid, never from token headers), only the
// RS256 and ES256 algorithms, only the configured issuers and audience, and
// only principals that still exist in the [Directory]. Failures are
// [*TokenError] values that wrap [ErrUnauthenticated]; [Challenge] renders
// the RFC 6750 WWW-Authenticate header for them.
//
// # Authorization
//
// [Allowed] is a pure function over a [Principal]'s role assignments and a
// fixed role × resource table (see ROLES.md next to this file). Roles are
// scoped to one account, by its lower-case ARM path, or to every account
// ([ScopeAll]).
//
// The sub-package claims holds the strict JOSE header and claim parsing
// shared with package identity.
package auth
