package azure_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azure"
	"github.com/lockstream/lockstream/internal/blob/blobtest"
	"github.com/lockstream/lockstream/internal/test/azurite"
)

// TestConformance runs the shared suite against one Azurite instance;
// every subtest gets a fresh Store and its own containers.
func TestConformance(t *testing.T) {
	serviceURL, account, key := azurite.Start(t)
	blobtest.Run(t, func(t *testing.T) blob.Store {
		st, err := azure.New(azure.Config{
			AccountName:     account,
			AccountKey:      key,
			ServiceURL:      serviceURL,
			ContainerPrefix: "ls-",
			// Small blocks so Write exercises Put Block + Put Block List.
			UploadBlockSize: 1 << 20,
		})
		if err != nil {
			t.Fatalf("azure.New: %v", err)
		}
		return st
	})
}

func TestNewValidatesConfig(t *testing.T) {
	for _, cfg := range []azure.Config{
		{},
		{AccountName: "a"},
		{AccountName: "a", AccountKey: "a2V5", ServiceURL: "ftp://x"},
		{AccountName: "a", AccountKey: "a2V5", ContainerPrefix: "UPPER"},
		{AccountName: "a", AccountKey: "not base64!"},
	} {
		if _, err := azure.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded; want an error", cfg)
		}
	}
}
