// Package keys holds content-key material: 16-byte key and key-id types,
// random generation, and the envelope that seals secrets at rest with
// AES-256-GCM under a key-encryption key (KEK). Sealed blobs name the KEK
// that made them, so a keyring can open blobs sealed under older KEKs while
// a re-wrap moves them to the current one.
package keys
