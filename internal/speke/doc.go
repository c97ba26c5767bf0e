// Package speke is Lockstream's SPEKE v2.0/v2.1 key provider: POST
// {api}/speke/v2/{mediaServiceId} with a CPIX 2.3 (SPEKE 2.0) or 2.4
// (SPEKE 2.1) request, as AWS Elemental encoders/packagers, Shaka
// Packager, Unified Streaming and others send it. The response fills each
// ContentKey with the account's key for (CPIX@contentId, kid) — minted
// and stored on first request, the same key ever after — and each
// requested DRMSystem element with Lockstream's signalling: PSSH boxes,
// DASH ContentProtection children, HLS EXT-X-KEY / EXT-X-SESSION-KEY lines,
// the Smooth Streaming protection header and the legacy URIExtXKey, all
// pointing at Lockstream's key delivery (internal/keydelivery), so the
// content plays against Lockstream and a streaming locator may reference
// the same kids.
//
// Authentication: a management bearer token whose principal may write
// streaming locators in the account (the right that reveals content keys),
// or a per-account API key in X-Api-Key (see package keyexchange) for
// encoders that cannot do OAuth2.
//
// Errors follow the SPEKE v2 contract: a text/plain message, HTTP 422 for
// requests that break the SPEKE profile ("Missing CPIX@contentId",
// "Unsupported CPIX@version", "Missing ContentKey@commonEncryptionScheme
// for KID …", "Non compliant ContentKey@commonEncryptionScheme
// combination", "Unsupported SPEKE version", …), 400 for documents that are
// not CPIX, 413 above the size cap, 401/403/404 for authentication,
// authorisation and unknown accounts. Every response carries
// X-Speke-Version and X-Speke-User-Agent.
package speke
