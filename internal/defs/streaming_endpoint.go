package defs

import (
	"encoding/json"
	"net/netip"
	"strings"
)

// MaxStreamingEndpointScaleUnits is the premium scale unit limit (AMS: 10).
const MaxStreamingEndpointScaleUnits = 10

// StreamingEndpoint is a streaming endpoint (tracked resource).
type StreamingEndpoint struct {
	ID         string                          `json:"id,omitempty"`
	Name       string                          `json:"name,omitempty"`
	Type       string                          `json:"type,omitempty"`
	SystemData *SystemData                     `json:"systemData,omitempty"`
	Location   string                          `json:"location"`
	Tags       map[string]string               `json:"tags,omitempty"`
	Sku        *ArmStreamingEndpointCurrentSku `json:"sku,omitempty"`
	Properties *StreamingEndpointProperties    `json:"properties,omitempty"`
}

// ArmStreamingEndpointCurrentSku is the endpoint's current SKU; Name
// ("Standard" or "Premium") is read-only.
type ArmStreamingEndpointCurrentSku struct {
	Name     string `json:"name,omitempty"`
	Capacity *int32 `json:"capacity,omitempty"`
}

// StreamingEndpointProperties configures an endpoint.
type StreamingEndpointProperties struct {
	// ScaleUnits is required: 0 = Standard, 1–10 = Premium units.
	ScaleUnits              *int32                          `json:"scaleUnits,omitempty"`
	Description             string                          `json:"description,omitempty"`
	AvailabilitySetName     string                          `json:"availabilitySetName,omitempty"` // deprecated
	AccessControl           *StreamingEndpointAccessControl `json:"accessControl,omitempty"`
	MaxCacheAge             *int64                          `json:"maxCacheAge,omitempty"`
	CustomHostNames         []string                        `json:"customHostNames,omitempty"`
	CdnEnabled              *bool                           `json:"cdnEnabled,omitempty"`
	CdnProvider             string                          `json:"cdnProvider,omitempty"`
	CdnProfile              string                          `json:"cdnProfile,omitempty"`
	CrossSiteAccessPolicies *CrossSiteAccessPolicies        `json:"crossSiteAccessPolicies,omitempty"`
	// Read-only.
	HostName          string                         `json:"hostName,omitempty"`
	ProvisioningState string                         `json:"provisioningState,omitempty"`
	ResourceState     StreamingEndpointResourceState `json:"resourceState,omitempty"`
	FreeTrialEndTime  *Time                          `json:"freeTrialEndTime,omitempty"`
	Created           *Time                          `json:"created,omitempty"`
	LastModified      *Time                          `json:"lastModified,omitempty"`
}

// StreamingEndpointAccessControl restricts who may stream.
type StreamingEndpointAccessControl struct {
	Akamai *AkamaiAccessControl `json:"akamai,omitempty"`
	IP     *IPAccessControl     `json:"ip,omitempty"`
}

// AkamaiAccessControl lists Akamai signature header keys.
type AkamaiAccessControl struct {
	AkamaiSignatureHeaderAuthenticationKeyList []AkamaiSignatureHeaderAuthenticationKey `json:"akamaiSignatureHeaderAuthenticationKeyList,omitempty"`
}

// AkamaiSignatureHeaderAuthenticationKey is one Akamai G2O key.
type AkamaiSignatureHeaderAuthenticationKey struct {
	Identifier string `json:"identifier,omitempty"`
	Base64Key  string `json:"base64Key,omitempty"`
	Expiration *Time  `json:"expiration,omitempty"`
}

// IPAccessControl is an IP allow-list.
type IPAccessControl struct {
	Allow []IPRange `json:"allow,omitempty"`
}

// IPRange is an address or subnet.
type IPRange struct {
	Name               string `json:"name,omitempty"`
	Address            string `json:"address,omitempty"`
	SubnetPrefixLength *int32 `json:"subnetPrefixLength,omitempty"`
}

// CrossSiteAccessPolicies are served as /clientaccesspolicy.xml and
// /crossdomain.xml.
type CrossSiteAccessPolicies struct {
	ClientAccessPolicy string `json:"clientAccessPolicy,omitempty"`
	CrossDomainPolicy  string `json:"crossDomainPolicy,omitempty"`
}

// StreamingEntityScaleUnit is the body of POST scale.
type StreamingEntityScaleUnit struct {
	ScaleUnit *int32 `json:"scaleUnit,omitempty"`
}

