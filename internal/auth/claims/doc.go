// Package claims parses the parts of a compact JWS that Lockstream checks
// itself before and after a JOSE library verifies the signature: the
// protected header (only known members allowed) and the claims set.
//
// Parsing is deliberately stricter than encoding/json (RFC 8725 §3.7 and
// the "claim typing" attacks): input must be valid UTF-8, an object's member
// names must be unique (encoding/json would silently keep the last one,
// letting two parsers disagree about a token), and NumericDate values must
// be JSON integers, not strings or fractions. Sizes are checked before any
// decoding so that a huge token costs nothing.
package claims
