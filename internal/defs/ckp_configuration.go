package defs

import (
	"bytes"
	"encoding/json"
	"errors"
)

// ContentKeyPolicyClearKeyConfiguration delivers the key in the clear: the
// AES-128 envelope key, and W3C ClearKey for CENC/CBCS.
type ContentKeyPolicyClearKeyConfiguration struct{}

// ContentKeyPolicyUnknownConfiguration is what AMS returned for a kind the
// api-version cannot express. It is decoded but never valid input.
type ContentKeyPolicyUnknownConfiguration struct{}

// ContentKeyPolicyWidevineConfiguration carries the Widevine license
// template: a string that itself holds JSON ("{}" = defaults).
type ContentKeyPolicyWidevineConfiguration struct {
	WidevineTemplate string `json:"widevineTemplate"`
}

// ContentKeyPolicyFairPlayConfiguration holds the FairPlay Streaming
// credentials. Ask, FairPlayPfx and FairPlayPfxPassword are secrets.
type ContentKeyPolicyFairPlayConfiguration struct {
	// Ask is the 16-byte Application Secret key.
	Ask Base64 `json:"ask"`
	// FairPlayPfx is the base64 of a PKCS#12 file holding the FPS
	// certificate and its private key (a string in the specification).
	FairPlayPfx string `json:"fairPlayPfx"`
	// FairPlayPfxPassword may be empty: PKCS#12 files can be unprotected.
	FairPlayPfxPassword        string                                              `json:"fairPlayPfxPassword"`
	RentalAndLeaseKeyType      ContentKeyPolicyFairPlayRentalAndLeaseKeyType       `json:"rentalAndLeaseKeyType"`
	RentalDuration             *int64                                              `json:"rentalDuration,omitempty"`
	OfflineRentalConfiguration *ContentKeyPolicyFairPlayOfflineRentalConfiguration `json:"offlineRentalConfiguration,omitempty"`
}

// ContentKeyPolicyFairPlayOfflineRentalConfiguration is used with the
// DualExpiry rental type.
type ContentKeyPolicyFairPlayOfflineRentalConfiguration struct {
	PlaybackDurationSeconds *int64 `json:"playbackDurationSeconds,omitempty"`
	StorageDurationSeconds  *int64 `json:"storageDurationSeconds,omitempty"`
}

// ODataType returns the discriminator.
func (*ContentKeyPolicyClearKeyConfiguration) ODataType() string {
	return ODataTypeClearKeyConfiguration
}

// ODataType returns the discriminator.
func (*ContentKeyPolicyUnknownConfiguration) ODataType() string { return ODataTypeUnknownConfiguration }

// ODataType returns the discriminator.
func (*ContentKeyPolicyWidevineConfiguration) ODataType() string {
	return ODataTypeWidevineConfiguration
}

// ODataType returns the discriminator.
func (*ContentKeyPolicyFairPlayConfiguration) ODataType() string {
	return ODataTypeFairPlayConfiguration
}

// MarshalJSON writes the discriminator first.
func (c ContentKeyPolicyClearKeyConfiguration) MarshalJSON() ([]byte, error) {
	return marshalTyped(ODataTypeClearKeyConfiguration, struct{}{})
}

// MarshalJSON writes the discriminator first.
func (c ContentKeyPolicyUnknownConfiguration) MarshalJSON() ([]byte, error) {
	return marshalTyped(ODataTypeUnknownConfiguration, struct{}{})
}

// MarshalJSON writes the discriminator first.
func (c ContentKeyPolicyWidevineConfiguration) MarshalJSON() ([]byte, error) {
	type alias ContentKeyPolicyWidevineConfiguration
	return marshalTyped(ODataTypeWidevineConfiguration, alias(c))
}

// MarshalJSON writes the discriminator first.
func (c ContentKeyPolicyFairPlayConfiguration) MarshalJSON() ([]byte, error) {
	type alias ContentKeyPolicyFairPlayConfiguration
	return marshalTyped(ODataTypeFairPlayConfiguration, alias(c))
}

func (c *ContentKeyPolicyClearKeyConfiguration) validateConfiguration(path string) error {
	if c == nil {
		return required(path)
	}
	return nil
}

func (c *ContentKeyPolicyUnknownConfiguration) validateConfiguration(path string) error {
	return errorf(join(path, "@odata.type"), "%s only reports a configuration this API version cannot express; it cannot be created", ODataTypeUnknownConfiguration)
}

func (c *ContentKeyPolicyClearKeyConfiguration) copyConfiguration(bool) ContentKeyPolicyConfiguration {
	if c == nil {
		return nil
	}
	return &ContentKeyPolicyClearKeyConfiguration{}
}

func (c *ContentKeyPolicyUnknownConfiguration) copyConfiguration(bool) ContentKeyPolicyConfiguration {
	if c == nil {
		return nil
	}
	return &ContentKeyPolicyUnknownConfiguration{}
}

func (c *ContentKeyPolicyWidevineConfiguration) copyConfiguration(bool) ContentKeyPolicyConfiguration {
	if c == nil {
		return nil
	}
	v := *c
	return &v
}

