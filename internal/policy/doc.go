// Package policy decides whether a key or license request may have a
// content key, by evaluating a content key policy the way Azure Media
// Services did.
//
// # Evaluation
//
// [Evaluator.Evaluate] walks the policy's options in order. An option
// applies when its configuration serves the requested [Kind] (the Clear Key
// configuration serves both the HLS AES-128 envelope key and W3C Clear Key
// licenses) and its restriction passes: an open restriction always passes,
// a token restriction passes when the request's token verifies and carries
// what the restriction requires. The first option that applies wins and is
// returned as a [Decision]. Nothing is fetched or counted for options that
// do not serve the requested kind.
//
// When no option applies, the error is an [*Error] wrapping one of:
//
//   - [ErrUnauthenticated] (HTTP 401): no token, or a token that does not
//     verify: bad signature, wrong issuer or audience, expired, malformed,
//     or a max-uses token already used up.
//   - [ErrForbidden] (HTTP 403): a token that verifies but does not entitle
//     the caller: a required claim missing or different, or a content key
//     identifier claim naming another key. Also used, with [ErrNoOption],
//     when no option serves the requested kind.
//   - [ErrUnavailable] (HTTP 503): the keys needed to verify the token could
//     not be fetched, or the use counter failed.
//
// When several options fail, the most specific failure is reported
// (forbidden before unavailable before unauthenticated): a caller whose
// token verified against some option learns that it lacks entitlement,
// not that it failed options meant for other issuers. Each [*Error] has a
// short public message safe for a response body and a detailed Reason for
// logs. Neither ever holds the token, a signature or key bytes; claim values
// that appear in reasons are quoted and truncated.
//
// # Tokens
//
// JWTs are compact JWS (never JWE) signed with HS256/384/512,
// RS256/384/512, PS256 or ES256. The algorithm a key may verify is fixed by
// the key, never by the token header (RFC 8725 §3.1): symmetric keys verify
// HS* only; RSA keys (modulus/exponent or an X.509 certificate) RS*/PS*
// only; keys from an OpenID Connect JWKS verify what their kty, crv and alg
// allow, and symmetric ("oct") JWKS entries are ignored because a JWKS is a
// public document. Headers may carry only alg, kid, typ, x5t and x5t#S256;
// crit, jku, x5u, jwk, x5c, b64, zip and anything else make the token
// invalid, so no key named by a token is ever fetched or trusted. kid is
// only a lookup key. Header and claims must be valid UTF-8 JSON objects
// without duplicate member names; exp, nbf must be integer NumericDates.
// Tokens longer than Config.MaxTokenBytes (default 8 KiB) are refused
// before any decoding. exp is required, as by the .NET token handler AMS
// used.
//
// SWTs (Simple Web Token 0.9.5.1) are form-encoded pairs ending with
// HMACSHA256, an HMAC-SHA256 over the exact received bytes before
// "&HMACSHA256=" (never re-encoded), compared in constant time. Issuer,
// Audience and ExpiresOn are required. Duplicate names are refused. SWT
// claim values are compared as single strings; a comma in a value is not
// a list separator.
//
// # Claims
//
// iss and the SWT Issuer equal the restriction's issuer exactly; aud (a
// string or an array) and the SWT Audience contain its audience exactly.
// exp and nbf are checked with Config.ClockSkew, 5 minutes by default:
// the .NET handler AMS used defaults to 5 minutes, and the AMS samples
// issue tokens with nbf a few minutes in the past, so a smaller default
// would break clients migrating with their token issuers unchanged.
//
// A required claim without a value must be present (not null, not an empty
// array); with a value, one of the claim's values must equal it exactly.
// Strings compare as they are, numbers by their shortest decimal form
// (2, 2.0 and 2e0 are all "2"), booleans as "true" and "false", and arrays
// (for example groups) match when any element matches.
//
// The content key identifier claim ([defs.ContentKeyIdentifierClaim]) binds a
// token to one key: when a token carries it, its value (a GUID, optionally
// prefixed "nb:kid:UUID:") must decode to the requested KID, whether or not
// the restriction requires the claim; a required claim without a value
// demands its presence, and one with a value also demands that value. GUIDs
// are compared as decoded bytes, never as strings.
//
// # Max uses
//
// A token carrying [MaxUsesClaim] may be used that many times. It is
// identified by the SHA-256 of its signature (for ES256 the low-S form, so
// that the second valid signature of the same token does not count afresh).
// Tokens with the claim must expire within [MaxUsesLifetime] (1 hour) of
// the request. Uses are counted through [UseCounter] only once everything
// else passed, so a refused request does not spend a use.
// [MemoryUseCounter] serves a single replica; replicas sharing work need a
// shared, atomic store.
//
// # OpenID Connect
//
// A token restriction with openIdConnectDiscoveryDocument takes its keys
// (in addition to any configured ones) from the discovery document's
// jwks_uri. The document's issuer must equal the restriction's issuer
// (OpenID Connect Discovery §4.3). Keys are cached per discovery URL and
// issuer; the set is refreshed when older than Config.JWKSMaxAge or when
// a token names an unknown kid, at most once per
// Config.JWKSMinRefreshInterval, and concurrent callers share one fetch.
// A failed refresh keeps the previous keys. Documents are fetched over
// https only (http when Config.AllowInsecureDiscovery is set, for tests),
// with a size limit and a timeout; a redirect may not downgrade the scheme.
// Every fetch goes through the node's outbound-request guard
// (Config.Outbound, package netguard): a policy writer cannot make the
// server connect to loopback, private, link-local or other internal
// addresses, however spelled, through DNS or through a redirect.
//
// # Token location
//
// [TokenFromRequest] takes the token from "Authorization: Bearer <t>", the
// token query parameter (Safari and other native HLS players cannot set
// headers), or the legacy Bearer=<t> form of Azure Media Player in the
// query, a form body or the Authorization header. The decision is the same
// whichever carries it.
package policy
