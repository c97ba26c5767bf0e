package defs

import "encoding/json"

// ContentKeyPolicyPlayReadyConfiguration issues PlayReady licenses.
type ContentKeyPolicyPlayReadyConfiguration struct {
	Licenses           []ContentKeyPolicyPlayReadyLicense `json:"licenses"`
	ResponseCustomData string                             `json:"responseCustomData,omitempty"`
}

// ContentKeyPolicyPlayReadyLicense is one license template.
type ContentKeyPolicyPlayReadyLicense struct {
	AllowTestDevices       *bool                                       `json:"allowTestDevices,omitempty"`
	SecurityLevel          SecurityLevel                               `json:"securityLevel,omitempty"`
	BeginDate              *Time                                       `json:"beginDate,omitempty"`
	ExpirationDate         *Time                                       `json:"expirationDate,omitempty"`
	RelativeBeginDate      string                                      `json:"relativeBeginDate,omitempty"`
	RelativeExpirationDate string                                      `json:"relativeExpirationDate,omitempty"`
	GracePeriod            string                                      `json:"gracePeriod,omitempty"`
	PlayRight              *ContentKeyPolicyPlayReadyPlayRight         `json:"playRight,omitempty"`
	LicenseType            ContentKeyPolicyPlayReadyLicenseType        `json:"licenseType"`
	ContentKeyLocation     ContentKeyPolicyPlayReadyContentKeyLocation `json:"contentKeyLocation"`
	ContentType            ContentKeyPolicyPlayReadyContentType        `json:"contentType"`
}

// ContentKeyPolicyPlayReadyPlayRight configures the license's play right.
type ContentKeyPolicyPlayReadyPlayRight struct {
	FirstPlayExpiration                                string                                                        `json:"firstPlayExpiration,omitempty"`
	ScmsRestriction                                    *int32                                                        `json:"scmsRestriction,omitempty"`
	AgcAndColorStripeRestriction                       *int32                                                        `json:"agcAndColorStripeRestriction,omitempty"`
	ExplicitAnalogTelevisionOutputRestriction          *ContentKeyPolicyPlayReadyExplicitAnalogTelevisionRestriction `json:"explicitAnalogTelevisionOutputRestriction,omitempty"`
	DigitalVideoOnlyContentRestriction                 *bool                                                         `json:"digitalVideoOnlyContentRestriction,omitempty"`
	ImageConstraintForAnalogComponentVideoRestriction  *bool                                                         `json:"imageConstraintForAnalogComponentVideoRestriction,omitempty"`
	ImageConstraintForAnalogComputerMonitorRestriction *bool                                                         `json:"imageConstraintForAnalogComputerMonitorRestriction,omitempty"`
	AllowPassingVideoContentToUnknownOutput            ContentKeyPolicyPlayReadyUnknownOutputPassingOption           `json:"allowPassingVideoContentToUnknownOutput"`
	UncompressedDigitalVideoOpl                        *int32                                                        `json:"uncompressedDigitalVideoOpl,omitempty"`
	CompressedDigitalVideoOpl                          *int32                                                        `json:"compressedDigitalVideoOpl,omitempty"`
	AnalogVideoOpl                                     *int32                                                        `json:"analogVideoOpl,omitempty"`
	CompressedDigitalAudioOpl                          *int32                                                        `json:"compressedDigitalAudioOpl,omitempty"`
	UncompressedDigitalAudioOpl                        *int32                                                        `json:"uncompressedDigitalAudioOpl,omitempty"`
}

// ContentKeyPolicyPlayReadyExplicitAnalogTelevisionRestriction configures
// the explicit analog television output restriction.
type ContentKeyPolicyPlayReadyExplicitAnalogTelevisionRestriction struct {
	BestEffort        *bool  `json:"bestEffort,omitempty"`
	ConfigurationData *int32 `json:"configurationData,omitempty"`
}

