// Package ksmtest is the other side of the FairPlay key server for tests:
// a client that builds SPCs and opens CKCs, written from the public
// SPC/CKC structure with its own RSA key, certificate and ASk, and a
// STAND-IN key derivation.
//
// The stand-in is NOT Apple's D function (which ships only with the FPS
// SDK, under Apple's license, and is not in this repository). It is
// HMAC-SHA256 over R2 keyed with the ASk, truncated to 16 bytes: enough
// to exercise every other step of the protocol on both sides. CKCs it
// leads to are useless to real Apple devices, which is the point.
package ksmtest
