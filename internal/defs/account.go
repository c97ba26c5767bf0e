package defs

import (
	"net/netip"
	"strings"
)

// MediaService is a Media Services account (tracked resource).
type MediaService struct {
	ID         string                  `json:"id,omitempty"`
	Name       string                  `json:"name,omitempty"`
	Type       string                  `json:"type,omitempty"`
	SystemData *SystemData             `json:"systemData,omitempty"`
	Location   string                  `json:"location"`
	Tags       map[string]string       `json:"tags,omitempty"`
	Identity   *MediaServiceIdentity   `json:"identity,omitempty"`
	Properties *MediaServiceProperties `json:"properties,omitempty"`
}

// MediaServiceUpdate is the body of an account PATCH.
type MediaServiceUpdate struct {
	Tags       map[string]string       `json:"tags,omitempty"`
	Identity   *MediaServiceIdentity   `json:"identity,omitempty"`
	Properties *MediaServiceProperties `json:"properties,omitempty"`
}

// MediaServiceProperties configures an account. (There is no
// minimumTlsVersion in the api-versions Lockstream serves.)
type MediaServiceProperties struct {
	MediaServiceID             string                      `json:"mediaServiceId,omitempty"` // read-only
	StorageAccounts            []StorageAccount            `json:"storageAccounts,omitempty"`
	StorageAuthentication      StorageAuthentication       `json:"storageAuthentication,omitempty"`
	Encryption                 *AccountEncryption          `json:"encryption,omitempty"`
	KeyDelivery                *KeyDelivery                `json:"keyDelivery,omitempty"`
	PublicNetworkAccess        PublicNetworkAccess         `json:"publicNetworkAccess,omitempty"`
	ProvisioningState          ProvisioningState           `json:"provisioningState,omitempty"`          // read-only
	PrivateEndpointConnections []PrivateEndpointConnection `json:"privateEndpointConnections,omitempty"` // read-only
}

// MediaServiceIdentity is the account's managed identity. Type is
// "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned" or
// "None".
type MediaServiceIdentity struct {
	Type                   string                                 `json:"type"`
	UserAssignedIdentities map[string]UserAssignedManagedIdentity `json:"userAssignedIdentities,omitempty"`
	PrincipalID            string                                 `json:"principalId,omitempty"` // read-only
	TenantID               string                                 `json:"tenantId,omitempty"`    // read-only
}

