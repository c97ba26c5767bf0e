package defs

import "encoding/json"

// MaxContentKeyPolicyOptions is AMS's limit on options per policy.
const MaxContentKeyPolicyOptions = 30

// ContentKeyPolicy is a content key policy resource.
type ContentKeyPolicy struct {
	ID         string                      `json:"id,omitempty"`
	Name       string                      `json:"name,omitempty"`
	Type       string                      `json:"type,omitempty"`
	SystemData *SystemData                 `json:"systemData,omitempty"`
	Properties *ContentKeyPolicyProperties `json:"properties,omitempty"`
}

// ContentKeyPolicyProperties is also the bare body of
// getPolicyPropertiesWithSecrets.
type ContentKeyPolicyProperties struct {
	PolicyID     string                   `json:"policyId,omitempty"` // read-only
	Created      *Time                    `json:"created,omitempty"`  // read-only
	LastModified *Time                    `json:"lastModified,omitempty"`
	Description  string                   `json:"description,omitempty"`
	Options      []ContentKeyPolicyOption `json:"options"`
}

// ContentKeyPolicyOption pairs how a key is delivered (Configuration) with
// who may get it (Restriction).
type ContentKeyPolicyOption struct {
	PolicyOptionID string                        `json:"policyOptionId,omitempty"` // read-only
	Name           string                        `json:"name,omitempty"`
	Configuration  ContentKeyPolicyConfiguration `json:"configuration"`
	Restriction    ContentKeyPolicyRestriction   `json:"restriction"`
}

// ContentKeyPolicyConfiguration is the configuration union; implemented by
// *ContentKeyPolicyClearKeyConfiguration, *ContentKeyPolicyUnknownConfiguration,
// *ContentKeyPolicyWidevineConfiguration, *ContentKeyPolicyPlayReadyConfiguration
// and *ContentKeyPolicyFairPlayConfiguration.
type ContentKeyPolicyConfiguration interface {
	ODataType() string
	validateConfiguration(path string) error
	copyConfiguration(redact bool) ContentKeyPolicyConfiguration
}

// ContentKeyPolicyRestriction is the restriction union; implemented by
// *ContentKeyPolicyOpenRestriction, *ContentKeyPolicyUnknownRestriction and
// *ContentKeyPolicyTokenRestriction.
type ContentKeyPolicyRestriction interface {
	ODataType() string
	validateRestriction(path string) error
	copyRestriction(redact bool) ContentKeyPolicyRestriction
}

// UnmarshalJSON decodes properties itself so that errors inside carry the
// "properties." prefix.
func (p *ContentKeyPolicy) UnmarshalJSON(data []byte) error {
	type alias ContentKeyPolicy
	aux := struct {
		*alias
		Properties json.RawMessage `json:"properties"`
	}{alias: (*alias)(p)}
	if err := decodeAt(data, "", &aux); err != nil {
		return err
	}
	p.Properties = nil
	if isNull(aux.Properties) {
		return nil
	}
	p.Properties = new(ContentKeyPolicyProperties)
	return decodeAt(aux.Properties, "properties", p.Properties)
}

