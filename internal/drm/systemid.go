package drm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lockstream/lockstream/internal/keys"
)

// SystemID identifies a DRM system in PSSH boxes, CPIX documents and DASH
// ContentProtection elements. It holds the 16 raw bytes of the UUID.
//
// The underlying type is a string, not a [16]byte, only so that the
// well-known IDs below can be constants: Go has no array constants, and
// exported array variables could be changed by any importer. Use
// [ParseSystemID] or [SystemIDFromBytes] to make one; converting an
// arbitrary string gives a value that [SystemID.Valid] rejects.
type SystemID string

// Well-known system IDs.
const (
	// Common is the W3C "common" system ID whose PSSH box lists the key IDs
	// of a Clear Key stream.
	Common SystemID = "\x10\x77\xef\xec\xc0\xb2\x4d\x02\xac\xe3\x3c\x1e\x52\xe2\xfb\x4b"
	// ClearKeyDASH is the DASH-IF Clear Key system ID used in MPD
	// ContentProtection elements (value "ClearKey1.0"); it never appears
	// in a PSSH box, where Clear Key uses Common.
	ClearKeyDASH SystemID = "\xe2\x71\x9d\x58\xa9\x85\xb3\xc9\x78\x1a\xb0\x30\xaf\x78\xd3\x0e"
	// Widevine is Google Widevine.
	Widevine SystemID = "\xed\xef\x8b\xa9\x79\xd6\x4a\xce\xa3\xc8\x27\xdc\xd5\x1d\x21\xed"
	// PlayReady is Microsoft PlayReady.
	PlayReady SystemID = "\x9a\x04\xf0\x79\x98\x40\x42\x86\xab\x92\xe6\x5b\xe0\x88\x5f\x95"
	// FairPlay is Apple FairPlay Streaming. HLS does not need a PSSH box for
	// it, but CPIX documents name it.
	FairPlay SystemID = "\x94\xce\x86\xfb\x07\xff\x4f\x43\xad\xb8\x93\xd2\xfa\x96\x8c\xa2"
)

// ErrInvalidSystemID means a system ID is not 16 bytes long.
var ErrInvalidSystemID = errors.New("drm: system id is not 16 bytes")

// ParseSystemID parses a system ID in the 8-4-4-4-12 UUID form, in either
// case, optionally with a "urn:uuid:" prefix as in DASH schemeIdUri values.
func ParseSystemID(s string) (SystemID, error) {
	const urn = "urn:uuid:"
	u := s
	if len(u) > len(urn) && strings.EqualFold(u[:len(urn)], urn) {
		u = u[len(urn):]
	}
	id, err := keys.ParseKID(u)
	if err != nil {
		return "", fmt.Errorf("drm: parse system id: %w", err)
	}
	return SystemID(id[:]), nil
}

// SystemIDFromBytes returns the system ID held in b, which must be 16 bytes.
func SystemIDFromBytes(b []byte) (SystemID, error) {
	if len(b) != 16 {
		return "", fmt.Errorf("%w: have %d bytes", ErrInvalidSystemID, len(b))
	}
	return SystemID(b), nil
}

// Valid reports whether s is 16 bytes long.
func (s SystemID) Valid() bool { return len(s) == 16 }

// Bytes returns the 16 bytes of s; an invalid s yields the nil UUID.
func (s SystemID) Bytes() [16]byte {
	var b [16]byte
	if s.Valid() {
		copy(b[:], s)
	}
	return b
}

// String returns the lower-case 8-4-4-4-12 UUID form, or a diagnostic for
// an invalid value (so that printing one never hides the mistake).
func (s SystemID) String() string {
	if !s.Valid() {
		return fmt.Sprintf("SystemID(invalid, %d bytes)", len(s))
	}
	return keys.KID(s.Bytes()).String()
}

// URN returns "urn:uuid:" followed by the UUID form: the schemeIdUri of a
// DASH ContentProtection element and the HLS KEYFORMAT for Widevine.
func (s SystemID) URN() string { return "urn:uuid:" + s.String() }

// Name returns a human-readable name for the well-known system IDs and ""
// for any other.
func (s SystemID) Name() string {
	switch s {
	case Common:
		return "W3C Common"
	case ClearKeyDASH:
		return "DASH-IF Clear Key"
	case Widevine:
		return "Widevine"
	case PlayReady:
		return "PlayReady"
	case FairPlay:
		return "FairPlay"
	}
	return ""
}