func (c *ContentKeyPolicyFairPlayConfiguration) copyConfiguration(redact bool) ContentKeyPolicyConfiguration {
	if c == nil {
		return nil
	}
	v := *c
	v.Ask = Base64(cloneSlice(c.Ask))
	v.RentalDuration = clonePtr(c.RentalDuration)
	if o := c.OfflineRentalConfiguration; o != nil {
		v.OfflineRentalConfiguration = &ContentKeyPolicyFairPlayOfflineRentalConfiguration{
			PlaybackDurationSeconds: clonePtr(o.PlaybackDurationSeconds),
			StorageDurationSeconds:  clonePtr(o.StorageDurationSeconds),
		}
	}
	if redact {
		v.Ask, v.FairPlayPfx, v.FairPlayPfxPassword = Base64{}, "", ""
	}
	return &v
}

// widevineTemplate is the subset of the Widevine template whose values AMS
// documents as enumerations; everything else is stored opaque and handed
// to the Widevine license proxy as is.
type widevineTemplate struct {
	AllowedTrackTypes *string `json:"allowed_track_types"`
	ContentKeySpecs   []struct {
		SecurityLevel            *int `json:"security_level"`
		RequiredOutputProtection *struct {
			HDCP *string `json:"hdcp"`
		} `json:"required_output_protection"`
	} `json:"content_key_specs"`
}

func (c *ContentKeyPolicyWidevineConfiguration) validateConfiguration(path string) error {
	if c == nil {
		return required(path)
	}
	p := join(path, "widevineTemplate")
	if c.WidevineTemplate == "" {
		return errorf(p, `is required ("{}" selects the defaults)`)
	}
	raw := bytes.TrimSpace([]byte(c.WidevineTemplate))
	if !json.Valid(raw) || len(raw) == 0 || raw[0] != '{' {
		return errorf(p, "must be a string holding a JSON object")
	}
	var t widevineTemplate
	if err := json.Unmarshal(raw, &t); err != nil {
		var fe *FieldError
		if !errors.As(fieldError(err, ""), &fe) {
			return errorf(p, "template: %v", err)
		}
		return errorf(p, "template member %s %s", fe.Field, fe.Msg)
	}
	if v := t.AllowedTrackTypes; v != nil && *v != "SD_ONLY" && *v != "SD_HD" {
		return errorf(p, "allowed_track_types %q is not one of SD_ONLY, SD_HD", *v)
	}
	for i, s := range t.ContentKeySpecs {
		if l := s.SecurityLevel; l != nil && (*l < 1 || *l > 5) {
			return errorf(p, "content_key_specs[%d].security_level must be 1-5", i)
		}
		if o := s.RequiredOutputProtection; o != nil && o.HDCP != nil {
			switch *o.HDCP {
			case "HDCP_NONE", "HDCP_V1", "HDCP_V2":
			default:
				return errorf(p, "content_key_specs[%d].required_output_protection.hdcp %q is not one of HDCP_NONE, HDCP_V1, HDCP_V2", i, *o.HDCP)
			}
		}
	}
	return nil
}

func (c *ContentKeyPolicyFairPlayConfiguration) validateConfiguration(path string) error {
	if c == nil {
		return required(path)
	}
	switch n := len(c.Ask); n {
	case 0:
		return required(join(path, "ask"))
	case 16:
	default:
		return errorf(join(path, "ask"), "must be exactly 16 bytes (got %d)", n)
	}
	p := join(path, "fairPlayPfx")
	if c.FairPlayPfx == "" {
		return required(p)
	}
	pfx, err := checkBase64String(p, c.FairPlayPfx)
	if err != nil {
		return err
	}
	// PKCS#12 cannot be opened with the standard library; require at least
	// the outer ASN.1 SEQUENCE (0x30) so that a certificate in PEM text, a
	// password or a key pasted into the wrong field is caught here.
	if len(pfx) < 2 || pfx[0] != 0x30 {
		return errorf(p, "must be a base64 PKCS#12 (.pfx) file")
	}
	if err := checkEnum(join(path, "rentalAndLeaseKeyType"), c.RentalAndLeaseKeyType,
		ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeUndefined, ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeDualExpiry,
		ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentUnlimited, ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentLimited); err != nil {
		return err
	}
	p = join(path, "rentalDuration")
	if c.RentalDuration == nil {
		return required(p)
	}
	if *c.RentalDuration < 0 {
		return errorf(p, "must be 0 or more seconds")
	}
	p = join(path, "offlineRentalConfiguration")
	o := c.OfflineRentalConfiguration
	if o == nil {
		if c.RentalAndLeaseKeyType == ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeDualExpiry {
			return errorf(p, "is required when rentalAndLeaseKeyType is DualExpiry")
		}
		return nil
	}
	for _, f := range []struct {
		name string
		v    *int64
	}{{"playbackDurationSeconds", o.PlaybackDurationSeconds}, {"storageDurationSeconds", o.StorageDurationSeconds}} {
		switch {
		case f.v == nil:
			return required(join(p, f.name))
		case *f.v < 0:
			return errorf(join(p, f.name), "must be 0 or more seconds")
		}
	}
	return nil
}
