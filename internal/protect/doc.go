// Package protect is Lockstream's one protection layer: everything that
// decides how a streamed track is encrypted and how players find its key.
// The origin asks it, per request, for a [Protection]; key delivery shares
// its vocabulary of key types ([KeyType]), its single way of unsealing a
// stored key ([OpenContentKey]) and its key/license URL layout ([URLs]).
//
// # What it owns
//
//   - Keys: [KeySource] supplies a locator's unsealed [ContentKey]s;
//     [StoreKeys] (keys generated or imported through the API, sealed in
//     the store) is the built-in one.
//   - Per-track protection: [Locator.TrackKey] applies the streaming
//     policy (the scheme's default key, keyToTrackMappings, clearTracks).
//   - Media: [Protection] builds protected CMAF init segments (sinf, tenc,
//     one pssh per signalled system; cached per track, key and scheme),
//     encrypts fragments in place (cenc, cbcs; package cenc), seals whole
//     segments (HLS AES-128) and tells the MPEG-TS muxer what to do
//     (AES-128, SAMPLE-AES). [Protection.Supports] and
//     [Protection.IFrames] say which formats a scheme can be delivered in.
//   - Signalling: [Signaller] writes HLS key tags, DASH ContentProtection,
//     the Smooth ProtectionHeader and init-segment PSSH boxes; the
//     built-in [PolicySignaller] signals the systems the streaming policy
//     enables with [URLs] or the policy's custom templates.
//
// A nil *Protection is clear output; its methods then do nothing.
// Refusals wrap [ErrNoKey] or [ErrUnsupported] with a message meant for
// the client; the origin maps them to MPE codes.
//
// # Extension points
//
// A key provider (a CPIX/SPEKE vendor supplying keys and its own DRM
// data) plugs in without touching the origin:
//
//  1. Implement [KeySource] to return the locator's keys (KID, value,
//     type, track selections) from the provider, and set it as
//     [Layer.Keys] where core builds the origin's layer
//     (core/handlers.go, originHandler; the layer is origin.Server's
//     Protect field).
//  2. If the provider also supplies signalling (PSSH, ContentProtection
//     XML, HLS key URIs, a PlayReady header), implement [Signaller] and
//     return it from [Layer.Signaller] for the locators it serves; return
//     nil to fall back to [PolicySignaller]. [PreferVendor] is such a
//     hook for signalling stored with the keys ([ContentKey.Vendor],
//     [VendorSignal]); package keyprovider's Source fills it for
//     locators whose keys came from a CPIX/SPEKE vendor.
//
// A license-server route (a DRM license endpoint in package keydelivery)
// adds its path constant and URL method to [URLs], so the origin's
// built-in signalling and the handler agree on one layout, and uses
// [KeyType] and [OpenContentKey] to find and unseal the key it licenses.
//
// # Concurrency
//
// A [Layer] is configured by its fields, then Initialize; afterwards it
// and every [Locator] are read-only and shared by all requests. A
// [Protection] belongs to one request.
package protect