// UnmarshalJSON decodes options one by one so that errors carry the index.
func (p *ContentKeyPolicyProperties) UnmarshalJSON(data []byte) error {
	type alias ContentKeyPolicyProperties
	aux := struct {
		*alias
		Options []json.RawMessage `json:"options"`
	}{alias: (*alias)(p)}
	if err := decodeAt(data, "", &aux); err != nil {
		return err
	}
	p.Options = nil
	if aux.Options != nil {
		p.Options = make([]ContentKeyPolicyOption, len(aux.Options))
	}
	for i, raw := range aux.Options {
		if err := decodeAt(raw, index("options", i), &p.Options[i]); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalJSON decodes the two unions by their discriminators.
func (o *ContentKeyPolicyOption) UnmarshalJSON(data []byte) error {
	type alias ContentKeyPolicyOption
	aux := struct {
		*alias
		Configuration json.RawMessage `json:"configuration"`
		Restriction   json.RawMessage `json:"restriction"`
	}{alias: (*alias)(o)}
	if err := decodeAt(data, "", &aux); err != nil {
		return err
	}
	var err error
	if o.Configuration, err = decodeConfiguration(aux.Configuration, "configuration"); err != nil {
		return err
	}
	o.Restriction, err = decodeRestriction(aux.Restriction, "restriction")
	return err
}

func decodeConfiguration(raw []byte, path string) (ContentKeyPolicyConfiguration, error) {
	t, ok, err := readODataType(raw, path)
	if !ok {
		return nil, err
	}
	var c ContentKeyPolicyConfiguration
	switch t {
	case ODataTypeClearKeyConfiguration:
		c = new(ContentKeyPolicyClearKeyConfiguration)
	case ODataTypeUnknownConfiguration:
		c = new(ContentKeyPolicyUnknownConfiguration)
	case ODataTypeWidevineConfiguration:
		c = new(ContentKeyPolicyWidevineConfiguration)
	case ODataTypePlayReadyConfiguration:
		c = new(ContentKeyPolicyPlayReadyConfiguration)
	case ODataTypeFairPlayConfiguration:
		c = new(ContentKeyPolicyFairPlayConfiguration)
	default:
		return nil, unknownODataType(path, t, ODataTypeClearKeyConfiguration, ODataTypeWidevineConfiguration,
			ODataTypePlayReadyConfiguration, ODataTypeFairPlayConfiguration, ODataTypeUnknownConfiguration)
	}
	if err := decodeAt(raw, path, c); err != nil {
		return nil, err
	}
	return c, nil
}

func decodeRestriction(raw []byte, path string) (ContentKeyPolicyRestriction, error) {
	t, ok, err := readODataType(raw, path)
	if !ok {
		return nil, err
	}
	var r ContentKeyPolicyRestriction
	switch t {
	case ODataTypeOpenRestriction:
		r = new(ContentKeyPolicyOpenRestriction)
	case ODataTypeUnknownRestriction:
		r = new(ContentKeyPolicyUnknownRestriction)
	case ODataTypeTokenRestriction:
		r = new(ContentKeyPolicyTokenRestriction)
	default:
		return nil, unknownODataType(path, t, ODataTypeOpenRestriction, ODataTypeTokenRestriction, ODataTypeUnknownRestriction)
	}
	if err := decodeAt(raw, path, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Validate checks a create or update body.
func (p *ContentKeyPolicy) Validate() error {
	if p.Properties == nil {
		return required("properties")
	}
	return p.Properties.validate("properties")
}

func (p *ContentKeyPolicyProperties) validate(path string) error {
	opts := join(path, "options")
	switch n := len(p.Options); {
	case n == 0:
		return errorf(opts, "is required and must hold at least one option")
	case n > MaxContentKeyPolicyOptions:
		return errorf(opts, "at most %d options are allowed (got %d)", MaxContentKeyPolicyOptions, n)
	}
	for i := range p.Options {
		if err := p.Options[i].validate(index(opts, i)); err != nil {
			return err
		}
	}
	return nil
}

func (o *ContentKeyPolicyOption) validate(path string) error {
	if o.Configuration == nil {
		return required(join(path, "configuration"))
	}
	if err := o.Configuration.validateConfiguration(join(path, "configuration")); err != nil {
		return err
	}
	if o.Restriction == nil {
		return required(join(path, "restriction"))
	}
	return o.Restriction.validateRestriction(join(path, "restriction"))
}

// Redact returns a deep copy of the policy with every secret blanked; see
// ContentKeyPolicyProperties.Redact.
func (p *ContentKeyPolicy) Redact() *ContentKeyPolicy {
	if p == nil {
		return nil
	}
	c := *p
	c.SystemData = clonePtr(p.SystemData)
	c.Properties = p.Properties.Redact()
	return &c
}

// Redact returns a deep copy with every secret blanked as AMS shows them in
// GET, LIST and PUT responses: token key bytes (keyValue, modulus,
// exponent, rawBody) and FairPlay ask, fairPlayPfx and fairPlayPfxPassword
// become "", and token restrictions always carry alternateVerificationKeys
// and requiredClaims arrays. p is not modified.
func (p *ContentKeyPolicyProperties) Redact() *ContentKeyPolicyProperties { return p.copy(true) }

// Clone returns a deep copy of p, secrets included.
func (p *ContentKeyPolicyProperties) Clone() *ContentKeyPolicyProperties { return p.copy(false) }

func (p *ContentKeyPolicyProperties) copy(redact bool) *ContentKeyPolicyProperties {
	if p == nil {
		return nil
	}
	c := *p
	c.Created, c.LastModified = clonePtr(p.Created), clonePtr(p.LastModified)
	if p.Options != nil {
		c.Options = make([]ContentKeyPolicyOption, len(p.Options))
	}
	for i, o := range p.Options {
		if o.Configuration != nil {
			o.Configuration = o.Configuration.copyConfiguration(redact)
		}
		if o.Restriction != nil {
			o.Restriction = o.Restriction.copyRestriction(redact)
		}
		c.Options[i] = o
	}
	return &c
}
