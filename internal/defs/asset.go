package defs

import (
	"encoding/json"
	"regexp"
	"time"
)

// MaxContainerSasLifetime is how far ahead listContainerSas accepts an
// expiryTime (AMS: less than 24 hours).
const MaxContainerSasLifetime = 24 * time.Hour

// Asset is an asset resource.
type Asset struct {
	ID         string           `json:"id,omitempty"`
	Name       string           `json:"name,omitempty"`
	Type       string           `json:"type,omitempty"`
	SystemData *SystemData      `json:"systemData,omitempty"`
	Properties *AssetProperties `json:"properties,omitempty"`
}

// AssetProperties describes an asset and its storage container.
type AssetProperties struct {
	AssetID      string `json:"assetId,omitempty"`      // read-only
	Created      *Time  `json:"created,omitempty"`      // read-only
	LastModified *Time  `json:"lastModified,omitempty"` // read-only
	AlternateID  string `json:"alternateId,omitempty"`
	Description  string `json:"description,omitempty"`
	// Container defaults to "asset-<assetId>".
	Container          string `json:"container,omitempty"`
	StorageAccountName string `json:"storageAccountName,omitempty"`
	// StorageEncryptionFormat is read-only.
	StorageEncryptionFormat AssetStorageEncryptionFormat `json:"storageEncryptionFormat,omitempty"`
	// EncryptionScope is new in api-version 2023-01-01.
	EncryptionScope string `json:"encryptionScope,omitempty"`
}

// ListContainerSasInput is the body of POST listContainerSas.
type ListContainerSasInput struct {
	Permissions AssetContainerPermission `json:"permissions,omitempty"`
	ExpiryTime  *Time                    `json:"expiryTime,omitempty"`
}

// AssetContainerSas is the response of listContainerSas: one URL per
// storage key.
type AssetContainerSas struct {
	AssetContainerSasURLs []string `json:"assetContainerSasUrls"`
}

// StorageEncryptedAssetDecryptionData is the response of getEncryptionKey
// (legacy storage-encrypted assets).
type StorageEncryptedAssetDecryptionData struct {
	Key                         Base64                        `json:"key,omitempty"`
	AssetFileEncryptionMetadata []AssetFileEncryptionMetadata `json:"assetFileEncryptionMetadata,omitempty"`
}

// AssetFileEncryptionMetadata is the per-file IV of a storage-encrypted
// asset.
type AssetFileEncryptionMetadata struct {
	AssetFileID          string `json:"assetFileId"`
	AssetFileName        string `json:"assetFileName,omitempty"`
	InitializationVector string `json:"initializationVector,omitempty"`
}

// ListStreamingLocatorsResponse is the response of the asset action
// listStreamingLocators (not paged).
type ListStreamingLocatorsResponse struct {
	StreamingLocators []AssetStreamingLocator `json:"streamingLocators"`
}

// AssetStreamingLocator summarises one locator of an asset.
type AssetStreamingLocator struct {
	Name                        string `json:"name,omitempty"`
	AssetName                   string `json:"assetName,omitempty"`
	Created                     *Time  `json:"created,omitempty"`
	StartTime                   *Time  `json:"startTime,omitempty"`
	EndTime                     *Time  `json:"endTime,omitempty"`
	StreamingLocatorID          string `json:"streamingLocatorId,omitempty"`
	StreamingPolicyName         string `json:"streamingPolicyName,omitempty"`
	DefaultContentKeyPolicyName string `json:"defaultContentKeyPolicyName,omitempty"`
}

// MarshalJSON always emits the array.
func (s AssetContainerSas) MarshalJSON() ([]byte, error) {
	type alias AssetContainerSas
	s.AssetContainerSasURLs = nonNil(s.AssetContainerSasURLs)
	return json.Marshal(alias(s))
}

// MarshalJSON always emits the array.
func (r ListStreamingLocatorsResponse) MarshalJSON() ([]byte, error) {
	type alias ListStreamingLocatorsResponse
	r.StreamingLocators = nonNil(r.StreamingLocators)
	return json.Marshal(alias(r))
}

var (
	// Azure Blob container names: 3–63 lower-case letters, digits and
	// single hyphens, starting and ending with a letter or digit.
	containerNameRE      = regexp.MustCompile(`^[a-z0-9](-?[a-z0-9])+$`)
	storageAccountNameRE = regexp.MustCompile(`^[a-z0-9]{3,24}$`)
)

// Validate checks a create or update body. Every property is optional.
func (a *Asset) Validate() error {
	p := a.Properties
	if p == nil {
		return nil
	}
	if c := p.Container; c != "" && (len(c) < 3 || len(c) > 63 || !containerNameRE.MatchString(c)) {
		return errorf("properties.container", "%q is not a valid blob container name (3-63 lower-case letters, digits and single hyphens)", c)
	}
	if s := p.StorageAccountName; s != "" && !storageAccountNameRE.MatchString(s) {
		return errorf("properties.storageAccountName", "%q is not a valid storage account name (3-24 lower-case letters and digits)", s)
	}
	return nil
}

// Validate checks a listContainerSas body against now: expiryTime must lie
// in (now, now+24h].
func (in *ListContainerSasInput) Validate(now time.Time) error {
	if err := checkEnum("permissions", in.Permissions, AssetContainerPermissionRead,
		AssetContainerPermissionReadWrite, AssetContainerPermissionReadWriteDelete); err != nil {
		return err
	}
	switch {
	case in.ExpiryTime == nil:
		return required("expiryTime")
	case !in.ExpiryTime.After(now):
		return errorf("expiryTime", "must be in the future")
	case in.ExpiryTime.Sub(now) > MaxContainerSasLifetime:
		return errorf("expiryTime", "must be at most 24 hours ahead")
	}
	return nil
}
