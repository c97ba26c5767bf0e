package defs

import (
	"slices"
	"strings"
)

// Enum types, spelled as in the AMS specification. Constants named
// …Unknown exist because AMS emits them; input validation rejects them
// (see the package documentation).

// CreatedByType says what kind of identity created or modified a resource.
type CreatedByType string

// CreatedByType values.
const (
	CreatedByTypeApplication     CreatedByType = "Application"
	CreatedByTypeKey             CreatedByType = "Key"
	CreatedByTypeManagedIdentity CreatedByType = "ManagedIdentity"
	CreatedByTypeUser            CreatedByType = "User"
)

// AsyncOperationStatus is the state of a long-running operation.
type AsyncOperationStatus string

// AsyncOperationStatus values.
const (
	AsyncOperationStatusFailed     AsyncOperationStatus = "Failed"
	AsyncOperationStatusInProgress AsyncOperationStatus = "InProgress"
	AsyncOperationStatusSucceeded  AsyncOperationStatus = "Succeeded"
)

// ProvisioningState is the provisioning state of an account or track.
type ProvisioningState string

// ProvisioningState values.
const (
	ProvisioningStateFailed     ProvisioningState = "Failed"
	ProvisioningStateInProgress ProvisioningState = "InProgress"
	ProvisioningStateSucceeded  ProvisioningState = "Succeeded"
)

// AssetContainerPermission is the permission of a listContainerSas URL.
type AssetContainerPermission string

// AssetContainerPermission values.
const (
	AssetContainerPermissionRead            AssetContainerPermission = "Read"
	AssetContainerPermissionReadWrite       AssetContainerPermission = "ReadWrite"
	AssetContainerPermissionReadWriteDelete AssetContainerPermission = "ReadWriteDelete"
)

// AssetStorageEncryptionFormat is an asset's (legacy) storage encryption.
type AssetStorageEncryptionFormat string

// AssetStorageEncryptionFormat values.
const (
	AssetStorageEncryptionFormatMediaStorageClientEncryption AssetStorageEncryptionFormat = "MediaStorageClientEncryption"
	AssetStorageEncryptionFormatNone                         AssetStorageEncryptionFormat = "None"
)

// ContentKeyPolicyFairPlayRentalAndLeaseKeyType selects FairPlay's
// rental/lease behaviour.
type ContentKeyPolicyFairPlayRentalAndLeaseKeyType string

// ContentKeyPolicyFairPlayRentalAndLeaseKeyType values.
const (
	ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeDualExpiry          ContentKeyPolicyFairPlayRentalAndLeaseKeyType = "DualExpiry"
	ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentLimited   ContentKeyPolicyFairPlayRentalAndLeaseKeyType = "PersistentLimited"
	ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentUnlimited ContentKeyPolicyFairPlayRentalAndLeaseKeyType = "PersistentUnlimited"
	ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeUndefined           ContentKeyPolicyFairPlayRentalAndLeaseKeyType = "Undefined"
	ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeUnknown             ContentKeyPolicyFairPlayRentalAndLeaseKeyType = "Unknown"
)

// ContentKeyPolicyPlayReadyContentType is a PlayReady license content type.
type ContentKeyPolicyPlayReadyContentType string

// ContentKeyPolicyPlayReadyContentType values.
const (
	ContentKeyPolicyPlayReadyContentTypeUltraVioletDownload  ContentKeyPolicyPlayReadyContentType = "UltraVioletDownload"
	ContentKeyPolicyPlayReadyContentTypeUltraVioletStreaming ContentKeyPolicyPlayReadyContentType = "UltraVioletStreaming"
	ContentKeyPolicyPlayReadyContentTypeUnknown              ContentKeyPolicyPlayReadyContentType = "Unknown"
	ContentKeyPolicyPlayReadyContentTypeUnspecified          ContentKeyPolicyPlayReadyContentType = "Unspecified"
)

// ContentKeyPolicyPlayReadyLicenseType is a PlayReady license type.
type ContentKeyPolicyPlayReadyLicenseType string

// ContentKeyPolicyPlayReadyLicenseType values.
const (
	ContentKeyPolicyPlayReadyLicenseTypeNonPersistent ContentKeyPolicyPlayReadyLicenseType = "NonPersistent"
	ContentKeyPolicyPlayReadyLicenseTypePersistent    ContentKeyPolicyPlayReadyLicenseType = "Persistent"
	ContentKeyPolicyPlayReadyLicenseTypeUnknown       ContentKeyPolicyPlayReadyLicenseType = "Unknown"
)

// ContentKeyPolicyPlayReadyUnknownOutputPassingOption controls passing
// video to unknown outputs.
type ContentKeyPolicyPlayReadyUnknownOutputPassingOption string

