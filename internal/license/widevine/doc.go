// Package widevine is the Widevine license proxy: Lockstream cannot mint
// Widevine licenses (that needs Google's service certificate and device
// validation), so it forwards the CDM's challenge to Google's Widevine
// license service with the operator's provider credentials, in the
// public proxy envelope (reference §4.4):
//
//	POST <license server URL>
//	{"request": base64(message), "signature": base64(sig), "signer": "<provider>"}
//
// where message is the JSON license message — payload (the challenge),
// provider, allowed_track_types, content_key_specs (key_id and key from
// the locator, track_type, security_level and required_output_protection
// from the AMS widevineTemplate), policy_overrides (from the template) —
// and sig is AES-256-CBC(provider key, provider IV, SHA-1(message)) or
// RSASSA-PSS/SHA-1 with the provider's RSA key. The service answers JSON
// with status and license; the license bytes go back to the player.
// Service-certificate requests (the two-byte challenge 08 04) travel the
// same way without keys.
package widevine
