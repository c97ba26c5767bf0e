package defs_test

import (
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestAssetRoundTrip(t *testing.T) {
	a := roundTrip[defs.Asset](t, sample(t, "asset.json"))
	requireNoError(t, a.Validate())
	if a.Properties.EncryptionScope != "scope1" {
		t.Fatal("encryptionScope lost")
	}
	requireNoError(t, (&defs.Asset{}).Validate())
	roundTrip[defs.Asset](t, []byte(`{"properties":{}}`))
}

func TestAssetValidate(t *testing.T) {
	tests := []struct {
		name  string
		props defs.AssetProperties
		field string
		msg   string
	}{
		{"container ok", defs.AssetProperties{Container: "asset-1-a"}, "", ""},
		{"container too short", defs.AssetProperties{Container: "ab"}, "properties.container", "container name"},
		{"container upper case", defs.AssetProperties{Container: "Asset1"}, "properties.container", "container name"},
		{"container double hyphen", defs.AssetProperties{Container: "asset--1"}, "properties.container", "container name"},
		{"container trailing hyphen", defs.AssetProperties{Container: "asset-"}, "properties.container", "container name"},
		{"storage account", defs.AssetProperties{StorageAccountName: "Storage_0"}, "properties.storageAccountName", "storage account name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&defs.Asset{Properties: &tt.props}).Validate()
			if tt.field == "" {
				requireNoError(t, err)
				return
			}
			requireFieldError(t, err, tt.field, tt.msg)
		})
	}
}

func TestListContainerSasInput(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	in := decode[defs.ListContainerSasInput](t, []byte(`{"permissions":"ReadWrite","expiryTime":"2024-05-01T13:00:00.0000000Z"}`))
	requireNoError(t, in.Validate(now))
	requireSameJSON(t, []byte(`{"permissions":"ReadWrite","expiryTime":"2024-05-01T13:00:00.0000000Z"}`), mustJSON(t, in))

	tests := []struct {
		name  string
		in    defs.ListContainerSasInput
		field string
		msg   string
	}{
		{"permissions required", defs.ListContainerSasInput{ExpiryTime: defs.NewTime(now.Add(time.Hour))}, "permissions", "is required"},
		{"permissions enum", defs.ListContainerSasInput{Permissions: "Write", ExpiryTime: defs.NewTime(now.Add(time.Hour))}, "permissions", "not one of Read, ReadWrite, ReadWriteDelete"},
		{"expiry required", defs.ListContainerSasInput{Permissions: "Read"}, "expiryTime", "is required"},
		{"expiry in the past", defs.ListContainerSasInput{Permissions: "Read", ExpiryTime: defs.NewTime(now.Add(-time.Second))}, "expiryTime", "future"},
		{"expiry now", defs.ListContainerSasInput{Permissions: "Read", ExpiryTime: defs.NewTime(now)}, "expiryTime", "future"},
		{"expiry 24 h", defs.ListContainerSasInput{Permissions: "ReadWriteDelete", ExpiryTime: defs.NewTime(now.Add(24 * time.Hour))}, "", ""},
		{"expiry beyond 24 h", defs.ListContainerSasInput{Permissions: "Read", ExpiryTime: defs.NewTime(now.Add(24*time.Hour + time.Second))}, "expiryTime", "24 hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate(now)
			if tt.field == "" {
				requireNoError(t, err)
				return
			}
			requireFieldError(t, err, tt.field, tt.msg)
		})
	}
}

func TestAssetActionResponses(t *testing.T) {
	requireSameJSON(t, []byte(`{"assetContainerSasUrls":[]}`), mustJSON(t, defs.AssetContainerSas{}))
	roundTrip[defs.AssetContainerSas](t, []byte(`{"assetContainerSasUrls":["https://storage0.blob.core.windows.net/asset-1?sv=2019-02-02&sr=c&sig=x&se=2024-05-01T13:00:00Z&sp=rl"]}`))

	requireSameJSON(t, []byte(`{"streamingLocators":[]}`), mustJSON(t, defs.ListStreamingLocatorsResponse{}))
	roundTrip[defs.ListStreamingLocatorsResponse](t, []byte(`{"streamingLocators":[{"name":"secureStreamingLocator","assetName":"ClimbingMountRainier",
		"created":"2018-08-08T18:29:32.5000000Z","startTime":"2018-03-01T00:00:00.0000000Z","endTime":"9999-12-31T23:59:59.9999999Z",
		"streamingLocatorId":"90000000-0000-0000-0000-00000000000a","streamingPolicyName":"Predefined_MultiDrmCencStreaming",
		"defaultContentKeyPolicyName":"PolicyWithMultipleOptions"}]}`))

	d := roundTrip[defs.StorageEncryptedAssetDecryptionData](t, []byte(`{"key":"AAECAwQFBgcICQoLDA0ODw==",
		"assetFileEncryptionMetadata":[{"assetFileId":"f1","assetFileName":"video.mp4","initializationVector":"1234"}]}`))
	if len(d.Key) != 16 {
		t.Fatalf("key %d bytes", len(d.Key))
	}
	requireSameJSON(t, []byte(`{}`), mustJSON(t, defs.StorageEncryptedAssetDecryptionData{}))
}
