// Package cenc encrypts media on the fly for the origin: Common Encryption
// of CMAF fragments (ISO/IEC 23001-7 schemes 'cenc' and 'cbcs'), HLS
// AES-128 whole-segment encryption, and the HLS SAMPLE-AES sample
// encryption of MPEG-TS (Apple, "MPEG-2 Stream Encryption Format for HTTP
// Live Streaming").
//
// # API
//
//   - [NewCipher]: a content key expanded once for AES-128; share it.
//   - [NewProtection] / [ProtectInit]: the protected CMAF header of one
//     track (sinf with frma, schm and tenc, plus the caller's pssh boxes),
//     and the immutable setup its fragments are encrypted with.
//   - [NewEncryptor] and [Encryptor.EncryptFragment]: a per-request
//     encryptor that encrypts single-track fragments in place and adds
//     their senc, saiz and saio boxes.
//   - [Encryptor.Plan]: the same encryption worked out sample by sample
//     for a streaming server — headers first, then each sample encrypted
//     in place ([Plan.Encrypt]), from read-only memory such as a mapped
//     file ([Plan.EncryptTo]) or in pieces across write chunks
//     ([Plan.Cursor]); all three give the same bytes.
//   - [Cipher.SealSegment], [SequenceIV]: HLS AES-128 (CBC, PKCS#7) over a
//     whole segment, appended in place; [Cipher.SegmentEncrypter] for a
//     segment encrypted as it is produced.
//
// AES-CBC (AES-128 segments, the cbcs pattern, SAMPLE-AES) runs in one
// AES-NI assembly loop on amd64 (cbcfast_amd64.s: round keys in
// registers, blocks chained in place; CBC is serial, so call overhead per
// block was a third of its cost), and cenc's AES-CTR in a second one that
// keeps the keystream on the caller's stack (crypto/cipher.NewCTR
// allocated per sample); elsewhere crypto/cipher does both.
//   - [Cipher.AppendSampleAESNAL], [Cipher.SampleAESFrame]: HLS SAMPLE-AES
//     for H.264 NAL units and AAC frames, used by the TS muxer.
//
// Malformed or unsupported input wraps media.ErrMalformed or
// media.ErrUnsupported; nothing panics on bad input. Errors and the String
// forms of the types never contain key material.
//
// # Schemes
//
// 'cenc' encrypts with AES-CTR. Video samples use subsample encryption:
// only VCL NAL units (H.264 types 1 and 5, H.265 slice types) are
// protected, and of those only the whole 16-byte blocks at the end of the
// unit, leaving at least 96 bytes (length prefix, NAL header and slice
// header) in the clear — the layout mp4ff and Bento4 produce, so that
// outputs can be compared byte for byte. Audio samples are encrypted
// whole. The counter of one sample runs across its protected ranges.
//
// 'cbcs' encrypts with AES-CBC and a constant 16-byte IV (in tenc, no
// per-sample IVs). Video uses the 1:9 pattern (one 16-byte block
// encrypted, nine skipped) over each VCL NAL unit after its slice header;
// the IV restarts at each protected range, a trailing partial block stays
// clear. Players (FairPlay) find the protected range from the slice header
// themselves, so its size must be exact: it is parsed here, against the
// parameter sets of the sample entry, with every count checked against
// the standard's limits (mp4ff's slice parsers, whose sizes these match,
// trust the counts they read and hang on crafted slices). Audio samples
// are CBC-encrypted whole (whole blocks; the partial tail stays clear), so
// audio fragments carry no senc, saiz or saio, as CMAF recommends.
//
// # IVs
//
// Output must be deterministic, so that a CDN can cache segments and the
// same request yields the same bytes, and under one key a CTR IV must never
// repeat with different plaintext, since two samples encrypted with the
// same key stream leak their XOR. 'cenc' therefore uses 8-byte per-sample
// IVs (the size CMAF requires) computed, never drawn at random or chained
// from request to request:
//
//	IV(sample i) = salt + i  (mod 2^64, big-endian)
//	salt         = first 8 bytes of SHA-256("lockstream cenc iv v1" ‖ KID ‖ StreamID)
//
// where i is the index of the sample in its track's whole sample sequence
// (media.Segment.First plus the position in the segment), and StreamID
// names the asset, the file, the track id inside the file, and optionally
// a version of the file. The CTR counter block of a sample is IV ‖ 0^64,
// incremented per 16-byte block, so a sample would need 2^64 blocks before
// reaching the next sample's counters.
//
//   - Across the segments of a track, and between any two requests for
//     the same segment in any format (DASH, HLS fMP4, Smooth, I-frame
//     fragments), a sample keeps its index and so its IV: the same sample
//     with the same IV and the same subsample layout (itself computed from
//     the sample bytes) gives the same ciphertext, which reveals nothing.
//     Different samples of a track have different indices, and
//     i ↦ salt + i is injective below 2^64 samples.
//   - Two tracks under one key (renditions of a ladder, or audio and
//     video) have salts that are independent pseudo-random 64-bit values.
//     Their IV ranges [salt, salt+n) can only overlap when the salts fall
//     within n_a + n_b of each other: probability (n_a + n_b)/2^64 per
//     pair. For 100 tracks of 2^20 samples (ten hours at 30 fps) that is
//     below 2^-30 over all pairs, against about n²/2^65 per track for
//     random IVs; no coordination between requests or processes is
//     needed, and nothing depends on segment boundaries, time filters or
//     track order.
//   - The salt hashes the KID, so a track re-keyed under a new KID gets
//     unrelated IVs. A file replaced by different content under the same
//     name and key would reuse IVs: callers that allow that put a file
//     version (size, ETag) into StreamID.Version.
//
// 'cbcs' and SAMPLE-AES use a constant IV by definition (CBC leaks only
// whether two protected ranges begin with equal blocks); HLS AES-128 uses
// the media sequence number as IV, as RFC 8216 prescribes when the
// playlist gives none, so that players can decrypt a segment alone.
//
// # Concurrency
//
// [Cipher] and [Protection] are immutable and safe for concurrent use:
// build them once per key and per track. An [Encryptor] belongs to one
// request and one goroutine.
package cenc
