// Package ksm is Lockstream's FairPlay Streaming key server (KSM): it
// answers an SPC with a CKC for a content key that key delivery already
// granted, with the FPS credentials of the content key policy's
// FairPlayConfiguration (ask, fairPlayPfx, fairPlayPfxPassword), as AMS
// did.
//
// # Protocol (from the public SPC/CKC descriptions)
//
// SPC v1/v2: version, reserved, IV, the SPC key (SPCK) RSA-OAEP-wrapped to
// the FPS certificate (1024-bit/SHA-1 for v1, 2048-bit/SHA-256 for v2),
// the SHA-1 of that certificate, then AES-128-CBC(SPCK, IV) of TLLV
// blocks. ParseContainer and ParseData check every length; Container.Open
// unwraps with the PFX's private key. The [SK..R1] block is decrypted
// with DASk = D(R2, ASk) and checked against its integrity TLLV. The CKC
// (CKC.Build) carries the content key encrypted with SK and its IV, R1,
// the TLLVs the client asked back, and — only when the SPC had a media
// playback state — the key duration (lease/rental/persistence) or, for
// AMS's DualExpiry and clients that report the capability, the offline
// key TLLV (DurationFor maps rentalAndLeaseKeyType). SPC v3 (FPS SDK 26
// transport) derives its keys from constants shipped only with Apple's
// SDK and is refused as an unsupported version.
//
// # The derivation helper (plug-in boundary)
//
// Apple's D function ships with the operator's FPS SDK under Apple's
// license and is not in this repository. The operator builds a small
// program from the SDK that speaks this line protocol on stdin/stdout
// (one request line, one answer line, ASCII, '\n'-terminated, hex lower
// or upper case):
//
//	PING                        → PONG <free text naming the implementation>
//	DASK <ASk: 32 hex> <R2 hex> → OK <DASk: 32 hex>
//	                            → ERR <reason>
//
// Helper starts it once (Initialize runs PING as a health check, so a
// broken helper stops the node at start), sends one request at a time,
// and kills and restarts it when it misses the timeout, exits or answers
// anything else. Configure it with --keydelivery-fairplay-helper (the
// program's path). Tests use the stand-in derivation of package ksmtest,
// which is HMAC-based and NOT Apple's D function.
//
// # Wire forms
//
// The body may be the AMS/Shaka form "spc=<base64>", JSON {"spc":"…"},
// the base64 alone or the binary SPC; the answer is AMS's
// "<ckc>base64</ckc>" (JSON {"ckc":"…"} for JSON requests). The asset id
// inside the SPC must name the kid of the license URL (an skd:// URI as
// Lockstream writes it, or the key id). Every bad SPC is a 4xx with a
// reason; an SPC answered once is refused for ReplayWindow.
package ksm
