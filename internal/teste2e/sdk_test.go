package teste2e

import (
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// TestSDKScenario drives one management scenario through the official
// armmediaservices/v3 SDK (and azblob for uploads) against each metadata
// store backend.
func TestSDKScenario(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		runScenario(t, startServer(t, nil))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := pgtest.Start(t)
		runScenario(t, startServer(t, func(c *conf.Conf) {
			c.Store.Driver = "postgres"
			c.Store.DSN = conf.Secret(dsn)
		}))
	})
}

// scenario is the state shared by the steps of one run.
type scenario struct {
	h    *harness
	rg   string
	acct string
	// dc2 is a second account in the same resource group, standing in for
	// a second data center.
	dc2 string

	assetName  string // asset holding the uploaded media (step 2)
	policyName string // multi-option content key policy (step 3)
}

func runScenario(t *testing.T, h *harness) {
	s := &scenario{h: h, rg: "e2e-rg", acct: "e2eacct", dc2: "e2edc2"}
	if !t.Run("accounts", s.accounts) {
		return // everything else lives in the account
	}
	t.Run("assets_and_upload", s.assetsAndUpload)
	t.Run("content_key_policy", s.contentKeyPolicy)
	t.Run("streaming_locators", s.streamingLocators)
	t.Run("streaming_policies", s.streamingPolicies)
	t.Run("streaming_endpoints", s.streamingEndpoints)
	t.Run("filters", s.filters)
	t.Run("paging", s.paging)
	t.Run("errors", s.errors)
	t.Run("delete_account", s.deleteAccount)
}
