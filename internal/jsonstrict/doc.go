// Package jsonstrict finds duplicate object member names in JSON, at any
// depth. encoding/json keeps the last of duplicate members silently, so
// two parsers (or a validator and a consumer) can read one document
// differently; RFC 8259 leaves the meaning undefined and RFC 7515 §5.2
// wants JWS headers with duplicates refused. Tokens (auth/claims) and
// management request bodies (defs, api) use this one detector.
package jsonstrict
