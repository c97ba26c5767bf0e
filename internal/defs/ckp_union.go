package defs

import (
	"bytes"
	"encoding/json"
	"strings"
)

// "@odata.type" discriminators of the content key policy unions, exactly
// as AMS writes them.
const (
	ODataTypeClearKeyConfiguration  = "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"
	ODataTypeUnknownConfiguration   = "#Microsoft.Media.ContentKeyPolicyUnknownConfiguration"
	ODataTypeWidevineConfiguration  = "#Microsoft.Media.ContentKeyPolicyWidevineConfiguration"
	ODataTypePlayReadyConfiguration = "#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration"
	ODataTypeFairPlayConfiguration  = "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration"

	ODataTypeOpenRestriction    = "#Microsoft.Media.ContentKeyPolicyOpenRestriction"
	ODataTypeUnknownRestriction = "#Microsoft.Media.ContentKeyPolicyUnknownRestriction"
	ODataTypeTokenRestriction   = "#Microsoft.Media.ContentKeyPolicyTokenRestriction"

	ODataTypeSymmetricTokenKey       = "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey"
	ODataTypeRsaTokenKey             = "#Microsoft.Media.ContentKeyPolicyRsaTokenKey"
	ODataTypeX509CertificateTokenKey = "#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey"

	ODataTypePlayReadyKeyFromHeader        = "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"
	ODataTypePlayReadyKeyFromKeyIdentifier = "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier"
)

// isNull reports whether a raw member is absent or JSON null.
func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// readODataType returns the discriminator of the union object in raw;
// ok is false when raw is absent or null.
func readODataType(raw []byte, path string) (t string, ok bool, err error) {
	if isNull(raw) {
		return "", false, nil
	}
	var probe struct {
		ODataType *string `json:"@odata.type"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return "", false, fieldError(err, path)
	}
	if probe.ODataType == nil {
		return "", false, required(join(path, "@odata.type"))
	}
	return *probe.ODataType, true, nil
}

func unknownODataType(path, t string, known ...string) error {
	return errorf(join(path, "@odata.type"), "unknown type %q; expected one of %s", t, strings.Join(known, ", "))
}

// decodeAt unmarshals raw into v, reporting errors under path.
func decodeAt(raw []byte, path string, v any) error {
	return fieldError(json.Unmarshal(raw, v), path)
}

// marshalTyped encodes v (a method-less alias of a union member) with the
// discriminator as its first member, where AMS puts it.
func marshalTyped(odataType string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(body)+len(odataType)+20)
	out = append(out, `{"@odata.type":`...)
	out, _ = appendJSONString(out, odataType)
	if len(body) > 2 { // not "{}"
		out = append(out, ',')
		out = append(out, body[1:]...)
	} else {
		out = append(out, '}')
	}
	return out, nil
}

func appendJSONString(dst []byte, s string) ([]byte, error) {
	b, err := json.Marshal(s)
	return append(dst, b...), err
}
