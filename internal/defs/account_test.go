package defs_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestMediaServiceRoundTrip(t *testing.T) {
	m := roundTrip[defs.MediaService](t, sample(t, "media_service.json"))
	requireNoError(t, m.Validate())
	if m.Properties.KeyDelivery.AccessControl.DefaultAction != defs.DefaultActionDeny {
		t.Fatal("keyDelivery lost")
	}
	requireNoError(t, (&defs.MediaService{Location: "westus"}).Validate())
	roundTrip[defs.MediaServiceUpdate](t, []byte(`{"tags":{"a":"b"},"properties":{"publicNetworkAccess":"Disabled"}}`))
}

func TestMediaServiceValidate(t *testing.T) {
	const p = "properties."
	tests := []struct {
		name   string
		mutate func(m *defs.MediaService)
		field  string
		msg    string
	}{
		{"location required", func(m *defs.MediaService) { m.Location = " " }, "location", "is required"},
		{"identity type required", func(m *defs.MediaService) { m.Identity.Type = "" }, "identity.type", "is required"},
		{"identity type", func(m *defs.MediaService) { m.Identity.Type = "Both" }, "identity.type", "not one of"},
		{"identity both", func(m *defs.MediaService) { m.Identity.Type = "SystemAssigned,UserAssigned" }, "", ""},
		{"storage type", func(m *defs.MediaService) { m.Properties.StorageAccounts[0].Type = "" }, p + "storageAccounts[0].type", "is required"},
		{"one primary", func(m *defs.MediaService) {
			m.Properties.StorageAccounts = append(m.Properties.StorageAccounts, defs.StorageAccount{Type: defs.StorageAccountTypePrimary})
		}, p + "storageAccounts[1].type", "only one"},
		{"secondary allowed", func(m *defs.MediaService) {
			m.Properties.StorageAccounts = append(m.Properties.StorageAccounts, defs.StorageAccount{Type: defs.StorageAccountTypeSecondary})
		}, "", ""},
		{"storage identity flag", func(m *defs.MediaService) { m.Properties.StorageAccounts[0].Identity.UseSystemAssignedIdentity = nil },
			p + "storageAccounts[0].identity.useSystemAssignedIdentity", "is required"},
		{"storage authentication", func(m *defs.MediaService) { m.Properties.StorageAuthentication = "Key" }, p + "storageAuthentication", "not one of"},
		{"public network access", func(m *defs.MediaService) { m.Properties.PublicNetworkAccess = "enabled" }, p + "publicNetworkAccess", "not one of"},
		{"encryption type", func(m *defs.MediaService) { m.Properties.Encryption.Type = "" }, p + "encryption.type", "is required"},
		{"customer key needs a key", func(m *defs.MediaService) { m.Properties.Encryption.KeyVaultProperties = nil },
			p + "encryption.keyVaultProperties.keyIdentifier", "CustomerKey"},
		{"system key needs none", func(m *defs.MediaService) {
			m.Properties.Encryption = &defs.AccountEncryption{Type: defs.AccountEncryptionKeyTypeSystemKey}
		}, "", ""},
		{"default action", func(m *defs.MediaService) { m.Properties.KeyDelivery.AccessControl.DefaultAction = "Block" },
			p + "keyDelivery.accessControl.defaultAction", "not one of Allow, Deny"},
		{"allow with list", func(m *defs.MediaService) {
			m.Properties.KeyDelivery.AccessControl.DefaultAction = defs.DefaultActionAllow
		},
			p + "keyDelivery.accessControl.ipAllowList", "must be empty"},
		{"allow-list entries", func(m *defs.MediaService) { m.Properties.KeyDelivery.AccessControl.IPAllowList[1] = "10.0.0.0/33" },
			p + "keyDelivery.accessControl.ipAllowList[1]", "CIDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := decode[defs.MediaService](t, sample(t, "media_service.json"))
			tt.mutate(m)
			err := m.Validate()
			if tt.field == "" {
				requireNoError(t, err)
				return
			}
			requireFieldError(t, err, tt.field, tt.msg)
			if tt.field != "location" {
				u := defs.MediaServiceUpdate{Tags: m.Tags, Identity: m.Identity, Properties: m.Properties}
				requireFieldError(t, u.Validate(), tt.field, tt.msg)
			}
		})
	}
}

func TestCheckNameAvailability(t *testing.T) {
	in := decode[defs.CheckNameAvailabilityInput](t, []byte(`{"name":"contosotv","type":"MediaServices"}`))
	requireNoError(t, in.Validate())
	requireNoError(t, (&defs.CheckNameAvailabilityInput{Name: "x", Type: "Microsoft.Media/mediaservices"}).Validate())
	requireFieldError(t, (&defs.CheckNameAvailabilityInput{}).Validate(), "name", "is required")
	requireFieldError(t, (&defs.CheckNameAvailabilityInput{Name: "x", Type: "storageAccounts"}).Validate(), "type", "Microsoft.Media/mediaservices")

	requireSameJSON(t, []byte(`{"nameAvailable":false,"reason":"AlreadyExists","message":"taken"}`),
		mustJSON(t, defs.EntityNameAvailabilityCheckOutput{Reason: "AlreadyExists", Message: "taken"}))
	requireSameJSON(t, []byte(`{"nameAvailable":true}`), mustJSON(t, defs.EntityNameAvailabilityCheckOutput{NameAvailable: true}))
}
