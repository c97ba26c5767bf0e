package defs_test

import (
	"encoding/json"
	"fmt"

	"github.com/lockstream/lockstream/internal/defs"
)

// A PUT body is decoded, validated, and answered with secrets blanked.
func Example() {
	body := []byte(`{"properties":{"options":[{
		"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
		"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction",
			"issuer":"urn:issuer","audience":"urn:audience","restrictionTokenType":"Jwt",
			"primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"YW4taHMyNTYta2V5LW9mLTMyLWJ5dGVzLWxlbmd0aA=="}}}]}}`)

	var p defs.ContentKeyPolicy
	if err := defs.Decode(body, &p); err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(p.Properties.Redact().Options[0].Restriction)
	fmt.Println(string(out))

	bad := []byte(`{"properties":{"options":[{"configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyPemConfiguration"}}]}}`)
	fmt.Println(defs.Decode(bad, new(defs.ContentKeyPolicy)).(*defs.FieldError).Field)
	// Output:
	// {"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","issuer":"urn:issuer","audience":"urn:audience","primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":""},"alternateVerificationKeys":[],"requiredClaims":[],"restrictionTokenType":"Jwt"}
	// properties.options[0].configuration.@odata.type
}
