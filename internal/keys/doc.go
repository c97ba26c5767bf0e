// Package keys holds content-key material: 16-byte key and key-id types,
// random generation, and the envelope that seals secrets at rest with
// AES-256-GCM under a key-encryption key (KEK). Sealed blobs name the KEK
// that made them, so a keyring can open blobs sealed under older KEKs while
// a re-wrap moves them to the current one.
//
// # Values that must not leak
//
// [Key] and [KEK] print, marshal as text and log only as redacted
// placeholders; errors never include key material or plaintext. Code that
// must reveal a content key (a license response) calls [Key.Base64] or
// [Key.Base64URL] explicitly.
//
// # Envelope
//
// A sealed blob is
//
//	version (1 byte) = 1 | KEK id (4) | nonce (12) | ciphertext | tag (16)
//
// sealed with AES-256-GCM. The GCM additional data is the 5-byte header
// followed by the caller's associated data (for stored secrets, a string
// naming where the blob lives), so a blob moved elsewhere, or a header
// edited, fails to open. Every Seal reads a fresh random 12-byte nonce from
// an injected reader (crypto/rand.Reader in production); nonces are never
// derived or counted. A KEK id is the first 4 bytes of SHA-256 over a
// domain-separating prefix and the key, so it names the KEK without
// revealing it.
//
// # Concurrency
//
// [KID], [Key] and [KEK] are immutable values. A [Keyring] is immutable
// after construction and safe for concurrent use.
package keys