// ContentKeyPolicyPlayReadyContentKeyLocation says where the license server
// finds the key id; implemented by
// *ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader and
// *ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier.
type ContentKeyPolicyPlayReadyContentKeyLocation interface {
	ODataType() string
	validateLocation(path string) error
	copyLocation() ContentKeyPolicyPlayReadyContentKeyLocation
}

// ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader takes the key id
// from the PlayReady header in the license challenge.
type ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader struct{}

// ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier names a
// fixed key id.
type ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier struct {
	KeyID string `json:"keyId"`
}

// ODataType returns the discriminator.
func (*ContentKeyPolicyPlayReadyConfiguration) ODataType() string {
	return ODataTypePlayReadyConfiguration
}

// ODataType returns the discriminator.
func (*ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader) ODataType() string {
	return ODataTypePlayReadyKeyFromHeader
}

// ODataType returns the discriminator.
func (*ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier) ODataType() string {
	return ODataTypePlayReadyKeyFromKeyIdentifier
}

// MarshalJSON writes the discriminator first.
func (c ContentKeyPolicyPlayReadyConfiguration) MarshalJSON() ([]byte, error) {
	type alias ContentKeyPolicyPlayReadyConfiguration
	return marshalTyped(ODataTypePlayReadyConfiguration, alias(c))
}

// MarshalJSON writes the discriminator first.
func (ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader) MarshalJSON() ([]byte, error) {
	return marshalTyped(ODataTypePlayReadyKeyFromHeader, struct{}{})
}

// MarshalJSON writes the discriminator first.
func (k ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier) MarshalJSON() ([]byte, error) {
	type alias ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier
	return marshalTyped(ODataTypePlayReadyKeyFromKeyIdentifier, alias(k))
}