// ContentKeyPolicyPlayReadyUnknownOutputPassingOption values.
const (
	ContentKeyPolicyPlayReadyUnknownOutputPassingOptionAllowed                      ContentKeyPolicyPlayReadyUnknownOutputPassingOption = "Allowed"
	ContentKeyPolicyPlayReadyUnknownOutputPassingOptionAllowedWithVideoConstriction ContentKeyPolicyPlayReadyUnknownOutputPassingOption = "AllowedWithVideoConstriction"
	ContentKeyPolicyPlayReadyUnknownOutputPassingOptionNotAllowed                   ContentKeyPolicyPlayReadyUnknownOutputPassingOption = "NotAllowed"
	ContentKeyPolicyPlayReadyUnknownOutputPassingOptionUnknown                      ContentKeyPolicyPlayReadyUnknownOutputPassingOption = "Unknown"
)

// ContentKeyPolicyRestrictionTokenType is the token format of a token
// restriction.
type ContentKeyPolicyRestrictionTokenType string

// ContentKeyPolicyRestrictionTokenType values.
const (
	ContentKeyPolicyRestrictionTokenTypeJwt     ContentKeyPolicyRestrictionTokenType = "Jwt"
	ContentKeyPolicyRestrictionTokenTypeSwt     ContentKeyPolicyRestrictionTokenType = "Swt"
	ContentKeyPolicyRestrictionTokenTypeUnknown ContentKeyPolicyRestrictionTokenType = "Unknown"
)

// SecurityLevel is a PlayReady client security level.
type SecurityLevel string

// SecurityLevel values.
const (
	SecurityLevelSL150   SecurityLevel = "SL150"
	SecurityLevelSL2000  SecurityLevel = "SL2000"
	SecurityLevelSL3000  SecurityLevel = "SL3000"
	SecurityLevelUnknown SecurityLevel = "Unknown"
)

// EncryptionScheme is a streaming encryption scheme (listPaths).
type EncryptionScheme string

// EncryptionScheme values.
const (
	EncryptionSchemeCommonEncryptionCbcs EncryptionScheme = "CommonEncryptionCbcs"
	EncryptionSchemeCommonEncryptionCenc EncryptionScheme = "CommonEncryptionCenc"
	EncryptionSchemeEnvelopeEncryption   EncryptionScheme = "EnvelopeEncryption"
	EncryptionSchemeNoEncryption         EncryptionScheme = "NoEncryption"
)

// StreamingPolicyStreamingProtocol is a streaming protocol (listPaths).
type StreamingPolicyStreamingProtocol string

// StreamingPolicyStreamingProtocol values.
const (
	StreamingPolicyStreamingProtocolDash            StreamingPolicyStreamingProtocol = "Dash"
	StreamingPolicyStreamingProtocolDownload        StreamingPolicyStreamingProtocol = "Download"
	StreamingPolicyStreamingProtocolHls             StreamingPolicyStreamingProtocol = "Hls"
	StreamingPolicyStreamingProtocolSmoothStreaming StreamingPolicyStreamingProtocol = "SmoothStreaming"
)

// StreamingLocatorContentKeyType is the scheme a locator key serves.
type StreamingLocatorContentKeyType string

// StreamingLocatorContentKeyType values.
const (
	StreamingLocatorContentKeyTypeCommonEncryptionCbcs StreamingLocatorContentKeyType = "CommonEncryptionCbcs"
	StreamingLocatorContentKeyTypeCommonEncryptionCenc StreamingLocatorContentKeyType = "CommonEncryptionCenc"
	StreamingLocatorContentKeyTypeEnvelopeEncryption   StreamingLocatorContentKeyType = "EnvelopeEncryption"
)

// TrackPropertyType is a streaming-policy track selection property.
type TrackPropertyType string

// TrackPropertyType values.
const (
	TrackPropertyTypeFourCC  TrackPropertyType = "FourCC"
	TrackPropertyTypeUnknown TrackPropertyType = "Unknown"
)

// TrackPropertyCompareOperation is a streaming-policy track selection
// operation.
type TrackPropertyCompareOperation string

// TrackPropertyCompareOperation values.
const (
	TrackPropertyCompareOperationEqual   TrackPropertyCompareOperation = "Equal"
	TrackPropertyCompareOperationUnknown TrackPropertyCompareOperation = "Unknown"
)

// FilterTrackPropertyType is a filter track condition property.
type FilterTrackPropertyType string

