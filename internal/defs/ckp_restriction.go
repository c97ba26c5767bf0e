package defs

import (
	"encoding/json"
	"strings"
)

// ContentKeyPolicyOpenRestriction delivers the key to anyone.
type ContentKeyPolicyOpenRestriction struct{}

// ContentKeyPolicyUnknownRestriction is what AMS returned for a kind the
// api-version cannot express. It is decoded but never valid input.
type ContentKeyPolicyUnknownRestriction struct{}

// ContentKeyPolicyTokenRestriction requires a JWT or SWT.
//
// AlternateVerificationKeys and RequiredClaims are always encoded as
// arrays, as AMS does, even when empty.
type ContentKeyPolicyTokenRestriction struct {
	Issuer   string `json:"issuer"`
	Audience string `json:"audience"`
	// PrimaryVerificationKey may be nil only when
	// OpenIDConnectDiscoveryDocument supplies the keys.
	PrimaryVerificationKey    ContentKeyPolicyRestrictionTokenKey   `json:"primaryVerificationKey,omitempty"`
	AlternateVerificationKeys []ContentKeyPolicyRestrictionTokenKey `json:"alternateVerificationKeys"`
	RequiredClaims            []ContentKeyPolicyTokenClaim          `json:"requiredClaims"`
	RestrictionTokenType      ContentKeyPolicyRestrictionTokenType  `json:"restrictionTokenType"`
	// OpenIDConnectDiscoveryDocument is the URL of an OpenID Connect
	// discovery document whose jwks_uri supplies (rolling) keys.
	OpenIDConnectDiscoveryDocument string `json:"openIdConnectDiscoveryDocument,omitempty"`
}

// ContentKeyPolicyTokenClaim is a claim the token must carry. An empty
// ClaimValue requires only the claim's presence (for the content key
// identifier claim: a value equal to the requested key id).
type ContentKeyPolicyTokenClaim struct {
	ClaimType  string `json:"claimType,omitempty"`
	ClaimValue string `json:"claimValue,omitempty"`
}

// ContentKeyIdentifierClaim is the claim type that binds a token to one
// content key (the SDKs' ContentKeyIdentifierClaim).
const ContentKeyIdentifierClaim = "urn:microsoft:azure:mediaservices:contentkeyidentifier"

// ODataType returns the discriminator.
func (*ContentKeyPolicyOpenRestriction) ODataType() string { return ODataTypeOpenRestriction }

// ODataType returns the discriminator.
func (*ContentKeyPolicyUnknownRestriction) ODataType() string { return ODataTypeUnknownRestriction }

// ODataType returns the discriminator.
func (*ContentKeyPolicyTokenRestriction) ODataType() string { return ODataTypeTokenRestriction }

// MarshalJSON writes the discriminator first.
func (ContentKeyPolicyOpenRestriction) MarshalJSON() ([]byte, error) {
	return marshalTyped(ODataTypeOpenRestriction, struct{}{})
}

// MarshalJSON writes the discriminator first.
func (ContentKeyPolicyUnknownRestriction) MarshalJSON() ([]byte, error) {
	return marshalTyped(ODataTypeUnknownRestriction, struct{}{})
}

// MarshalJSON writes the discriminator first and always emits both arrays.
func (r ContentKeyPolicyTokenRestriction) MarshalJSON() ([]byte, error) {
	type alias ContentKeyPolicyTokenRestriction
	r.AlternateVerificationKeys = nonNil(r.AlternateVerificationKeys)
	r.RequiredClaims = nonNil(r.RequiredClaims)
	return marshalTyped(ODataTypeTokenRestriction, alias(r))
}

// UnmarshalJSON decodes the token key unions.
func (r *ContentKeyPolicyTokenRestriction) UnmarshalJSON(data []byte) error {
	type alias ContentKeyPolicyTokenRestriction
	aux := struct {
		*alias
		PrimaryVerificationKey    json.RawMessage   `json:"primaryVerificationKey"`
		AlternateVerificationKeys []json.RawMessage `json:"alternateVerificationKeys"`
	}{alias: (*alias)(r)}
	if err := decodeAt(data, "", &aux); err != nil {
		return err
	}
	var err error
	if r.PrimaryVerificationKey, err = decodeTokenKey(aux.PrimaryVerificationKey, "primaryVerificationKey"); err != nil {
		return err
	}
	r.AlternateVerificationKeys = nil
	if aux.AlternateVerificationKeys != nil {
		r.AlternateVerificationKeys = make([]ContentKeyPolicyRestrictionTokenKey, len(aux.AlternateVerificationKeys))
	}
	for i, raw := range aux.AlternateVerificationKeys {
		if r.AlternateVerificationKeys[i], err = decodeTokenKey(raw, index("alternateVerificationKeys", i)); err != nil {
			return err
		}
	}
	return nil
}