// StreamingEndpointSkuInfoListResult is the response of GET skus.
type StreamingEndpointSkuInfoListResult struct {
	Value []ArmStreamingEndpointSkuInfo `json:"value"`
}

// MarshalJSON always emits the array.
func (r StreamingEndpointSkuInfoListResult) MarshalJSON() ([]byte, error) {
	type alias StreamingEndpointSkuInfoListResult
	r.Value = nonNil(r.Value)
	return json.Marshal(alias(r))
}

// ArmStreamingEndpointSkuInfo describes one SKU.
type ArmStreamingEndpointSkuInfo struct {
	ResourceType string                        `json:"resourceType,omitempty"`
	Sku          *ArmStreamingEndpointSku      `json:"sku,omitempty"`
	Capacity     *ArmStreamingEndpointCapacity `json:"capacity,omitempty"`
}

// ArmStreamingEndpointSku names a SKU.
type ArmStreamingEndpointSku struct {
	Name string `json:"name,omitempty"`
}

// ArmStreamingEndpointCapacity is a SKU's scale range.
type ArmStreamingEndpointCapacity struct {
	Default   *int32 `json:"default,omitempty"`
	Minimum   *int32 `json:"minimum,omitempty"`
	Maximum   *int32 `json:"maximum,omitempty"`
	ScaleType string `json:"scaleType,omitempty"`
}

// Validate checks a create or update body.
func (e *StreamingEndpoint) Validate() error {
	if strings.TrimSpace(e.Location) == "" {
		return required("location")
	}
	if err := checkTags("tags", e.Tags); err != nil {
		return err
	}
	if e.Sku != nil && e.Sku.Capacity != nil && *e.Sku.Capacity < 0 {
		return errorf("sku.capacity", "must not be negative")
	}
	p := e.Properties
	if p == nil {
		return required("properties")
	}
	if err := checkScaleUnits("properties.scaleUnits", p.ScaleUnits); err != nil {
		return err
	}
	if p.MaxCacheAge != nil && *p.MaxCacheAge < 0 {
		return errorf("properties.maxCacheAge", "must not be negative")
	}
	if err := checkOptionalEnum("properties.cdnProvider", p.CdnProvider,
		CdnProviderStandardVerizon, CdnProviderPremiumVerizon, CdnProviderStandardAkamai); err != nil {
		return err
	}
	for i, h := range p.CustomHostNames {
		if err := checkHostName(index("properties.customHostNames", i), h); err != nil {
			return err
		}
	}
	if c := p.CrossSiteAccessPolicies; c != nil {
		if err := checkXML("properties.crossSiteAccessPolicies.clientAccessPolicy", c.ClientAccessPolicy); err != nil {
			return err
		}
		if err := checkXML("properties.crossSiteAccessPolicies.crossDomainPolicy", c.CrossDomainPolicy); err != nil {
			return err
		}
	}
	if ac := p.AccessControl; ac != nil {
		if ac.Akamai != nil {
			kp := "properties.accessControl.akamai.akamaiSignatureHeaderAuthenticationKeyList"
			for i, k := range ac.Akamai.AkamaiSignatureHeaderAuthenticationKeyList {
				if k.Base64Key == "" {
					return required(join(index(kp, i), "base64Key"))
				}
				if _, err := checkBase64String(join(index(kp, i), "base64Key"), k.Base64Key); err != nil {
					return err
				}
			}
		}
		if ac.IP != nil {
			if err := checkIPRanges("properties.accessControl.ip.allow", ac.IP.Allow); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate checks a scale body.
func (s *StreamingEntityScaleUnit) Validate() error { return checkScaleUnits("scaleUnit", s.ScaleUnit) }

func checkScaleUnits(path string, v *int32) error {
	switch {
	case v == nil:
		return required(path)
	case *v < 0 || *v > MaxStreamingEndpointScaleUnits:
		return errorf(path, "must be 0-%d", MaxStreamingEndpointScaleUnits)
	}
	return nil
}

func checkIPRanges(path string, ranges []IPRange) error {
	for i, r := range ranges {
		ap := join(index(path, i), "address")
		if r.Address == "" {
			return required(ap)
		}
		addr, err := netip.ParseAddr(r.Address)
		if err != nil {
			return errorf(ap, "%q is not an IP address", r.Address)
		}
		if l := r.SubnetPrefixLength; l != nil && (*l < 0 || int(*l) > addr.BitLen()) {
			return errorf(join(index(path, i), "subnetPrefixLength"), "must be 0-%d for this address", addr.BitLen())
		}
	}
	return nil
}
