package playready

import (
	"errors"
	"fmt"
)

// Version is a WRMHEADER version attribute.
type Version string

// Header versions Lockstream writes.
const (
	// Version40 carries one key ID (AESCTR) and is read by every PlayReady
	// client, PlayReady 1.x included.
	Version40 Version = "4.0.0.0"
	// Version41 carries one key ID as an attribute element and adds
	// DECRYPTORSETUP; PlayReady 2 and later.
	Version41 Version = "4.1.0.0"
	// Version42 carries several key IDs; PlayReady 3 and later.
	Version42 Version = "4.2.0.0"
	// Version43 adds AESCBC (cbcs) key IDs; PlayReady 4 and later. Older
	// clients refuse it.
	Version43 Version = "4.3.0.0"
)

// Algorithm is the ALGID of a key ID: how content under it is encrypted.
type Algorithm string

// Algorithms. COCKTAIL (pre-CENC PlayReady) is not supported.
const (
	// AESCTR is AES-128 in counter mode: CENC "cenc" (and PIFF).
	AESCTR Algorithm = "AESCTR"
	// AESCBC is AES-128 in CBC mode: CENC "cbcs". Version 4.3 only.
	AESCBC Algorithm = "AESCBC"
	// Unspecified omits ALGID (version 4.3 only), for a header shared by
	// cenc and cbcs renditions of the same keys.
	Unspecified Algorithm = ""
)

// ErrUnsupportedScheme means ChooseVersion got a protection scheme other
// than "cenc" or "cbcs".
var ErrUnsupportedScheme = errors.New("playready: unsupported protection scheme")

// ChooseVersion returns the header version and algorithm for content
// encrypted with scheme ("cenc" or "cbcs") under kidCount keys:
//
//   - cenc, one key: 4.0.0.0. Every PlayReady client since 1.x reads it,
//     and its mandatory CHECKSUM costs nothing since Lockstream holds the
//     key. 4.1 would add only DECRYPTORSETUP, which Lockstream does not
//     need, while shutting out PlayReady 1.x devices (old set-top boxes,
//     smart TVs, Silverlight).
//   - cenc, several keys (for example separate audio and video keys): 4.2.0.0,
//     the first version that lists more than one key ID.
//   - cbcs: 4.3.0.0, the only version with AESCBC; clients that predate it
//     cannot decrypt cbcs anyway.
func ChooseVersion(scheme string, kidCount int) (Version, Algorithm, error) {
	if kidCount < 1 {
		return "", "", fmt.Errorf("choose playready header version: %d key ids, want at least 1", kidCount)
	}
	switch scheme {
	case "cenc":
		if kidCount == 1 {
			return Version40, AESCTR, nil
		}
		return Version42, AESCTR, nil
	case "cbcs":
		return Version43, AESCBC, nil
	}
	return "", "", fmt.Errorf("choose playready header version: %w %.8q", ErrUnsupportedScheme, scheme)
}
