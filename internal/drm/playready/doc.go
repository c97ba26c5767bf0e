// Package playready builds the PlayReady signalling Lockstream puts into
// DASH manifests, Smooth Streaming manifests and init segments: the
// WRMHEADER XML (versions 4.0.0.0 to 4.3.0.0), the PlayReady Object (PRO)
// that carries it, and the PlayReady PSSH box. It also derives content keys
// from a PlayReady key seed. It does not issue licenses: that needs
// Microsoft's PlayReady Server SDK, so licenses come from a PlayReady
// service that shares the keys.
//
// # Header versions
//
// Each WRMHEADER version is understood by a different range of clients:
// 4.0.0.0 by every PlayReady client, 4.1.0.0 from PlayReady 2, 4.2.0.0
// (several key IDs) from PlayReady 3, and 4.3.0.0 (AESCBC, for cbcs
// content) only from PlayReady 4. [ChooseVersion] picks the oldest version
// that can describe the content, so that the most devices play it.
//
// # Canonical form
//
// PlayReady clients compare and hash header bytes, and Microsoft requires
// headers in a canonical form: no XML prolog, no whitespace between
// elements, every element closed with an explicit end tag (never "<a/>"),
// namespace declarations before other attributes and attributes in
// alphabetical order (ALGID, CHECKSUM, VALUE). [Header.Marshal] writes only
// that form, re-serialising the free-form CUSTOMATTRIBUTES XML the same
// way (comments dropped).
//
// # Key IDs
//
// Key IDs are [keys.KID] values in UUID byte order everywhere in Lockstream;
// this package alone converts them to the little-endian GUID order
// (.NET Guid.ToByteArray) that the VALUE attribute, the CHECKSUM and the key
// seed use.
//
// # Byte order of the PlayReady Object
//
// Unlike MP4 boxes, every integer of a PRO is little-endian, and the header
// record is UTF-16LE text. [ParseObject] and [ParseHeader] read untrusted
// input (CPIX documents, init segments) and are strict; both are fuzzed.
package playready