// UserAssignedManagedIdentity is read-only.
type UserAssignedManagedIdentity struct {
	ClientID    string `json:"clientId,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
}

// StorageAccount is one storage account of the account.
type StorageAccount struct {
	Type     StorageAccountType `json:"type"`
	ID       string             `json:"id,omitempty"`
	Identity *ResourceIdentity  `json:"identity,omitempty"`
	Status   string             `json:"status,omitempty"` // read-only
}

// ResourceIdentity selects the identity used for storage or key vault.
type ResourceIdentity struct {
	UseSystemAssignedIdentity *bool  `json:"useSystemAssignedIdentity,omitempty"`
	UserAssignedIdentity      string `json:"userAssignedIdentity,omitempty"`
}

// AccountEncryption configures account-level encryption.
type AccountEncryption struct {
	Type               AccountEncryptionKeyType `json:"type"`
	Identity           *ResourceIdentity        `json:"identity,omitempty"`
	KeyVaultProperties *KeyVaultProperties      `json:"keyVaultProperties,omitempty"`
	Status             string                   `json:"status,omitempty"` // read-only
}

// KeyVaultProperties names the customer key.
type KeyVaultProperties struct {
	KeyIdentifier        string `json:"keyIdentifier,omitempty"`
	CurrentKeyIdentifier string `json:"currentKeyIdentifier,omitempty"` // read-only
}

// KeyDelivery configures the key delivery service.
type KeyDelivery struct {
	AccessControl *AccessControl `json:"accessControl,omitempty"`
}

// AccessControl is key delivery's IP allow-list, checked before tokens.
type AccessControl struct {
	DefaultAction DefaultAction `json:"defaultAction,omitempty"`
	// IPAllowList holds addresses or CIDR ranges; it must be empty when
	// DefaultAction is Allow.
	IPAllowList []string `json:"ipAllowList,omitempty"`
}

// PrivateEndpointConnection is read-only in account bodies.
type PrivateEndpointConnection struct {
	ID         string                               `json:"id,omitempty"`
	Name       string                               `json:"name,omitempty"`
	Type       string                               `json:"type,omitempty"`
	Properties *PrivateEndpointConnectionProperties `json:"properties,omitempty"`
}

// PrivateEndpointConnectionProperties describes a private endpoint link.
type PrivateEndpointConnectionProperties struct {
	PrivateEndpoint                   *PrivateEndpoint                           `json:"privateEndpoint,omitempty"`
	PrivateLinkServiceConnectionState *PrivateLinkServiceConnectionState         `json:"privateLinkServiceConnectionState,omitempty"`
	ProvisioningState                 PrivateEndpointConnectionProvisioningState `json:"provisioningState,omitempty"`
}

// PrivateEndpoint identifies a private endpoint.
type PrivateEndpoint struct {
	ID string `json:"id,omitempty"`
}

// PrivateLinkServiceConnectionState is a connection's approval state.
type PrivateLinkServiceConnectionState struct {
	Status          PrivateEndpointServiceConnectionStatus `json:"status,omitempty"`
	Description     string                                 `json:"description,omitempty"`
	ActionsRequired string                                 `json:"actionsRequired,omitempty"`
}

// CheckNameAvailabilityInput is the body of locations/checkNameAvailability.
type CheckNameAvailabilityInput struct {
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// EntityNameAvailabilityCheckOutput answers checkNameAvailability.
type EntityNameAvailabilityCheckOutput struct {
	NameAvailable bool   `json:"nameAvailable"`
	Reason        string `json:"reason,omitempty"`
	Message       string `json:"message,omitempty"`
}

// Validate checks a create body.
func (m *MediaService) Validate() error {
	if strings.TrimSpace(m.Location) == "" {
		return required("location")
	}
	return validateAccount(m.Tags, m.Identity, m.Properties)
}

// Validate checks a PATCH body.
func (m *MediaServiceUpdate) Validate() error {
	return validateAccount(m.Tags, m.Identity, m.Properties)
}

func validateAccount(tags map[string]string, id *MediaServiceIdentity, p *MediaServiceProperties) error {
	if err := checkTags("tags", tags); err != nil {
		return err
	}
	if id != nil {
		switch id.Type {
		case "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned", "None":
		case "":
			return required("identity.type")
		default:
			return errorf("identity.type", "%q is not one of SystemAssigned, UserAssigned, SystemAssigned,UserAssigned, None", id.Type)
		}
		for k := range id.UserAssignedIdentities {
			if k == "" {
				return errorf("identity.userAssignedIdentities", "keys must be identity resource ids")
			}
		}
	}
	if p == nil {
		return nil
	}
	primaries := 0
	for i, s := range p.StorageAccounts {
		sp := index("properties.storageAccounts", i)
		if err := checkEnum(join(sp, "type"), s.Type, StorageAccountTypePrimary, StorageAccountTypeSecondary); err != nil {
			return err
		}
		if s.Type == StorageAccountTypePrimary {
			if primaries++; primaries > 1 {
				return errorf(join(sp, "type"), "only one storage account may be Primary")
			}
		}
		if err := checkResourceIdentity(join(sp, "identity"), s.Identity); err != nil {
			return err
		}
	}
	if err := checkOptionalEnum("properties.storageAuthentication", p.StorageAuthentication,
		StorageAuthenticationSystem, StorageAuthenticationManagedIdentity); err != nil {
		return err
	}
	if err := checkOptionalEnum("properties.publicNetworkAccess", p.PublicNetworkAccess,
		PublicNetworkAccessEnabled, PublicNetworkAccessDisabled); err != nil {
		return err
	}
	if e := p.Encryption; e != nil {
		if err := checkEnum("properties.encryption.type", e.Type, AccountEncryptionKeyTypeSystemKey, AccountEncryptionKeyTypeCustomerKey); err != nil {
			return err
		}
		if e.Type == AccountEncryptionKeyTypeCustomerKey && (e.KeyVaultProperties == nil || e.KeyVaultProperties.KeyIdentifier == "") {
			return errorf("properties.encryption.keyVaultProperties.keyIdentifier", "is required for CustomerKey encryption")
		}
		if err := checkResourceIdentity("properties.encryption.identity", e.Identity); err != nil {
			return err
		}
	}
	if kd := p.KeyDelivery; kd != nil && kd.AccessControl != nil {
		ac := kd.AccessControl
		const path = "properties.keyDelivery.accessControl"
		if err := checkOptionalEnum(join(path, "defaultAction"), ac.DefaultAction, DefaultActionAllow, DefaultActionDeny); err != nil {
			return err
		}
		if ac.DefaultAction == DefaultActionAllow && len(ac.IPAllowList) > 0 {
			return errorf(join(path, "ipAllowList"), "must be empty when defaultAction is Allow")
		}
		for i, s := range ac.IPAllowList {
			if !isIPOrPrefix(s) {
				return errorf(index(join(path, "ipAllowList"), i), "%q is not an IP address or CIDR range", s)
			}
		}
	}
	return nil
}

func checkResourceIdentity(path string, r *ResourceIdentity) error {
	if r != nil && r.UseSystemAssignedIdentity == nil {
		return required(join(path, "useSystemAssignedIdentity"))
	}
	return nil
}

func isIPOrPrefix(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// Validate checks a checkNameAvailability body.
func (in *CheckNameAvailabilityInput) Validate() error {
	if in.Name == "" {
		return required("name")
	}
	switch strings.ToLower(in.Type) {
	case "", "mediaservices", "microsoft.media/mediaservices":
		return nil
	}
	return errorf("type", "%q is not Microsoft.Media/mediaservices", in.Type)
}