func (r *ContentKeyPolicyOpenRestriction) validateRestriction(path string) error {
	if r == nil {
		return required(path)
	}
	return nil
}

func (*ContentKeyPolicyUnknownRestriction) validateRestriction(path string) error {
	return errorf(join(path, "@odata.type"), "%s only reports a restriction this API version cannot express; it cannot be created", ODataTypeUnknownRestriction)
}

func (r *ContentKeyPolicyTokenRestriction) validateRestriction(path string) error {
	if r == nil {
		return required(path)
	}
	if strings.TrimSpace(r.Issuer) == "" {
		return required(join(path, "issuer"))
	}
	if strings.TrimSpace(r.Audience) == "" {
		return required(join(path, "audience"))
	}
	tt := r.RestrictionTokenType
	if err := checkEnum(join(path, "restrictionTokenType"), tt,
		ContentKeyPolicyRestrictionTokenTypeJwt, ContentKeyPolicyRestrictionTokenTypeSwt); err != nil {
		return err
	}
	if d := r.OpenIDConnectDiscoveryDocument; d != "" {
		p := join(path, "openIdConnectDiscoveryDocument")
		if err := checkAbsoluteURL(p, d, "https", "http"); err != nil {
			return err
		}
		if tt != ContentKeyPolicyRestrictionTokenTypeJwt {
			return errorf(p, "requires restrictionTokenType Jwt")
		}
	}
	p := join(path, "primaryVerificationKey")
	if r.PrimaryVerificationKey == nil {
		if r.OpenIDConnectDiscoveryDocument == "" {
			return errorf(p, "is required unless openIdConnectDiscoveryDocument is set")
		}
	} else if err := validateTokenKey(p, r.PrimaryVerificationKey, tt); err != nil {
		return err
	}
	p = join(path, "alternateVerificationKeys")
	for i, k := range r.AlternateVerificationKeys {
		if k == nil {
			return required(index(p, i))
		}
		if err := validateTokenKey(index(p, i), k, tt); err != nil {
			return err
		}
	}
	p = join(path, "requiredClaims")
	for i, c := range r.RequiredClaims {
		if strings.TrimSpace(c.ClaimType) == "" {
			return required(join(index(p, i), "claimType"))
		}
	}
	return nil
}

// validateTokenKey checks k and that its kind suits the token type: SWT is
// signed with HMAC-SHA256 only, so it needs symmetric keys.
func validateTokenKey(path string, k ContentKeyPolicyRestrictionTokenKey, tt ContentKeyPolicyRestrictionTokenType) error {
	if err := k.validateKey(path); err != nil {
		return err
	}
	if _, sym := k.(*ContentKeyPolicySymmetricTokenKey); tt == ContentKeyPolicyRestrictionTokenTypeSwt && !sym {
		return errorf(join(path, "@odata.type"), "Swt tokens are verified with symmetric keys only")
	}
	return nil
}

func (r *ContentKeyPolicyOpenRestriction) copyRestriction(bool) ContentKeyPolicyRestriction {
	if r == nil {
		return nil
	}
	return &ContentKeyPolicyOpenRestriction{}
}

func (r *ContentKeyPolicyUnknownRestriction) copyRestriction(bool) ContentKeyPolicyRestriction {
	if r == nil {
		return nil
	}
	return &ContentKeyPolicyUnknownRestriction{}
}

func (r *ContentKeyPolicyTokenRestriction) copyRestriction(redact bool) ContentKeyPolicyRestriction {
	if r == nil {
		return nil
	}
	v := *r
	if r.PrimaryVerificationKey != nil {
		v.PrimaryVerificationKey = r.PrimaryVerificationKey.copyKey(redact)
	}
	v.AlternateVerificationKeys = nil
	if r.AlternateVerificationKeys != nil || redact {
		v.AlternateVerificationKeys = make([]ContentKeyPolicyRestrictionTokenKey, len(r.AlternateVerificationKeys))
	}
	for i, k := range r.AlternateVerificationKeys {
		if k != nil {
			v.AlternateVerificationKeys[i] = k.copyKey(redact)
		}
	}
	v.RequiredClaims = cloneSlice(r.RequiredClaims)
	if redact {
		v.RequiredClaims = nonNil(v.RequiredClaims)
	}
	return &v
}
