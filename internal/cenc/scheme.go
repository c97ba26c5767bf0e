package cenc

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"

	"github.com/lockstream/lockstream/internal/keys"
)

// Scheme is a Common Encryption protection scheme (ISO/IEC 23001-7).
type Scheme string

// Schemes.
const (
	// CENC is AES-CTR with 8-byte per-sample IVs (PlayReady, Widevine).
	CENC Scheme = "cenc"
	// CBCS is AES-CBC with a constant IV and, for video, the 1:9 pattern
	// (FairPlay; also PlayReady 4 and Widevine).
	CBCS Scheme = "cbcs"
)

func (s Scheme) valid() bool { return s == CENC || s == CBCS }

// StreamID names the sample sequence of one track for IV derivation (see
// the package documentation). Two different sample sequences encrypted
// under one key must never share a StreamID.
type StreamID struct {
	// Asset names the asset (storage container) holding File.
	Asset string
	// File is the name of the file holding the samples (media.Track.Source).
	File string
	// TrackID is the track id inside File (media.Track.SourceID).
	TrackID uint32
	// Version distinguishes contents of File when a file may be replaced
	// under the same name and key (its size or ETag); "" otherwise.
	Version string
}

// ivSalt is the per-stream salt of cenc IVs: the first 8 bytes of SHA-256
// over a domain-separating label, the KID and the length-prefixed fields
// of id (so that no two distinct StreamIDs hash the same input).
func ivSalt(kid keys.KID, id StreamID) uint64 {
	h := sha256.New()
	h.Write([]byte("lockstream cenc iv v1"))
	h.Write(kid[:])
	writeField(h, id.Asset)
	writeField(h, id.File)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], id.TrackID)
	h.Write(n[:])
	writeField(h, id.Version)
	return binary.BigEndian.Uint64(h.Sum(nil))
}

func writeField(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// DeriveConstantIV returns a constant IV for cbcs or SAMPLE-AES derived
// from kid alone, for callers that are not given one: every track and
// every format protected under kid then carries the same IV, as FairPlay
// players expect of one key.
func DeriveConstantIV(kid keys.KID) [16]byte {
	h := sha256.New()
	h.Write([]byte("lockstream cbcs constant iv v1"))
	h.Write(kid[:])
	var iv [16]byte
	copy(iv[:], h.Sum(nil))
	return iv
}

// SequenceIV is the IV of HLS segment encryption when the playlist gives
// none: the media sequence number as a 128-bit big-endian integer
// (RFC 8216 §5.2).
func SequenceIV(seq uint64) [16]byte {
	var iv [16]byte
	binary.BigEndian.PutUint64(iv[8:], seq)
	return iv
}
