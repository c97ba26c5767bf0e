// Package license holds what a license route gets and gives once key
// delivery has checked the token: the request (kind, granted keys with
// the policy option that granted each, the raw challenge) and the answer
// (status, headers, body), plus a typed refusal.
//
// Key delivery (package keydelivery) produces [Request] after the policy
// evaluation and calls whatever implements its consumer-side licenser
// interface; [Router] dispatches by DRM kind to the FairPlay key server
// (package drm/fairplay/ksm), the Widevine license proxy and the vendor
// proxies. A kind nobody serves answers [ErrNotConfigured], which key
// delivery turns into 501, as before any license route existed.
package license
