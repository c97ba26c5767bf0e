// Package signkeys keeps a service's JWT signing keys: RS256 or ES256 keys
// that rotate on a schedule, are sealed under the key-encryption key and
// are shared between nodes through the store. Package identity (management
// API access tokens) and package sts (playback tokens) each own a Ring;
// they keep only what is theirs: the record kind and scope, the algorithms
// they offer (sts adds a configured HS256 key, which never lives here),
// their configuration and its validation.
//
// # Rotation model
//
// One key signs at a time, for Lifetime. Its successor is created and
// published in the JWKS PrePublish before that lifetime ends, but only
// starts signing when it does: verifiers that cache the JWKS learn the new
// key before they see a token signed with it. An old key stays published
// for Overlap after a newer key took over, long enough for the last token
// it signed to expire (and for nodes with a stale cache to catch up); then
// it retires, verifies nothing, and Maintain deletes its record. Rotate
// forces a key that signs at once; Remove revokes one at once and, when it
// was signing, replaces it in the same transaction.
//
// # Storage
//
// Each key is a store record of the service's kind under its scope, named
// by a zero-padded sequence number, with the kid (RFC 7638 thumbprint) as
// its ID. The record's document holds the public JWK, the algorithm and
// the activation time; its Secret holds the PKCS #8 private key sealed
// with the record's AAD, so a sealed key only opens as the record it was
// written for. A node unseals a private key when it first signs with it.
// Clean-up always keeps the newest record, so numbers never repeat.
//
// # Several nodes
//
// Nodes do not coordinate beyond the store. Every rotation decision is a
// pure function of the records and the clock, so nodes reading the same
// records agree. When several nodes find a key due at once (typically all
// starting together on an empty store), each generates a key, re-checks
// inside a transaction and creates record number n+1; the store lets only
// one Create of that name succeed, and the others discard their key and
// read the winner's. Each node caches the key set for CacheTTL; a verifier
// meeting an unknown kid may ask for an early reload.
package signkeys