// UnmarshalJSON decodes licenses one by one so that errors carry the index.
func (c *ContentKeyPolicyPlayReadyConfiguration) UnmarshalJSON(data []byte) error {
	type alias ContentKeyPolicyPlayReadyConfiguration
	aux := struct {
		*alias
		Licenses []json.RawMessage `json:"licenses"`
	}{alias: (*alias)(c)}
	if err := decodeAt(data, "", &aux); err != nil {
		return err
	}
	c.Licenses = nil
	if aux.Licenses != nil {
		c.Licenses = make([]ContentKeyPolicyPlayReadyLicense, len(aux.Licenses))
	}
	for i, raw := range aux.Licenses {
		if err := decodeAt(raw, index("licenses", i), &c.Licenses[i]); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalJSON decodes the key location union.
func (l *ContentKeyPolicyPlayReadyLicense) UnmarshalJSON(data []byte) error {
	type alias ContentKeyPolicyPlayReadyLicense
	aux := struct {
		*alias
		ContentKeyLocation json.RawMessage `json:"contentKeyLocation"`
	}{alias: (*alias)(l)}
	if err := decodeAt(data, "", &aux); err != nil {
		return err
	}
	const path = "contentKeyLocation"
	l.ContentKeyLocation = nil
	t, ok, err := readODataType(aux.ContentKeyLocation, path)
	if !ok {
		return err
	}
	switch t {
	case ODataTypePlayReadyKeyFromHeader:
		l.ContentKeyLocation = new(ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader)
	case ODataTypePlayReadyKeyFromKeyIdentifier:
		l.ContentKeyLocation = new(ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier)
	default:
		return unknownODataType(path, t, ODataTypePlayReadyKeyFromHeader, ODataTypePlayReadyKeyFromKeyIdentifier)
	}
	return decodeAt(aux.ContentKeyLocation, path, l.ContentKeyLocation)
}

func (c *ContentKeyPolicyPlayReadyConfiguration) validateConfiguration(path string) error {
	if c == nil {
		return required(path)
	}
	p := join(path, "licenses")
	if len(c.Licenses) == 0 {
		return errorf(p, "is required and must hold at least one license")
	}
	for i := range c.Licenses {
		if err := c.Licenses[i].validate(index(p, i)); err != nil {
			return err
		}
	}
	return nil
}

func (l *ContentKeyPolicyPlayReadyLicense) validate(path string) error {
	if l.AllowTestDevices == nil {
		return required(join(path, "allowTestDevices"))
	}
	if err := checkOptionalEnum(join(path, "securityLevel"), l.SecurityLevel,
		SecurityLevelSL150, SecurityLevelSL2000, SecurityLevelSL3000); err != nil {
		return err
	}
	// An absolute and a relative date for the same edge contradict each
	// other; AMS accepted only one of each pair.
	if l.BeginDate != nil && l.RelativeBeginDate != "" {
		return errorf(join(path, "relativeBeginDate"), "cannot be combined with beginDate")
	}
	if l.ExpirationDate != nil && l.RelativeExpirationDate != "" {
		return errorf(join(path, "relativeExpirationDate"), "cannot be combined with expirationDate")
	}
	if l.BeginDate != nil && l.ExpirationDate != nil && !l.BeginDate.Before(l.ExpirationDate.Time) {
		return errorf(join(path, "expirationDate"), "must be after beginDate")
	}
	for _, d := range []struct{ name, v string }{
		{"relativeBeginDate", l.RelativeBeginDate},
		{"relativeExpirationDate", l.RelativeExpirationDate},
		{"gracePeriod", l.GracePeriod},
	} {
		if err := checkDuration(join(path, d.name), d.v); err != nil {
			return err
		}
	}
	if l.PlayRight != nil {
		if err := l.PlayRight.validate(join(path, "playRight")); err != nil {
			return err
		}
	}
	if err := checkEnum(join(path, "licenseType"), l.LicenseType,
		ContentKeyPolicyPlayReadyLicenseTypeNonPersistent, ContentKeyPolicyPlayReadyLicenseTypePersistent); err != nil {
		return err
	}
	p := join(path, "contentKeyLocation")
	if l.ContentKeyLocation == nil {
		return required(p)
	}
	if err := l.ContentKeyLocation.validateLocation(p); err != nil {
		return err
	}
	return checkEnum(join(path, "contentType"), l.ContentType, ContentKeyPolicyPlayReadyContentTypeUnspecified,
		ContentKeyPolicyPlayReadyContentTypeUltraVioletDownload, ContentKeyPolicyPlayReadyContentTypeUltraVioletStreaming)
}

func (r *ContentKeyPolicyPlayReadyPlayRight) validate(path string) error {
	if err := checkDuration(join(path, "firstPlayExpiration"), r.FirstPlayExpiration); err != nil {
		return err
	}
	// SCMS and AGC/colour-stripe are 2-bit values in the PlayReady license.
	for _, f := range []struct {
		name string
		v    *int32
	}{{"scmsRestriction", r.ScmsRestriction}, {"agcAndColorStripeRestriction", r.AgcAndColorStripeRestriction}} {
		if f.v != nil && (*f.v < 0 || *f.v > 3) {
			return errorf(join(path, f.name), "must be 0-3")
		}
	}
	if e := r.ExplicitAnalogTelevisionOutputRestriction; e != nil {
		p := join(path, "explicitAnalogTelevisionOutputRestriction")
		switch {
		case e.BestEffort == nil:
			return required(join(p, "bestEffort"))
		case e.ConfigurationData == nil:
			return required(join(p, "configurationData"))
		case *e.ConfigurationData < 0 || *e.ConfigurationData > 3:
			return errorf(join(p, "configurationData"), "must be 0-3")
		}
	}
	for _, f := range []struct {
		name string
		v    *bool
	}{
		{"digitalVideoOnlyContentRestriction", r.DigitalVideoOnlyContentRestriction},
		{"imageConstraintForAnalogComponentVideoRestriction", r.ImageConstraintForAnalogComponentVideoRestriction},
		{"imageConstraintForAnalogComputerMonitorRestriction", r.ImageConstraintForAnalogComputerMonitorRestriction},
	} {
		if f.v == nil {
			return required(join(path, f.name))
		}
	}
	if err := checkEnum(join(path, "allowPassingVideoContentToUnknownOutput"), r.AllowPassingVideoContentToUnknownOutput,
		ContentKeyPolicyPlayReadyUnknownOutputPassingOptionNotAllowed, ContentKeyPolicyPlayReadyUnknownOutputPassingOptionAllowed,
		ContentKeyPolicyPlayReadyUnknownOutputPassingOptionAllowedWithVideoConstriction); err != nil {
		return err
	}
	// Output protection levels are 16-bit fields in the PlayReady license;
	// which levels a client honours is the PlayReady compliance rules' call.
	for _, f := range []struct {
		name string
		v    *int32
	}{
		{"uncompressedDigitalVideoOpl", r.UncompressedDigitalVideoOpl},
		{"compressedDigitalVideoOpl", r.CompressedDigitalVideoOpl},
		{"analogVideoOpl", r.AnalogVideoOpl},
		{"compressedDigitalAudioOpl", r.CompressedDigitalAudioOpl},
		{"uncompressedDigitalAudioOpl", r.UncompressedDigitalAudioOpl},
	} {
		if f.v != nil && (*f.v < 0 || *f.v > 65535) {
			return errorf(join(path, f.name), "must be 0-65535")
		}
	}
	return nil
}

func (k *ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader) validateLocation(path string) error {
	if k == nil {
		return required(path)
	}
	return nil
}

func (k *ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier) validateLocation(path string) error {
	if k == nil {
		return required(path)
	}
	return checkGUID(join(path, "keyId"), k.KeyID)
}

func (k *ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader) copyLocation() ContentKeyPolicyPlayReadyContentKeyLocation {
	if k == nil {
		return nil
	}
	return &ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader{}
}

func (k *ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier) copyLocation() ContentKeyPolicyPlayReadyContentKeyLocation {
	if k == nil {
		return nil
	}
	v := *k
	return &v
}

// PlayReady configurations hold no secrets; redact only copies.
func (c *ContentKeyPolicyPlayReadyConfiguration) copyConfiguration(bool) ContentKeyPolicyConfiguration {
	if c == nil {
		return nil
	}
	v := *c
	if c.Licenses != nil {
		v.Licenses = make([]ContentKeyPolicyPlayReadyLicense, len(c.Licenses))
	}
	for i, l := range c.Licenses {
		l.AllowTestDevices = clonePtr(l.AllowTestDevices)
		l.BeginDate, l.ExpirationDate = clonePtr(l.BeginDate), clonePtr(l.ExpirationDate)
		if l.ContentKeyLocation != nil {
			l.ContentKeyLocation = l.ContentKeyLocation.copyLocation()
		}
		if r := l.PlayRight; r != nil {
			pr := *r
			for _, p := range []**int32{&pr.ScmsRestriction, &pr.AgcAndColorStripeRestriction, &pr.UncompressedDigitalVideoOpl,
				&pr.CompressedDigitalVideoOpl, &pr.AnalogVideoOpl, &pr.CompressedDigitalAudioOpl, &pr.UncompressedDigitalAudioOpl} {
				*p = clonePtr(*p)
			}
			for _, p := range []**bool{&pr.DigitalVideoOnlyContentRestriction, &pr.ImageConstraintForAnalogComponentVideoRestriction,
				&pr.ImageConstraintForAnalogComputerMonitorRestriction} {
				*p = clonePtr(*p)
			}
			if e := r.ExplicitAnalogTelevisionOutputRestriction; e != nil {
				pr.ExplicitAnalogTelevisionOutputRestriction = &ContentKeyPolicyPlayReadyExplicitAnalogTelevisionRestriction{
					BestEffort: clonePtr(e.BestEffort), ConfigurationData: clonePtr(e.ConfigurationData),
				}
			}
			l.PlayRight = &pr
		}
		v.Licenses[i] = l
	}
	return &v
}
