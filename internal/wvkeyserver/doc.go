// Package wvkeyserver is Lockstream's Widevine common-encryption key
// server: the `getcontentkey` JSON protocol that packagers such as Shaka
// Packager (--enable_widevine_encryption --key_server_url … --signer …
// --aes_signing_key … --aes_signing_iv …) use to obtain content keys and
// Widevine PSSH data, served at
// POST {api}/keyexchange/{mediaServiceId}/widevine/getcontentkey.
//
// The wire format follows the public description (drm-and-tokens.md §4.4
// and shaka-packager's BSD-licensed widevine_common_encryption.proto): the
// body is {"request": base64(JSON CommonEncryptionRequest), "signature":
// base64, "signer": name}; the signature is AES-256-CBC with the signer's
// key and IV over SHA-1 of the request bytes (PKCS#5-padded as Shaka
// Packager does, or zero-padded as Google's proxy sample does; both are
// accepted). The answer is {"response": base64(JSON
// CommonEncryptionResponse)} with a status and, per requested track type
// (and crypto period when rotating), a key id, key and WidevinePsshData.
//
// A request may name its content by pssh_data instead of content_id (a
// packager decrypting or re-packaging): the PSSH's content id selects the
// same keys, and bare key ids are looked up, never minted
// (KEY_ID_MISMATCH when unknown).
//
// Keys are ordinary key-exchange keys (package keyexchange): one per
// (account, content id, track type, crypto period), the same on every
// request, referencable by kid from streaming locators. Signers are
// per-account credentials managed under /keyexchange/{msid}/widevineSigners.
//
// Lockstream is not Google's license service: the PSSH data names
// Lockstream's keys, and licenses for real Widevine CDMs still need a
// Widevine license service that shares them (CPIX export).
package wvkeyserver
