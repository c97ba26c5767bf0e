package defs

import (
	"encoding/base64"
	"encoding/json"
)

// Base64 is a byte field (keyValue, modulus, exponent, rawBody, ask, key):
// standard base64 with padding on the wire, as AMS and the SDKs use.
//
// It differs from a plain []byte in two ways that matter to the API: a
// decoding error names the field (encoding/json reports bad base64 in a
// []byte without a path), and a nil value encodes as "" rather than null,
// which is how AMS shows a blanked secret. Its underlying type is []byte,
// so values assign to and from []byte without conversion.
type Base64 []byte

// MarshalJSON implements json.Marshaler.
func (b Base64) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, base64.StdEncoding.EncodedLen(len(b))+2)
	out = append(out, '"')
	out = base64.StdEncoding.AppendEncode(out, b)
	return append(out, '"'), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (b *Base64) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(data), Type: base64Type}
	}
	v, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string", Type: base64Type}
	}
	*b = v
	return nil
}
