// Package sts is Lockstream's security token service: it issues playback
// tokens (JWTs) that content key policies with a token restriction
// accept, for operators who have no token issuer of their own. Any
// external OpenID Connect provider plugs in the same way, through a
// policy's openIdConnectDiscoveryDocument.
//
// # Endpoints
//
// Mounted under the issuer's path (by default /sts on the API listener):
//
//	POST {issuer}/token
//	GET  {issuer}/.well-known/openid-configuration
//	GET  {issuer}/jwks
//
// A content key policy trusts the service with issuer = Config.Issuer,
// audience = Config.Audience and either openIdConnectDiscoveryDocument =
// Config.Issuer + "/.well-known/openid-configuration" (RS256, ES256) or
// the configured HMAC key as its symmetric verification key (HS256).
//
// # Token requests
//
// The body is application/x-www-form-urlencoded or application/json with
// the same parameter names; parameters in the URL, unknown parameters and
// repeated parameters are refused (a misspelt maxuses must not produce an
// unlimited token). Every request is authenticated one of two ways:
//
//   - The user's own credential: grant_type=password with username and
//     password, or grant_type=client_credentials with client_id and
//     client_secret (both also as HTTP Basic). Users get a secret when
//     created, or later with SetSecret; it is stored as a sealed argon2id
//     hash, and an unknown user costs the same hash as a wrong secret.
//   - An operator on behalf of a user: grant_type=GrantOnBehalfOf, user=
//     <name> and "Authorization: Bearer <management API token>" of a
//     principal that may write service principals (an Owner on "*"). This
//     is for an operator's web application that authenticates its viewers
//     itself. It needs Config.Operators.
//
// Nothing is issued to anyone else: failed authentication is 401
// invalid_client without saying which part was wrong; an operator without
// the right is 403.
//
// Optional parameters narrow the token: maxuses (1 to Config.MaxUses; the
// token then lives at most MaxUsesLifetime, since key delivery refuses
// max-uses tokens expiring more than an hour ahead) and
// contentkeyidentifier (a key id GUID the token is bound to). They only
// ever restrict a token, so every authenticated caller may ask for them.
//
// The answer is RFC 6749's {"access_token","token_type":"Bearer",
// "expires_in"}, never cached; errors are {"error","error_description"}.
//
// # Tokens
//
// Claims: iss, aud, sub (the user's id), iat, nbf, exp, jti (random, so
// every token and its signature are unique: max-uses counters are keyed by
// signature), groups (the user's groups, when it has any), the user's
// extra claims, and the requested AMS claims. The header carries alg, kid
// and typ "JWT".
//
// # Keys
//
// RS256 (RSA, at least 2048 bits) and ES256 (P-256) keys are generated,
// sealed under the key-encryption key and kept in the store, so every node
// signs with the same keys and rotation survives restarts. One key signs
// for Keys.Lifetime; its successor is published in the JWKS
// Keys.PrePublish before it starts signing, and a key stays published for
// Keys.Overlap after it stopped, so the last token it signed verifies until
// it expires. Nodes agree without coordination: key records are numbered
// and the store lets only one node create each number. Rotate forces a new
// key; RemoveKey revokes one at once. The mechanism is package signkeys,
// shared with package identity; sts supplies its record kind, scope and
// KeyConfig.
//
// HS256 uses the configured key (Keys.HMACKey), which policies must hold
// too; it is never published (the JWKS is empty) and rotates through
// configuration and the policies' alternate verification keys.
//
// # Entitlements
//
// Users, their groups and extra claims live in the store (store.User) and
// are managed through Service methods, which the CLI (lockstream user …)
// and the management API call.
package sts
