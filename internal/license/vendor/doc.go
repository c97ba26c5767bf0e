// Package vendor forwards license challenges to multi-DRM vendors for
// accounts that take their Widevine, PlayReady or FairPlay licenses from
// one. The player keeps the AMS-style license URL and its token; key
// delivery has already checked the token against the content key policy
// (AMS semantics, maxuses, kid binding) before a request gets here, so an
// unentitled player never reaches the vendor. Lockstream then authorizes
// the request with the vendor's own mechanism, built from the license
// template of the option that granted the key (Usage):
//
//   - Axinom: an entitlement message (content_keys_source with the key
//     inline, wrapped under the communication key; a usage policy from
//     the template; license persistence and durations) in a JWT signed
//     HS256 with the communication key, header X-AxDRM-Message.
//   - PallyCon/DoveRunner: the license token (drm_type, site_id, user_id,
//     cid, AES-256-CBC-encrypted policy with playback_policy and the key
//     as external_key, timestamp, SHA-256 hash with the access key) in
//     the pallycon-customdata-v2 header.
//   - Generic: headers, query and body with placeholders, for an
//     operator-run license server (PlayReady Server SDK) or any vendor.
//
// The vendor's answer (license bytes, CKC) is returned as it came.
package vendor