// FilterTrackPropertyType values.
const (
	FilterTrackPropertyTypeBitrate  FilterTrackPropertyType = "Bitrate"
	FilterTrackPropertyTypeFourCC   FilterTrackPropertyType = "FourCC"
	FilterTrackPropertyTypeLanguage FilterTrackPropertyType = "Language"
	FilterTrackPropertyTypeName     FilterTrackPropertyType = "Name"
	FilterTrackPropertyTypeType     FilterTrackPropertyType = "Type"
	FilterTrackPropertyTypeUnknown  FilterTrackPropertyType = "Unknown"
)

// FilterTrackPropertyCompareOperation is a filter track condition operation.
type FilterTrackPropertyCompareOperation string

// FilterTrackPropertyCompareOperation values.
const (
	FilterTrackPropertyCompareOperationEqual    FilterTrackPropertyCompareOperation = "Equal"
	FilterTrackPropertyCompareOperationNotEqual FilterTrackPropertyCompareOperation = "NotEqual"
)

// StreamingEndpointResourceState is a streaming endpoint's run state.
type StreamingEndpointResourceState string

// StreamingEndpointResourceState values.
const (
	StreamingEndpointResourceStateDeleting StreamingEndpointResourceState = "Deleting"
	StreamingEndpointResourceStateRunning  StreamingEndpointResourceState = "Running"
	StreamingEndpointResourceStateScaling  StreamingEndpointResourceState = "Scaling"
	StreamingEndpointResourceStateStarting StreamingEndpointResourceState = "Starting"
	StreamingEndpointResourceStateStopped  StreamingEndpointResourceState = "Stopped"
	StreamingEndpointResourceStateStopping StreamingEndpointResourceState = "Stopping"
)

// CDN providers accepted in StreamingEndpointProperties.CdnProvider (a
// plain string in the specification, with these documented values).
const (
	CdnProviderStandardVerizon = "StandardVerizon"
	CdnProviderPremiumVerizon  = "PremiumVerizon"
	CdnProviderStandardAkamai  = "StandardAkamai"
)

// DefaultAction is the key-delivery access control default.
type DefaultAction string

// DefaultAction values.
const (
	DefaultActionAllow DefaultAction = "Allow"
	DefaultActionDeny  DefaultAction = "Deny"
)

// PublicNetworkAccess enables or disables public network access.
type PublicNetworkAccess string

// PublicNetworkAccess values.
const (
	PublicNetworkAccessDisabled PublicNetworkAccess = "Disabled"
	PublicNetworkAccessEnabled  PublicNetworkAccess = "Enabled"
)

// StorageAccountType marks an account's primary or secondary storage.
type StorageAccountType string

// StorageAccountType values.
const (
	StorageAccountTypePrimary   StorageAccountType = "Primary"
	StorageAccountTypeSecondary StorageAccountType = "Secondary"
)

// StorageAuthentication selects how the account reaches its storage.
type StorageAuthentication string

// StorageAuthentication values.
const (
	StorageAuthenticationManagedIdentity StorageAuthentication = "ManagedIdentity"
	StorageAuthenticationSystem          StorageAuthentication = "System"
)

// AccountEncryptionKeyType selects the account encryption key.
type AccountEncryptionKeyType string

// AccountEncryptionKeyType values.
const (
	AccountEncryptionKeyTypeCustomerKey AccountEncryptionKeyType = "CustomerKey"
	AccountEncryptionKeyTypeSystemKey   AccountEncryptionKeyType = "SystemKey"
)

// PrivateEndpointConnectionProvisioningState is read-only.
type PrivateEndpointConnectionProvisioningState string

// PrivateEndpointServiceConnectionStatus is a private link connection status.
type PrivateEndpointServiceConnectionStatus string

// PrivateEndpointServiceConnectionStatus values.
const (
	PrivateEndpointServiceConnectionStatusApproved PrivateEndpointServiceConnectionStatus = "Approved"
	PrivateEndpointServiceConnectionStatusPending  PrivateEndpointServiceConnectionStatus = "Pending"
	PrivateEndpointServiceConnectionStatusRejected PrivateEndpointServiceConnectionStatus = "Rejected"
)

// checkEnum reports whether v is one of allowed (exact match, as AMS
// compares enum values).
func checkEnum[T ~string](path string, v T, allowed ...T) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	if v == "" {
		return errorf(path, "is required; one of %s", strings.Join(names, ", "))
	}
	return errorf(path, "%q is not one of %s", string(v), strings.Join(names, ", "))
}

// checkOptionalEnum is checkEnum for optional fields.
func checkOptionalEnum[T ~string](path string, v T, allowed ...T) error {
	if v == "" {
		return nil
	}
	return checkEnum(path, v, allowed...)
}
