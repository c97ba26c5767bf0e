// Package keydelivery serves content keys and DRM licenses to players,
// released only when the request satisfies the content key policy the
// locator's key names.
//
// Paths live under Prefix on the API listener, one tree per account
// (identified by its mediaServiceId, as AMS identified it by host name):
//
//	GET|POST {Prefix}/{mediaServiceId}/?kid={kid}           HLS AES-128 key (16 raw bytes)
//	POST     {Prefix}/{mediaServiceId}/ClearKey/            W3C Clear Key license (JWK set)
//	POST     {Prefix}/{mediaServiceId}/PlayReady/           PlayReady license
//	POST     {Prefix}/{mediaServiceId}/Widevine/?kid={kid}  Widevine license
//	POST     {Prefix}/{mediaServiceId}/FairPlay/?kid={kid}  FairPlay CKC
//
// The origin writes these URLs into manifests (see URLs); a streaming
// policy's custom acquisition URL templates replace them.
package keydelivery
