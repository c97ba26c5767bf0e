// Package drm holds what the DRM systems Lockstream signals have in common:
// their system IDs, the ISO/IEC 23001-7 protection-system-specific header
// ("pssh") box, and the expansion of the URL templates of AMS streaming
// policies.
//
// Lockstream packages content with Common Encryption and tells players how
// to get keys; it does not issue Widevine, PlayReady or FairPlay licenses
// (those need vendor credentials). Each DRM system's signalling lives in its
// own sub-package, one format each:
//
//   - [github.com/lockstream/lockstream/internal/drm/clearkey]: the W3C
//     common PSSH box and the Clear Key license request and response.
//   - [github.com/lockstream/lockstream/internal/drm/widevine]: the
//     WidevinePsshData protobuf and its PSSH and HLS forms.
//   - [github.com/lockstream/lockstream/internal/drm/playready]: the
//     WRMHEADER, the PlayReady Object, CHECKSUM and key-seed derivation.
//   - [github.com/lockstream/lockstream/internal/drm/fairplay]: skd:// key
//     URIs.
//
// # Byte order of key IDs
//
// Every [keys.KID] here is in UUID (big-endian) byte order, the order of the
// tenc box and of PSSH key lists. Only the playready package converts to the
// little-endian GUID order that PlayReady headers use.
//
// # PSSH boxes
//
// [PSSH] is a plain value that builds on the mp4ff box type, so that a
// caller can either insert [PSSH.Box] into an init segment's moov or send
// the bytes of [PSSH.Marshal] in a manifest or a CPIX document. [ParsePSSH]
// and [ParsePSSHBoxes] read boxes that come from outside (EME init data,
// CPIX, key servers) and are therefore strict: sizes must agree, flags must
// be zero and a box may not exceed [MaxPSSHSize].
//
// Everything in this package is immutable or a plain value; there is no
// package state.
package drm
