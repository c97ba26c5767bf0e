// Package defs holds the Azure Media Services v3 JSON wire types that
// Lockstream's management API decodes, validates, stores and encodes, and
// the validation rules AMS applied to them.
//
// # Wire conventions
//
// JSON names match the AMS REST specification (and the Go SDK
// armmediaservices/v3 v3.1.0) exactly. Field types follow one rule, so that
// decoding then encoding a body gives back what was sent:
//
//   - Strings are plain strings; "" means absent (omitempty on optional
//     fields). The API applies PATCH bodies as JSON merge patches on the
//     stored document, so it never needs to tell "" from absent here.
//   - Booleans and numbers are pointers, because false and 0 are valid
//     values that differ from absent, and required ones must be detected.
//   - Enums are named string types; "" is never a valid enum value.
//   - Optional arrays and maps use omitempty, so [] on input comes back
//     absent; arrays AMS always emits (collection value, token restriction
//     keys and claims, action responses) are emitted as [] when empty.
//   - Byte fields are [Base64] (a []byte that reports decode errors with the
//     field path and always encodes as a string); times are [Time] (seven
//     fractional digits, UTC, as AMS emits them).
//   - Read-only fields are decoded like the others; validation ignores them
//     and the API overwrites them, as ARM does.
//
// # Polymorphism
//
// Unions selected by "@odata.type" are sealed interfaces
// ([ContentKeyPolicyConfiguration], [ContentKeyPolicyRestriction],
// [ContentKeyPolicyRestrictionTokenKey],
// [ContentKeyPolicyPlayReadyContentKeyLocation]) implemented by pointers to
// the concrete types. Encoding writes the discriminator first, exactly as
// AMS spells it; decoding rejects a missing or unknown discriminator with a
// [*FieldError] naming it ("properties.options[1].configuration.@odata.type").
//
// # Errors
//
// [Decode] and every Validate method report problems as [*FieldError]
// whose Field is the JSON path from the body root, suitable for an ARM
// error's target. Validate returns the first problem in document order.
// "Unknown" enum members and the Unknown union members are output-only
// markers in AMS ("a value this API version cannot express") and are
// rejected on input, except in streaming-policy track selections where the
// AMS specification's own example uses operation "Unknown".
//
// # Secrets
//
// Content key policy secrets are write-only: [ContentKeyPolicyProperties.Redact]
// produces the copy returned by GET/LIST/PUT, and the unredacted properties
// are only returned by getPolicyPropertiesWithSecrets. Streaming locator key
// values likewise appear only in [ListContentKeysResponse]
// ([StreamingLocatorProperties.Redact] removes them).
//
// The package has no HTTP, storage or clock dependencies: validation that
// depends on the current time takes it as a parameter.
package defs
