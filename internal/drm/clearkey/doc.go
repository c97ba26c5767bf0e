// Package clearkey implements the signalling and the license wire format of
// W3C Clear Key (key system "org.w3.clearkey"), the one DRM system that
// Lockstream serves licenses for by itself: a Clear Key license is just the
// content keys, so no vendor credentials are involved.
//
// # Init data
//
// [PSSH] builds the W3C common PSSH box (version 1, system ID
// 1077efec-c0b2-4d02-ace3-3c1e52e2fb4b) that lists the key IDs of a stream
// and carries no data. Clear Key CDMs read the key IDs of their license
// request from it; it goes into the init segment and, optionally, into a
// DASH cenc:pssh element.
//
// # License exchange
//
// The CDM's license request is JSON:
//
//	{"kids":["<base64url kid>",…],"type":"temporary"}
//
// and the license is a JWK set:
//
//	{"keys":[{"kty":"oct","kid":"<base64url kid>","k":"<base64url key>"}],"type":"temporary"}
//
// Base64url here is always without padding; Chromium rejects padded values.
// [ParseRequest] reads requests from the network and is strict (see its
// documentation); [Response] writes the JWK set. Which keys a requester may
// receive is decided elsewhere (key policies); this package only encodes.
package clearkey
