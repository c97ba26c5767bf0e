// Package keyexchange holds what Lockstream's key-exchange endpoints
// share: the account a request names (by mediaServiceId, as key delivery
// does), the credentials of encoders that cannot do OAuth2 (per-account
// API keys for SPEKE, Widevine key-server signers), and the minting of
// content keys for (account, content id, kid) so that the same pair always
// gets the same key.
//
// Minted keys live in the store's cpix_keys table, sealed like every other
// content key; their kid is unique in the account, so a streaming locator
// can reference one and Lockstream's own origin and key delivery serve the
// content an outside packager encrypted.
//
// Credentials are resources of two Lockstream-only kinds under the
// account (KindAPIKey, KindWidevineSigner) whose secrets are sealed in the
// resource's Secret: `keys rewrap` covers them, deleting the account
// removes them, and no read returns them. API keys are 256-bit random
// values, so a sealed copy compared in constant time protects them as well
// as a slow hash would, without an argon2 cost on every SPEKE request.
//
// Management (API keys and signers) is under
// {api}/keyexchange/{mediaServiceId}/ and needs a management bearer token
// whose principal may write streaming locators in the account (the right
// that also reveals content keys; see auth/ROLES.md).
package keyexchange
